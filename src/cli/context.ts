import type { CliIo } from './io.js';

/** What each command gets: the outside world, and where to put its exit code. */
export interface CommandContext {
  readonly io: CliIo;
  /** Commander ignores action return values, so actions report their exit code here. */
  readonly finish: (code: number) => void;
}

/** Exit codes of DESIGN.md §3. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Prints each problem as its own `gossipd: …` line. */
export function printErrors(io: CliIo, errors: readonly string[]): void {
  for (const error of errors) io.stderr(`gossipd: ${error}\n`);
}
