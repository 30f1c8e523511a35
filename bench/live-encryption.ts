// Encryption switched on live at scale: N gossipd agents in this one Node.js process over real
// UDP on 127.0.0.1 start in plaintext; agent 0 runs keys install → use → enforce (as
// `gossipd keys` does through its HTTP endpoint) while every agent's membership events are
// counted. A control window of the same length before the switch measures what the machine
// alone causes (one loaded process carrying N agents can starve them), so that suspicions the
// switch itself caused stand apart.
//
// Run: npm run build && npm run bench:build &&
//   node .bench-build/bench/live-encryption.js [--nodes 1000] [--profile tolerance] [--watch-seconds 30] [--out DIR]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createAgent, type Agent } from '../src/agent/index.js';
import { resolveConfig } from '../src/config.js';
import { generateKey } from '../src/crypto/keys.js';
import type { KeyOp } from '../src/protocol/messages.js';
import { isBenchProfile, timingFlags, type BenchProfile } from './timing.js';

const ENCRYPTION_DROPS = ['decrypt-failed', 'not-encrypted', 'unexpected-encryption'] as const;

interface Window {
  readonly label: string;
  readonly seconds: number;
  readonly suspicionsStarted: number;
  readonly suspectEvents: number;
  readonly failedEvents: number;
  readonly encryptionDrops: number;
  /** Event-loop delay of the one process carrying every agent over the window (ms). */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

interface Step {
  readonly op: KeyOp;
  readonly ms: number;
  readonly ok: boolean;
  readonly responded: number;
  readonly members: number;
  readonly modes: Record<string, number>;
  readonly error?: string;
}

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    profile: { type: 'string', default: 'tolerance' },
    'watch-seconds': { type: 'string', default: '30' },
    out: { type: 'string', default: 'bench/results/2026-12-02/live-encryption' },
  },
});
const N = Number(values.nodes);
const PROFILE = values.profile ?? 'tolerance';
const WATCH_S = Number(values['watch-seconds']);
if (!isBenchProfile(PROFILE)) throw new Error(`unknown profile ${PROFILE}`);

const agents: Agent[] = [];
let suspectEvents = 0;
let failedEvents = 0;
const doubted = new Set<string>();

