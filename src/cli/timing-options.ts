import type { Command } from 'commander';
import { resolveConfig } from '../config.js';
import { KEY_SPECS, keyNamesList } from '../config/keys.js';
import type { ProfileName, ProtocolOptions } from '../protocol/options.js';
import { valid, type Checked } from '../result.js';
import type { CliIo } from './io.js';

const TIMING_KEYS = keyNamesList().filter((key) => key.group === 'timing');

/** The agent's --profile and timing flags, for commands that model or simulate a cluster. */
export function addTimingOptions(command: Command): void {
  command.optionsGroup('Timing options (as for gossipd agent):');
  command.option(KEY_SPECS.profile.flag + ' ' + KEY_SPECS.profile.argName, KEY_SPECS.profile.help);
  for (const names of TIMING_KEYS) command.option(`${names.flag} ${names.argName}`, names.help);
}

export interface Timing {
  readonly profile: ProfileName;
  readonly options: ProtocolOptions;
}

/** The timing, or every problem with the flags. */
export type TimingResult = Checked<Timing>;

/** Resolves them through the agent's own config rules, so every override means the same thing. */
export function resolveTiming(flags: Readonly<Record<string, unknown>>, io: CliIo): TimingResult {
  const timingFlags: Record<string, unknown> = {};
  for (const names of TIMING_KEYS) {
    if (flags[names.flagKey] !== undefined) timingFlags[names.flagKey] = flags[names.flagKey];
  }
  if (flags['profile'] !== undefined) timingFlags['profile'] = flags['profile'];
  const resolved = resolveConfig({ flags: timingFlags, env: {}, readFile: io.readFile, hostname: 'model' });
  return resolved.ok ? valid({ profile: resolved.value.profile, options: resolved.value }) : resolved;
}
