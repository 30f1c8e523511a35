// Timing profiles the bench can run: the daemon's four, plus `fast` (the issue's quick timing,
// which Serf cannot be configured to, so Serf is not run with it). gossipd's own `tolerance`
// profile is compared with Serf at Serf's default (lan).
import { EXPERIMENT_TIMING } from '../src/config.js';
import { PROFILES, type ProfileName, type ProtocolOptions } from '../src/protocol/options.js';
import { suspicionBounds } from '../src/protocol/suspicion.js';

export type BenchProfile = ProfileName | 'fast';
export const BENCH_PROFILES: readonly BenchProfile[] = ['tolerance', 'lan', 'wan', 'local', 'fast'];

export function isBenchProfile(value: string): value is BenchProfile {
  return (BENCH_PROFILES as readonly string[]).includes(value);
}

export function protocolOptions(profile: BenchProfile): ProtocolOptions {
  return profile === 'fast' ? EXPERIMENT_TIMING : PROFILES[profile];
}

/** The profile as `gossipd agent` options, camelCase as commander stores them ({ probeInterval: '200ms' }). */
export function timingFlags(profile: BenchProfile): Record<string, string> {
  if (profile !== 'fast') return { profile };
  return {
    profile: 'local',
    probeInterval: `${EXPERIMENT_TIMING.probeIntervalMs}ms`,
    probeTimeout: `${EXPERIMENT_TIMING.probeTimeoutMs}ms`,
    gossipInterval: `${EXPERIMENT_TIMING.gossipIntervalMs}ms`,
    suspicionMult: String(EXPERIMENT_TIMING.suspicionMult),
  };
}

/** The same as command-line arguments: ['--profile', 'local', '--probe-interval', '200ms', …]. */
export function agentFlags(profile: BenchProfile): string[] {
  return Object.entries(timingFlags(profile)).flatMap(([key, value]) => [
    `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`,
    value,
  ]);
}

/** Serf's `-profile` for the same timing (memberlist's LAN/WAN/Local configs; Serf's default, lan, against ours), or null if none. */
export function serfProfile(profile: BenchProfile): Exclude<ProfileName, 'tolerance'> | null {
  if (profile === 'fast') return null;
  return profile === 'tolerance' ? 'lan' : profile;
}

/** Lifeguard's longest suspicion timeout at n members (DESIGN §2), for generous waits. */
export function maxSuspicionMs(options: ProtocolOptions, n: number): number {
  return suspicionBounds(n, options.probeIntervalMs, options.suspicionMult, options.suspicionMaxTimeoutMult).maxMs;
}
