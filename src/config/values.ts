import { validateName } from '../codec/fields.js';
import { addressKey, type Address } from '../protocol/types.js';
import { MAX_NAME_BYTES } from './defaults.js';
import { parseAddress, type AddressRules } from './address.js';
import { MAX_PATH_BYTES } from './limits.js';
import { isStringArray, orList, show, splitList, type Parsed, type Syntax } from './parsed.js';
import { invalid, valid } from '../result.js';

const WHOLE_NUMBER = /^-?\d+$/;
// C0, DEL and C1: they corrupt logs and terminals when a name is printed.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export interface CountRules {
  readonly min: number;
  readonly max?: number;
  readonly unit?: string;
}

/** A whole number; text on the command line, a JSON number in the file. */
export function parseCount(raw: unknown, syntax: Syntax, rules: CountRules): Parsed<number> {
  let value: number;
  if (typeof raw === 'number' && syntax === 'file') value = raw;
  else if (typeof raw === 'string' && syntax !== 'file' && WHOLE_NUMBER.test(raw.trim())) value = Number(raw);
  else return invalid(`${show(raw)} is not a whole number`);
  if (!Number.isSafeInteger(value)) return invalid(`${show(raw)} is not a whole number`);
  if (rules.max !== undefined && (value < rules.min || value > rules.max)) {
    return invalid(`${value} is out of range (${rules.min}..${rules.max}${rules.unit === undefined ? '' : ` ${rules.unit}`})`);
  }
  if (value < rules.min) return invalid(`${value} must be at least ${rules.min}`);
  return valid(value);
}

export interface TextRules {
  readonly maxBytes: number;
}

/** A printable string of 1..maxBytes UTF-8 bytes (names travel in packets with fixed budgets). */
export function parseText(raw: unknown, rules: TextRules): Parsed<string> {
  if (typeof raw !== 'string') return invalid(`${show(raw)} is not a string`);
  const bytes = Buffer.byteLength(raw);
  if (bytes === 0 || raw.trim() === '') return invalid('must not be empty');
  if (bytes > rules.maxBytes) return invalid(`${show(raw)} is ${bytes} bytes long (at most ${rules.maxBytes})`);
  if (CONTROL_CHARS.test(raw)) return invalid(`${show(raw)} contains control characters`);
  return valid(raw);
}

/** A member name: printable text that the codec will put on the wire as it is. */
export function parseName(raw: unknown): Parsed<string> {
  const text = parseText(raw, { maxBytes: MAX_NAME_BYTES });
  if (!text.ok) return text;
  const problem = validateName(text.value);
  return problem === null ? text : invalid(problem);
}

/** One of a fixed set of words, e.g. a profile or log level. */
export function parseChoice<T extends string>(raw: unknown, choices: readonly T[], what: string): Parsed<T> {
  const choice = choices.find((candidate) => candidate === raw);
  if (choice !== undefined) return valid(choice);
  return invalid(`${show(raw)} is not a ${what} (use ${orList(choices)})`);
}

export function parseAddressValue(raw: unknown, rules: AddressRules): Parsed<Address> {
  if (typeof raw !== 'string') return invalid(`${show(raw)} is not a "host:port" string`);
  return parseAddress(raw, rules);
}

/** `null` in the file spells "not set": the agent then derives the address from the bind. */
export function parseOptionalAddress(raw: unknown, syntax: Syntax, rules: AddressRules): Parsed<Address | null> {
  if (raw === null && syntax === 'file') return valid(null);
  return parseAddressValue(raw, rules);
}

/**
 * Seed addresses, normalized to "host:port" and de-duplicated. Commas separate seeds in the
 * environment and are accepted in flags too: addresses never contain them.
 */
export function parseAddressList(raw: unknown, syntax: Syntax, rules: AddressRules): Parsed<readonly string[]> {
  const items = listItems(raw, syntax);
  if (items === null) {
    const expected = syntax === 'file' ? 'an array of "host:port" strings' : 'a list of host:port addresses';
    return invalid(`${show(raw)} is not ${expected}`);
  }
  const errors: string[] = [];
  const seeds = new Set<string>();
  for (const item of items) {
    const parsed = parseAddress(item, rules);
    if (parsed.ok) seeds.add(addressKey(parsed.value));
    else errors.push(...parsed.errors);
  }
  return errors.length === 0 ? valid([...seeds]) : invalid(...errors);
}

function listItems(raw: unknown, syntax: Syntax): readonly string[] | null {
  if (typeof raw === 'string' && syntax !== 'file') return splitList(raw);
  if (isStringArray(raw)) return syntax === 'file' ? raw : raw.flatMap(splitList);
  return null;
}

/** A directory path (--data-dir); `null` in the file spells "not set", as for advertise. */
export function parseOptionalPath(raw: unknown, syntax: Syntax): Parsed<string | null> {
  if (raw === null && syntax === 'file') return valid(null);
  return parseText(raw, { maxBytes: MAX_PATH_BYTES });
}
