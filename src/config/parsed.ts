import type { Checked } from '../result.js';

/** Where a raw value came from decides how it is read: a JSON file has types, flags and env are text. */
export type Syntax = 'flag' | 'env' | 'file';

/** A parsed value or every reason it was rejected (one line each, without the key name). */
export type Parsed<T> = Checked<T>;

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Quotes strings so that an empty or space-padded bad value is visible in the message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value) ?? String(value);
}

export function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item: unknown) => typeof item === 'string');
}

/** Comma-separated list items, trimmed, empty ones dropped (a trailing comma is harmless). */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** "a, b or c", for messages and help that list the allowed words. */
export function orList(words: readonly string[]): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1) ?? ''}`;
}
