import type { Command } from 'commander';
import { resolveConfig } from '../config.js';
import { keyNamesList } from '../config/keys.js';
import type { ProfileName, ProtocolOptions } from '../protocol/options.js';
import type { Invalid, Ok } from '../result.js';
import type { CliIo } from './io.js';

const TIMING_KEYS = keyNamesList().filter((key) => key.group === 'timing');

/** The agent's --profile and timing flags, for commands that model or simulate a cluster. */
export function addTimingOptions(command: Command): void {
  command.optionsGroup('Timing options (as for gossipd agent):');
  command.option('--profile <profile>', 'timing defaults: lan, wan or local (default: lan)');
  for (const names of TIMING_KEYS) command.option(`${names.flag} ${names.argName}`, names.help);
}

export interface Timing {
  readonly profile: ProfileName;
  readonly options: ProtocolOptions;
}

/** A Checked<Timing>: the timing, or every problem with the flags. */
export type TimingResult = ResolvedTiming | Invalid;

/** The success of resolveTiming: Ok<Timing>, plus two getters on its prototype (see below). */
class ResolvedTiming implements Ok<Timing> {
  readonly ok = true;
  constructor(readonly value: Timing) {}

  /**
   * @deprecated Read `value.profile`. These two getters are kept only because
   * src/cli/simulate.ts (being changed elsewhere) still reads them; remove them once it reads `value`.
   */
  get profile(): ProfileName {
    return this.value.profile;
  }

  /** @deprecated Read `value.options`; see `profile`. */
  get options(): ProtocolOptions {
    return this.value.options;
  }
}

/** Resolves them through the agent's own config rules, so every override means the same thing. */
export function resolveTiming(flags: Readonly<Record<string, unknown>>, io: CliIo): TimingResult {
  const timingFlags: Record<string, unknown> = {};
  for (const names of TIMING_KEYS) {
    if (flags[names.flagKey] !== undefined) timingFlags[names.flagKey] = flags[names.flagKey];
  }
  if (flags['profile'] !== undefined) timingFlags['profile'] = flags['profile'];
  const resolved = resolveConfig({ flags: timingFlags, env: {}, readFile: io.readFile, hostname: 'model' });
  return resolved.ok ? new ResolvedTiming({ profile: resolved.value.profile, options: resolved.value }) : resolved;
}
