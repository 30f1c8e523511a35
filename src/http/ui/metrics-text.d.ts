// Types of metrics-text.js (plain browser JavaScript served by GET /ui, imported by the tests).

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Bucket {
  readonly le: number;
  readonly count: number;
}

export function parsePrometheusText(text: string): Sample[];
export function sampleValue(samples: readonly Sample[], name: string, labels?: Readonly<Record<string, string>>): number | null;
export function byLabel(samples: readonly Sample[], name: string, label: string): Record<string, number>;
export function histogramBuckets(samples: readonly Sample[], name: string): Bucket[];
