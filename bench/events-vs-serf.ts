// User events and queries, gossipd against Serf, in the same run: N agents of each (one
// process per agent, 127.0.0.1, fixed ports from --port-base), one system at a time, both with
// memberlist's LAN timing (gossipd --profile lan, serf -profile lan).
//
//   npm run bench:build && node .bench-build/bench/events-vs-serf.js [--nodes 50] [--port-base 28000] [--out FILE]
//
// - event: one user event from the first agent until every agent has it. gossipd's is sent
//   with POST /v1/user-events, Serf's with its RPC `event` (what `serf event` uses); arrival is
//   each agent's own log line ("user event received" / "Received event: user-event: NAME"),
//   stamped as the bench reads it.
// - query: one query from the first agent to all, every agent answering with `echo ok` from a
//   handler (--on-query / -event-handler query:NAME=…): time until every agent has acked, and
//   until every agent has answered. gossipd through POST /v1/query?stream=1, Serf through its
//   RPC `query` (what `serf query` uses), both timed from the moment the request is written.
// - rate: events per second sent from the first agent for 5 s, rising; for each rate the
//   fewest of them any one other agent delivered within 15 s. The highest rate with none lost
//   is what one agent can fan out.
import { performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname, cpus } from 'node:os';
import { startAgentProcess, type AgentProcess } from './agent-process.js';
import { killHard } from './children.js';
import { GOSSIPD_BIN } from './paths.js';
import { percentile } from './stats.js';
import { SerfRpc } from './serf-rpc.js';
import { serfVersion } from './cluster-serf.js';

type System = 'gossipd' | 'serf';

interface Agent {
  readonly name: string;
  readonly process: AgentProcess<true>;
  readonly bind: string;
  /** gossipd: HTTP host:port; Serf: RPC host:port. */
  readonly control: string;
}

interface Arrivals {
  /** event name → agent → when its log line was read. */
  readonly byEvent: Map<string, Map<string, number>>;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? (args[at + 1] as string) : fallback;
};
const NODES = Number(option('--nodes', '50'));
const PORT_BASE = Number(option('--port-base', '28000'));
const OUT = option('--out', '');
const EVENT_REPEATS = Number(option('--event-repeats', '10'));
const QUERY_REPEATS = Number(option('--query-repeats', '5'));
const RATES = option('--rates', '10,25,50,100,200').split(',').map(Number);
const RATE_SECONDS = 5;

function say(text: string): void {
  process.stderr.write(`${new Date().toISOString()} ${text}\n`);
}

async function startCluster(system: System, arrivals: Arrivals): Promise<Agent[]> {
  const agents: Agent[] = [];
  const base = PORT_BASE + (system === 'gossipd' ? 0 : 400);
  const noteLine = (name: string, line: string, atMs: number): void => {
    let event: string | null = null;
    if (system === 'gossipd') {
      if (line.includes('"msg":"user event received"')) event = (JSON.parse(line) as { event?: string }).event ?? null;
    } else {
      const match = /Received event: user-event: (\S+)/.exec(line);
      if (match !== null) event = match[1] ?? null;
    }
    if (event === null) return;
    let byAgent = arrivals.byEvent.get(event);
    if (byAgent === undefined) {
      byAgent = new Map();
      arrivals.byEvent.set(event, byAgent);
    }
    if (!byAgent.has(name)) byAgent.set(name, atMs);
  };
  const start = async (i: number): Promise<Agent> => {
    const name = `${system === 'gossipd' ? 'g' : 's'}${i}`;
    const bind = `127.0.0.1:${base + i}`;
    const control = `127.0.0.1:${base + 200 + i}`;
    const seed = i === 0 ? null : (agents[Math.floor(Math.random() * Math.min(agents.length, i))]?.bind ?? `127.0.0.1:${base}`);
    const spec =
      system === 'gossipd'
        ? {
            command: process.execPath,
            args: [GOSSIPD_BIN, 'agent', '--name', name, '--bind', bind, '--http', control, '--cluster', 'bench', '--profile', 'lan', '--log-level', 'info', '--on-query', 'bench=echo ok', ...(seed === null ? [] : ['--join', seed])],
            ready: (line: string): true | null => (line.includes('"msg":"agent running"') ? true : null),
          }
        : {
            command: 'serf',
            args: ['agent', '-node', name, '-bind', bind, '-rpc-addr', control, '-profile', 'lan', '-log-level', 'info', '-event-handler', 'query:bench=echo ok', ...(seed === null ? [] : ['-join', seed])],
            ready: (line: string): true | null => (line.includes('Serf agent running!') ? true : null),
          };
    const process_ = await startAgentProcess<true>({
      name,
      command: spec.command,
      args: spec.args,
      onLine: (line, atMs) => noteLine(name, line, atMs),
      readyFrom: spec.ready,
      startTimeoutMs: 60_000,
    });
    return { name, process: process_, bind, control };
  };
  agents.push(await start(0));
  // Four starts at a time: starting node or serf binaries is itself the pacing on 2 cores.
  for (let i = 1; i < NODES; i += 4) {
    const batch = await Promise.all(Array.from({ length: Math.min(4, NODES - i) }, (_, k) => start(i + k)));
    agents.push(...batch);
  }
  return agents;
}

