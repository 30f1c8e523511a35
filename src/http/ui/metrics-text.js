// The Prometheus text format (0.0.4) as GET /metrics writes it, read by /ui for its health
// panel. Plain browser JavaScript; types in metrics-text.d.ts; tested in test/unit/ui-metrics.test.ts.

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;

/** Every sample line of an exposition; comments, blank and malformed lines are skipped. */
export function parsePrometheusText(text) {
  const samples = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const labels = match[3] === undefined ? {} : parseLabels(match[3]);
    if (labels === null) continue;
    samples.push({ name: match[1], labels, value: parseValue(match[4]) });
  }
  return samples;
}

/** The value of the first sample called `name` whose labels include `labels`, or null. */
export function sampleValue(samples, name, labels = {}) {
  for (const s of samples) {
    if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
  }
  return null;
}

/** `{label value: sample value}` for the samples called `name`, keyed by one label. */
export function byLabel(samples, name, label) {
  const out = {};
  for (const s of samples) if (s.name === name && s.labels[label] !== undefined) out[s.labels[label]] = s.value;
  return out;
}

/**
 * A histogram's buckets as counts per bucket (the exposition's are cumulative), in order of
 * their upper bound, +Inf last: [{le: seconds, count}].
 */
export function histogramBuckets(samples, name) {
  const cumulative = samples
    .filter((s) => s.name === `${name}_bucket` && s.labels.le !== undefined)
    .map((s) => ({ le: parseValue(s.labels.le), total: s.value }))
    .sort((a, b) => a.le - b.le);
  let previous = 0;
  return cumulative.map(({ le, total }) => {
    const count = Math.max(0, total - previous);
    previous = total;
    return { le, count };
  });
}

function parseLabels(text) {
  const labels = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const at = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (match === null) return text.slice(at).trim() === '' ? labels : null;
    labels[match[1]] = match[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(text) {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}
