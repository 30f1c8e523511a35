import { jsonKind, jsonSyntaxProblem, showPropertyName } from './json-syntax.js';
import type { KeyNames } from './keys.js';
import { isRecord, show, type Syntax } from './parsed.js';
import { closest } from './suggest.js';
import type { ConfigSources } from './types.js';

/** One raw value and where it came from, which every error message names. */
export interface RawValue {
  readonly value: unknown;
  readonly origin: string;
}

/** One source of settings; layers are consulted from the highest precedence down. */
export interface Layer {
  readonly syntax: Syntax;
  lookup(names: KeyNames): RawValue | undefined;
}

export const CONFIG_FLAG = '--config';
export const CONFIG_ENV = 'GOSSIPD_CONFIG';

export function flagLayer(flags: ConfigSources['flags']): Layer {
  return {
    syntax: 'flag',
    lookup: (names) => {
      const value = flags[names.flagKey];
      return value === undefined ? undefined : { value, origin: names.flag };
    },
  };
}

export function envLayer(env: ConfigSources['env']): Layer {
  return {
    syntax: 'env',
    lookup: (names) => {
      const value = env[names.env];
      // Empty counts as unset: `VAR= cmd` and templated unit files set empty values to mean "none".
      return value === undefined || value === '' ? undefined : { value, origin: names.env };
    },
  };
}

/**
 * The JSON config file named by --config or GOSSIPD_CONFIG, if any. Problems with the file
 * itself (unreadable, not JSON, unknown keys) are pushed to `errors`; its values are checked
 * later with every other source.
 */
export function fileLayer(sources: ConfigSources, known: readonly KeyNames[], errors: string[]): Layer | null {
  const path = configPath(sources, errors);
  if (path === null) return null;
  let text: string;
  try {
    text = sources.readFile(path.value);
  } catch (error) {
    errors.push(`${path.origin}: cannot read ${show(path.value)}: ${errorMessage(error)}`);
    return null;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    // Never JSON.parse's message: it quotes the text, and the file may hold a key.
    errors.push(`${path.value}: not valid JSON: ${jsonSyntaxProblem(text)}`);
    return null;
  }
  if (!isRecord(document)) {
    errors.push(`${path.value}: must hold a JSON object of settings, not ${jsonKind(document)}`);
    return null;
  }
  const settings = document;
  errors.push(...unknownKeys(path.value, settings, known));
  return {
    syntax: 'file',
    lookup: (names) =>
      Object.hasOwn(settings, names.key) ? { value: settings[names.key], origin: `${path.value}: ${names.key}` } : undefined,
  };
}

function configPath(sources: ConfigSources, errors: string[]): { readonly value: string; readonly origin: string } | null {
  const fromFlag = sources.flags['config'];
  const fromEnv = sources.env[CONFIG_ENV];
  const raw: RawValue | null =
    fromFlag !== undefined
      ? { value: fromFlag, origin: CONFIG_FLAG }
      : fromEnv !== undefined && fromEnv !== ''
        ? { value: fromEnv, origin: CONFIG_ENV }
        : null;
  if (raw === null) return null;
  if (typeof raw.value !== 'string' || raw.value === '') {
    errors.push(`${raw.origin}: ${show(raw.value)} is not a file path`);
    return null;
  }
  return { value: raw.value, origin: raw.origin };
}

function unknownKeys(path: string, document: Readonly<Record<string, unknown>>, known: readonly KeyNames[]): string[] {
  const keys = known.map((names) => names.key);
  return Object.keys(document)
    .filter((key) => !keys.includes(key))
    .map((key) => {
      const guess = closest(key, keys);
      return `${path}: unknown key ${showPropertyName(key)}${guess === null ? '' : ` (did you mean "${guess}"?)`}`;
    });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