async function converged(system: System, agents: readonly Agent[]): Promise<boolean> {
  if (system === 'gossipd') {
    const counts = await Promise.all(
      agents.map(async (agent) => {
        try {
          const health = (await (await fetch(`http://${agent.control}/v1/health`)).json()) as { members: { alive: number } };
          return health.members.alive;
        } catch {
          return 0;
        }
      }),
    );
    return counts.every((count) => count === agents.length);
  }
  const counts = await Promise.all(agents.map((agent) => serfMembers(agent.control)));
  return counts.every((count) => count === agents.length);
}

/** Alive members as one Serf agent sees them, through `serf members` (a spawn: only while waiting to converge). */
async function serfMembers(rpc: string): Promise<number> {
  const { spawnSync } = await import('node:child_process');
  const result = spawnSync('serf', ['members', '-rpc-addr', rpc, '-status', 'alive'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim().split('\n').filter((line) => line.trim() !== '').length : 0;
}

async function sendEvent(system: System, agent: Agent, name: string, serf: SerfRpc | null): Promise<void> {
  if (system === 'gossipd') {
    const response = await fetch(`http://${agent.control}/v1/user-events`, { method: 'POST', body: JSON.stringify({ name, payload: 'p' }) });
    if (response.status !== 200) throw new Error(`event ${name}: HTTP ${response.status} ${await response.text()}`);
    return;
  }
  await serf?.call('event', { Name: name, Payload: Buffer.from('p'), Coalesce: false });
}

interface QueryRun {
  readonly allAckedMs: number | null;
  readonly allAnsweredMs: number | null;
  readonly acks: number;
  readonly responses: number;
}

async function runQuery(system: System, agent: Agent, serf: SerfRpc | null, count: number, name = 'bench'): Promise<QueryRun> {
  const acks = new Set<string>();
  const responses = new Set<string>();
  let allAckedMs: number | null = null;
  let allAnsweredMs: number | null = null;
  const t0 = performance.now();
  const note = (type: string, from: string, atMs: number): void => {
    if (type === 'ack') acks.add(from);
    if (type === 'response') responses.add(from);
    if (allAckedMs === null && acks.size === count) allAckedMs = atMs - t0;
    if (allAnsweredMs === null && responses.size === count) allAnsweredMs = atMs - t0;
  };
  if (system === 'gossipd') {
    const response = await fetch(`http://${agent.control}/v1/query?stream=1`, {
      method: 'POST',
      body: JSON.stringify({ name, payload: '', timeoutMs: 5000 }),
    });
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) break;
      const atMs = performance.now();
      text += decoder.decode(chunk.value, { stream: true });
      let end = text.indexOf('\n\n');
      while (end >= 0) {
        const frame = text.slice(0, end);
        text = text.slice(end + 2);
        const type = /^event: (\w+)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (type !== undefined && data !== undefined && (type === 'ack' || type === 'response')) note(type, (JSON.parse(data) as { from: string }).from, atMs);
        end = text.indexOf('\n\n');
      }
    }
  } else {
    await serf?.query(
      { FilterNodes: [], FilterTags: {}, RequestAck: true, RelayFactor: 0, Timeout: BigInt(5_000_000_000), Name: name, Payload: Buffer.alloc(0) },
      () => performance.now(),
      (record) => note(record.type, record.from, record.atMs),
    );
  }
  return { allAckedMs, allAnsweredMs, acks: acks.size, responses: responses.size };
}

