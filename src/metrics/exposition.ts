/** The Content-Type of the Prometheus text exposition format this module writes. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label names and values of one series; the order given is the order rendered. */
export type Labels = Readonly<Record<string, string>>;

/** One counter or gauge series. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/**
 * One histogram series as its source keeps it: `counts[i]` observations at most `bounds[i]`
 * and above `bounds[i - 1]` (not cumulative), with one extra last entry for everything
 * above the last bound. Rendering makes the buckets cumulative, as the format wants.
 */
export interface HistogramSample {
  readonly labels: Labels;
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
}

export type MetricFamily =
  | { readonly type: 'counter' | 'gauge'; readonly name: string; readonly help: string; readonly samples: readonly Sample[] }
  | { readonly type: 'histogram'; readonly name: string; readonly help: string; readonly samples: readonly HistogramSample[] };

/**
 * Renders metric families in the Prometheus text exposition format 0.0.4: a HELP and a TYPE
 * line per family, then one line per series; histograms as cumulative `_bucket{le=…}` series
 * ending at `+Inf`, then `_sum` and `_count`. Ends with a newline, as the format requires.
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type === 'histogram') {
      for (const sample of family.samples) lines.push(...histogramLines(family.name, sample));
    } else {
      for (const sample of family.samples) lines.push(`${family.name}${labelText(sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function histogramLines(name: string, sample: HistogramSample): string[] {
  const lines: string[] = [];
  let cumulative = 0;
  sample.bounds.forEach((bound, i) => {
    cumulative += sample.counts[i] ?? 0;
    lines.push(`${name}_bucket${labelText({ ...sample.labels, le: formatValue(bound) })} ${formatValue(cumulative)}`);
  });
  const count = cumulative + (sample.counts[sample.bounds.length] ?? 0);
  lines.push(`${name}_bucket${labelText({ ...sample.labels, le: '+Inf' })} ${formatValue(count)}`);
  lines.push(`${name}_sum${labelText(sample.labels)} ${formatValue(sample.sum)}`);
  lines.push(`${name}_count${labelText(sample.labels)} ${formatValue(count)}`);
  return lines;
}

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** HELP text escapes backslash and line feed only. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Go's float syntax as Prometheus parses it: NaN, +Inf, -Inf, otherwise the shortest decimal. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