function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString()}] ${message}\n`);
}

async function startAgent(index: number, profile: BenchProfile): Promise<Agent> {
  const name = `n${index}`;
  const seed = agents.length === 0 ? [] : [agents[Math.floor(Math.random() * agents.length)]?.boundAddresses.udp ?? ''];
  const resolved = resolveConfig({
    flags: { name, bind: '127.0.0.1:0', http: '127.0.0.1:0', cluster: 'live-encryption', logLevel: 'silent', join: seed, ...timingFlags(profile) },
    env: {},
    readFile: () => '{}',
    hostname: name,
  });
  if (!resolved.ok) throw new Error(resolved.errors.join('; '));
  // Every agent watches its loop as a real one does (it is what keeps a starved process from
  // blaming its peers); only agent 0 serves HTTP.
  const agent = createAgent(resolved.value, { http: index === 0, monitorLoopDelay: true });
  await agent.start();
  agent.events.subscribe(null, {
    onItem: (item) => {
      if (item.kind !== 'event') return;
      const { type } = item.event;
      if (type === 'member-suspect' || type === 'member-failed') {
        if (type === 'member-suspect') suspectEvents++;
        else failedEvents++;
        doubted.add(`${name} doubted ${'member' in item.event ? String(item.event.member) : '?'} (${type})`);
      }
    },
    onEnd: () => undefined,
  });
  return agent;
}

function totals(): { suspicionsStarted: number; encryptionDrops: number } {
  let suspicionsStarted = 0;
  let encryptionDrops = 0;
  for (const agent of agents) {
    suspicionsStarted += agent.protocol.stats.suspicionsStarted;
    for (const reason of ENCRYPTION_DROPS) encryptionDrops += agent.drops[reason];
  }
  return { suspicionsStarted, encryptionDrops };
}

function converged(): boolean {
  // Sampled: every 10th observer must see every member alive (a full N² check per poll is itself a load).
  for (let i = 0; i < agents.length; i += 10) {
    const alive = (agents[i] as Agent).protocol.members().filter((member) => member.status === 'alive').length;
    if (alive !== agents.length) return false;
  }
  return true;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function measure(label: string, seconds: number, during: () => Promise<void>): Promise<Window> {
  const before = totals();
  const [suspects, failures] = [suspectEvents, failedEvents];
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  const t0 = performance.now();
  await during();
  const rest = seconds * 1000 - (performance.now() - t0);
  if (rest > 0) await sleep(rest);
  const after = totals();
  loop.disable();
  return {
    label,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    suspicionsStarted: after.suspicionsStarted - before.suspicionsStarted,
    suspectEvents: suspectEvents - suspects,
    failedEvents: failedEvents - failures,
    encryptionDrops: after.encryptionDrops - before.encryptionDrops,
    loopDelayP99Ms: Math.round(loop.percentile(99) / 1e6),
    loopDelayMaxMs: Math.round(loop.max / 1e6),
  };
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const load = loadavg();
  log(`starting ${N} agents (profile ${PROFILE})`);
  const t0 = performance.now();
  // The first alone, then 25 at a time, each joining a random agent already running.
  agents.push(await startAgent(0, PROFILE as BenchProfile));
  for (let i = 1; i < N; i += 25) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 25); j++) batch.push(startAgent(j, PROFILE as BenchProfile));
    agents.push(...(await Promise.all(batch)));
    if (agents.length % 100 === 1) log(`${agents.length} started`);
  }
  const deadline = performance.now() + 600_000;
  while (!converged() && performance.now() < deadline) await sleep(1000);
  const convergeS = (performance.now() - t0) / 1000;
  if (!converged()) throw new Error(`${N} agents did not converge within 10 min`);
  log(`converged in ${convergeS.toFixed(1)} s; settling until the loop is calm`);
  // A freshly converged 1,000-member process is still busy for minutes (full-state exchanges):
  // measure once its event loop keeps up (p99 delay under 250 ms over 10 s), at most 10 min.
  const settleStart = performance.now();
  const settleWindows: number[] = [];
  for (;;) {
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    await sleep(10_000);
    loop.disable();
    const p99 = Math.round(loop.percentile(99) / 1e6);
    settleWindows.push(p99);
    log(`settling: loop delay p99 ${p99} ms`);
    if (p99 < 250 || performance.now() - settleStart > 600_000) break;
  }
  const settleS = Math.round((performance.now() - settleStart) / 1000);
  suspectEvents = 0;
  failedEvents = 0;
  doubted.clear();

  const control = await measure('control (no key operation)', WATCH_S, async () => undefined);
  log(`control: ${JSON.stringify(control)}`);

  const origin = agents[0] as Agent;
  const key = generateKey();
  const steps: Step[] = [];
  const run = async (op: KeyOp, argument: string | null): Promise<void> => {
    const s0 = performance.now();
    const outcome = await origin.keys(op, argument);
    const ms = Math.round(performance.now() - s0);
    if (!outcome.ok) {
      steps.push({ op, ms, ok: false, responded: 0, members: 0, modes: {}, error: outcome.error });
      throw new Error(`${op} refused: ${outcome.error}`);
    }
    const report = outcome.value;
    const modes: Record<string, number> = {};
    for (const node of report.nodes) if (node.mode !== undefined) modes[node.mode] = (modes[node.mode] ?? 0) + 1;
    steps.push({ op, ms, ok: report.ok, responded: report.responded, members: report.members, modes });
    log(`${op}: ${ms} ms, ${report.responded}/${report.members} answered, ok ${report.ok}, modes ${JSON.stringify(modes)}`);
    if (!report.ok) throw new Error(`${op}: ${report.nodes.filter((node) => !node.ok).slice(0, 5).map((node) => `${node.name}: ${node.error}`).join('; ')}`);
  };
  const switchWindow = await measure('switch-on (list, install, use, enforce) and after', WATCH_S, async () => {
    await run('list', null);
    await run('install', key);
    await run('use', key);
    await run('enforce', null);
  });
  log(`switch: ${JSON.stringify(switchWindow)}`);
  const relaxWindow = await measure('relax and after', Math.max(10, WATCH_S / 3), async () => {
    await run('relax', null);
  });
  const enforcedAtEnd = agents.filter((agent) => agent.protocol.members().length === N).length;
  const result = {
    startedAt,
    command: `node .bench-build/bench/live-encryption.js --nodes ${N} --profile ${PROFILE} --watch-seconds ${WATCH_S}`,
    machine: { cores: cpus().length, memoryGB: Math.round(totalmem() / 2 ** 30), loadAverageAtStart: load.map((v) => Math.round(v * 100) / 100) },
    members: N,
    mode: 'in-process: every agent in this one Node.js process, real UDP on 127.0.0.1, loop-delay monitor on',
    profile: PROFILE,
    convergeSeconds: Math.round(convergeS * 10) / 10,
    settleSeconds: settleS,
    settleLoopDelayP99Ms: settleWindows,
    steps,
    switchSeconds: Math.round(steps.filter((step) => step.op !== 'relax' && step.op !== 'list').reduce((sum, step) => sum + step.ms, 0) / 100) / 10,
    windows: [control, switchWindow, relaxWindow],
    doubted: [...doubted].slice(0, 50),
    agentsSeeingAllMembers: enforcedAtEnd,
  };
  const outDir = values.out ?? '.';
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `live-encryption-n${N}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${file}`);
  await Promise.all(agents.map((agent) => agent.stop()));
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    await Promise.all(agents.map((agent) => agent.stop()));
    process.exit(1);
  },
);
