// Command-line options of `npm run bench`, with the defaults of a full run and of --quick.
import { parseArgs } from 'node:util';
import type { Mode } from './cluster.js';
import { BENCH_PROFILES, isBenchProfile, protocolOptions, type BenchProfile } from './timing.js';

export interface Settings {
  readonly quick: boolean;
  readonly nodes: readonly number[];
  readonly profile: BenchProfile;
  readonly modes: readonly Mode[];
  /** Run gossipd's own clusters (off with `--systems serf`, to measure Serf alone on a quiet machine). */
  readonly gossipd: boolean;
  readonly serf: boolean;
  readonly trials: number;
  readonly steadySeconds: number;
  readonly querySeconds: number;
  readonly queryConcurrency: number;
  readonly spawnRuns: number;
  readonly pauseSeconds: number;
  readonly pauseTrials: number;
  readonly lossPercent: number;
  readonly lossSeconds: number;
  /** In-process agents to hold for `stabilitySeconds` (halved on failure); 0 skips it. */
  readonly capacity: number;
  readonly capacityAttempts: number;
  readonly stabilitySeconds: number;
  readonly outDir: string;
  readonly netns: boolean;
  readonly seed: number;
}

export const USAGE = `npm run bench -- [options]

  --quick                 smoke run (< 2 min): 5 agents, fast timing, short windows, no Serf
  --nodes 10,50,200       cluster sizes (none: only the capacity run)
  --profile lan           timing: ${BENCH_PROFILES.join(', ')} (fast = local with 200 ms probes; Serf cannot run it)
  --modes in-process,multi-process
  --systems gossipd,serf  which systems to run (Serf only when installed, in multi-process mode)
  --no-serf               same as --systems gossipd
  --trials 5              crash trials per size
  --steady-seconds 60     quiet window for CPU, memory and traffic
  --query-seconds 5       HTTP load per concurrency level
  --concurrency 16        HTTP load concurrency (also measured at 1)
  --spawn-runs 20         CLI member listings (process spawns) timed
  --pause-seconds S       how long a member is frozen (default 5 probe intervals)
  --pause-trials 3        members frozen, one after the other
  --loss 10               injected packet loss, percent
  --loss-seconds 60       loss window
  --capacity 1000         in-process agents held for --stability-seconds (0: skip); halved on failure
  --capacity-attempts 3
  --stability-seconds 300
  --out bench/results     where the JSON and SVG go
  --no-netns              do not move into a private network namespace
  --seed N                seed for picking seeds and victims
`;

export function parseSettings(argv: readonly string[], defaultOutDir: string): Settings | { readonly error: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        quick: { type: 'boolean', default: false },
        nodes: { type: 'string' },
        profile: { type: 'string' },
        modes: { type: 'string' },
        systems: { type: 'string' },
        'no-serf': { type: 'boolean', default: false },
        trials: { type: 'string' },
        'steady-seconds': { type: 'string' },
        'query-seconds': { type: 'string' },
        concurrency: { type: 'string' },
        'spawn-runs': { type: 'string' },
        'pause-seconds': { type: 'string' },
        'pause-trials': { type: 'string' },
        loss: { type: 'string' },
        'loss-seconds': { type: 'string' },
        capacity: { type: 'string' },
        'capacity-attempts': { type: 'string' },
        'stability-seconds': { type: 'string' },
        out: { type: 'string' },
        'no-netns': { type: 'boolean', default: false },
        seed: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (values.help) return { error: '' };
  const quick = values.quick;
  const errors: string[] = [];
  const number = (name: string, text: string | undefined, full: number, fast: number, min = 0): number => {
    if (text === undefined) return quick ? fast : full;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) errors.push(`--${name}: expected a number >= ${min}, got "${text}"`);
    return value;
  };
  const profileText = values.profile ?? (quick ? 'fast' : 'lan');
  if (!isBenchProfile(profileText)) errors.push(`--profile: one of ${BENCH_PROFILES.join(', ')}, got "${profileText}"`);
  const profile: BenchProfile = isBenchProfile(profileText) ? profileText : 'lan';
  const nodesText = values.nodes ?? (quick ? '5' : '10,50,200');
  const nodes = nodesText === 'none' ? [] : nodesText.split(',').map(Number);
  if (nodes.some((n) => !Number.isInteger(n) || n < 3)) errors.push(`--nodes: integers >= 3, got "${values.nodes}"`);
  const modes = (values.modes ?? 'in-process,multi-process').split(',');
  const validModes = modes.filter((m): m is Mode => m === 'in-process' || m === 'multi-process');
  if (validModes.length !== modes.length) errors.push(`--modes: in-process and/or multi-process, got "${values.modes}"`);
  const systems = (values.systems ?? 'gossipd,serf').split(',');
  if (systems.length === 0 || systems.some((system) => system !== 'gossipd' && system !== 'serf')) {
    errors.push(`--systems: gossipd and/or serf, got "${values.systems}"`);
  }
  const probeS = protocolOptions(profile).probeIntervalMs / 1000;
  const settings: Settings = {
    quick,
    nodes,
    profile,
    modes: validModes,
    gossipd: systems.includes('gossipd'),
    serf: systems.includes('serf') && !values['no-serf'],
    trials: number('trials', values.trials, 5, 2, 1),
    steadySeconds: number('steady-seconds', values['steady-seconds'], 60, 2, 1),
    querySeconds: number('query-seconds', values['query-seconds'], 5, 0.5, 0.1),
    queryConcurrency: number('concurrency', values.concurrency, 16, 8, 1),
    spawnRuns: number('spawn-runs', values['spawn-runs'], 20, 1, 1),
    pauseSeconds: number('pause-seconds', values['pause-seconds'], 5 * probeS, 5 * probeS, 0),
    pauseTrials: number('pause-trials', values['pause-trials'], 3, 1, 1),
    lossPercent: number('loss', values.loss, 10, 10, 0),
    lossSeconds: number('loss-seconds', values['loss-seconds'], 60, 3, 1),
    capacity: number('capacity', values.capacity, 1000, 20, 0),
    capacityAttempts: number('capacity-attempts', values['capacity-attempts'], 3, 1, 1),
    stabilitySeconds: number('stability-seconds', values['stability-seconds'], 300, 2, 1),
    outDir: values.out ?? defaultOutDir,
    netns: !values['no-netns'],
    seed: number('seed', values.seed, Date.now() % 2 ** 31, Date.now() % 2 ** 31),
  };
  if (settings.lossPercent >= 100) errors.push('--loss: below 100');
  return errors.length > 0 ? { error: errors.join('\n') } : settings;
}
