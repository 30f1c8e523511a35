import { renderExposition, type HistogramSample, type MetricFamily, type Sample } from './exposition.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The metric families of one scrape, in the order added. Values are read fresh for every
 * scrape (nothing is kept between them), so the registry is a builder, not a store.
 * Bad names or shapes are programmer errors and throw: a scrape that Prometheus rejects as a
 * whole is worse than a 500 that names the bug.
 */
export class MetricRegistry {
  private readonly families: MetricFamily[] = [];
  private readonly names = new Set<string>();

  /** A monotonically increasing count; by convention the name ends in `_total`. */
  counter(name: string, help: string, samples: readonly Sample[] | number): this {
    if (!name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
    return this.add({ type: 'counter', name, help, samples: asSamples(samples) });
  }

  /** A value that goes up and down. */
  gauge(name: string, help: string, samples: readonly Sample[] | number): this {
    return this.add({ type: 'gauge', name, help, samples: asSamples(samples) });
  }

  histogram(name: string, help: string, samples: readonly HistogramSample[]): this {
    for (const sample of samples) {
      if (sample.counts.length !== sample.bounds.length + 1) {
        const wanted = sample.bounds.length + 1;
        throw new Error(`histogram ${name}: ${sample.bounds.length} bounds need ${wanted} counts, got ${sample.counts.length}`);
      }
      if (sample.bounds.some((bound, i) => i > 0 && bound <= (sample.bounds[i - 1] ?? -Infinity))) {
        throw new Error(`histogram ${name}: bounds must increase`);
      }
      if ('le' in sample.labels) throw new Error(`histogram ${name}: "le" is reserved for the buckets`);
    }
    return this.add({ type: 'histogram', name, help, samples });
  }

  all(): readonly MetricFamily[] {
    return this.families;
  }

  /** The Prometheus text exposition (see EXPOSITION_CONTENT_TYPE). */
  render(): string {
    return renderExposition(this.families);
  }

  private add(family: MetricFamily): this {
    if (!METRIC_NAME.test(family.name)) throw new Error(`bad metric name ${JSON.stringify(family.name)}`);
    if (this.names.has(family.name)) throw new Error(`metric ${family.name} added twice`);
    for (const sample of family.samples) {
      for (const label of Object.keys(sample.labels)) {
        if (!LABEL_NAME.test(label) || label.startsWith('__')) {
          throw new Error(`metric ${family.name}: bad label name ${JSON.stringify(label)}`);
        }
      }
    }
    this.names.add(family.name);
    this.families.push(family);
    return this;
  }
}

function asSamples(samples: readonly Sample[] | number): readonly Sample[] {
  return typeof samples === 'number' ? [{ labels: {}, value: samples }] : samples;
}

/** Samples of one label over a record of values: `{reason: 'malformed'} 3`, … */
export function byLabel(label: string, values: Readonly<Record<string, number>>): Sample[] {
  return Object.entries(values).map(([key, value]) => ({ labels: { [label]: key }, value }));
}
