import { readFileSync } from 'node:fs';
import { isRecord } from '../config/parsed.js';

/**
 * The version in package.json, found relative to this module: ../../package.json is the
 * package root both from src/cli (tests) and from dist/cli (the installed bin).
 */
export function packageVersion(): string {
  try {
    const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    if (isRecord(manifest) && typeof manifest['version'] === 'string') return manifest['version'];
  } catch {
    // A missing manifest must not stop the daemon; --version then says so.
  }
  return 'unknown';
}