async function measure(system: System): Promise<Record<string, unknown>> {
  const arrivals: Arrivals = { byEvent: new Map() };
  say(`${system}: starting ${NODES} agents`);
  const startedMs = performance.now();
  const agents = await startCluster(system, arrivals);
  const deadline = performance.now() + 120_000;
  while (!(await converged(system, agents))) {
    if (performance.now() > deadline) throw new Error(`${system}: not converged after 120 s`);
    await sleep(1000);
  }
  say(`${system}: converged ${Math.round(performance.now() - startedMs)} ms after the first start; settling 5 s`);
  await sleep(5000);
  const first = agents[0] as Agent;
  const serf = system === 'serf' ? await SerfRpc.open(first.control) : null;
  try {
    // 1. One event until every agent has it.
    const eventRuns: Array<{ allMs: number | null; p50Ms: number | null; reached: number }> = [];
    for (let i = 0; i < EVENT_REPEATS; i++) {
      const name = `lat-${i}`;
      const t0 = performance.now();
      await sendEvent(system, first, name, serf);
      await sleep(3000);
      const times = [...(arrivals.byEvent.get(name)?.values() ?? [])].map((atMs) => atMs - t0);
      eventRuns.push({ allMs: times.length === NODES ? Math.max(...times) : null, p50Ms: percentile(times, 50), reached: times.length });
    }
    const allMs = eventRuns.map((run) => run.allMs).filter((ms): ms is number => ms !== null);
    say(`${system}: event to all p50 ${percentile(allMs, 50)?.toFixed(0)} ms over ${allMs.length}/${EVENT_REPEATS}`);
    // 2. A query round trip to every agent.
    const queryRuns: QueryRun[] = [];
    for (let i = 0; i < QUERY_REPEATS; i++) {
      say(`${system}: query ${i}`);
      queryRuns.push(await runQuery(system, first, serf, NODES));
      await sleep(1000);
    }
    // The same with no handler anywhere: acks only, the protocol's own round trip without a fork per member.
    const ackOnlyRuns: QueryRun[] = [];
    for (let i = 0; i < QUERY_REPEATS; i++) {
      ackOnlyRuns.push(await runQuery(system, first, serf, NODES, 'nohandler'));
      await sleep(1000);
    }
    const ackOnlyMs = ackOnlyRuns.map((run) => run.allAckedMs).filter((ms): ms is number => ms !== null);
    say(`${system}: query without handlers, all acked p50 ${percentile(ackOnlyMs, 50)?.toFixed(0)} ms`);
    const ackedMs = queryRuns.map((run) => run.allAckedMs).filter((ms): ms is number => ms !== null);
    const answeredMs = queryRuns.map((run) => run.allAnsweredMs).filter((ms): ms is number => ms !== null);
    say(`${system}: query all acked p50 ${percentile(ackedMs, 50)?.toFixed(0)} ms, all answered p50 ${percentile(answeredMs, 50)?.toFixed(0)} ms`);
    // 3. Fan-out rate.
    const rateRuns: Array<{ ratePerS: number; sent: number; minDelivered: number; agentsMissingSome: number; sendSeconds: number }> = [];
    for (const rate of RATES) {
      const count = rate * RATE_SECONDS;
      const t0 = performance.now();
      const sends: Array<Promise<void>> = [];
      for (let k = 0; k < count; k++) {
        const dueMs = t0 + (k * 1000) / rate;
        const waitMs = dueMs - performance.now();
        if (waitMs > 0) await sleep(waitMs);
        sends.push(sendEvent(system, first, `r${rate}-${k}`, serf));
      }
      await Promise.all(sends);
      const sendSeconds = (performance.now() - t0) / 1000;
      await sleep(15_000);
      const delivered = new Map<string, number>(agents.map((agent) => [agent.name, 0]));
      for (let k = 0; k < count; k++) {
        for (const name of arrivals.byEvent.get(`r${rate}-${k}`)?.keys() ?? []) delivered.set(name, (delivered.get(name) ?? 0) + 1);
      }
      const others = [...delivered].filter(([name]) => name !== first.name).map(([, n]) => n);
      const run = { ratePerS: rate, sent: count, minDelivered: Math.min(...others), agentsMissingSome: others.filter((n) => n < count).length, sendSeconds };
      rateRuns.push(run);
      say(`${system}: ${rate}/s: ${count} sent in ${sendSeconds.toFixed(1)} s, fewest delivered by one agent ${run.minDelivered}, ${run.agentsMissingSome} agents missed some`);
    }
    const lossless = rateRuns.filter((run) => run.minDelivered === run.sent).map((run) => run.ratePerS);
    return {
      system,
      nodes: NODES,
      event: { runs: eventRuns, allP50Ms: percentile(allMs, 50), allMaxMs: allMs.length === 0 ? null : Math.max(...allMs), complete: allMs.length },
      query: {
        runs: queryRuns,
        allAckedP50Ms: percentile(ackedMs, 50),
        allAnsweredP50Ms: percentile(answeredMs, 50),
        ackOnlyRuns,
        ackOnlyAllAckedP50Ms: percentile(ackOnlyMs, 50),
      },
      rate: { runs: rateRuns, highestLosslessPerS: lossless.length === 0 ? null : Math.max(...lossless) },
    };
  } finally {
    serf?.close();
    for (const agent of agents) killHard(agent.process.child);
    await sleep(2000);
  }
}

const results: Record<string, unknown>[] = [];
const SYSTEMS = option('--systems', 'gossipd,serf').split(',') as System[];
for (const system of SYSTEMS) results.push(await measure(system));
const report = {
  command: `node .bench-build/bench/events-vs-serf.js ${args.join(' ')}`.trim(),
  machine: { host: hostname(), cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', node: process.version },
  serf: serfVersion(),
  profile: 'lan (gossipd --profile lan, serf -profile lan)',
  at: new Date().toISOString(),
  results,
};
const text = `${JSON.stringify(report, null, 2)}\n`;
if (OUT === '') process.stdout.write(text);
else writeFileSync(OUT, text);
process.exit(0);
