// The footprint of one agent (issue 12): idle RSS of a lone `gossipd agent`, the start-up
// latency of the client commands next to a bare `node -e 0`, then one agent that learns
// MEMBERS members from a fake peer: memory per known member and GET /v1/members latency.
//
// Run: npm run bench:footprint [-- --members 10000 --port-base 23000 --runs 20 --requests 200
//        --idle-seconds 30 --settle-seconds 20 --tags role=web,zone=a --agent-node-flags '…' --out DIR]
//
// Everything is on 127.0.0.1, in ports PORT_BASE .. PORT_BASE+499 (each helper of the project
// has its own range). The fake peer is FEEDER_SOCKETS UDP sockets of this process, each holding
// MEMBERS / FEEDER_SOCKETS members: it sends their `state` (the codec's own encoding, as a
// push-pull answer would), acks every ping, and refutes every suspicion, so they stay alive.
// Members share those addresses: the agent's address index then has FEEDER_SOCKETS entries, not
// one per member; the summary says so.
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startAgentProcess, stopProcess, type AgentProcess } from './agent-process.js';
import { spawnTracked, killHard } from './children.js';
import { GOSSIPD_BIN, REPO_ROOT } from './paths.js';
import { machineCpuTicks, processCpuMs } from './procfs.js';
import { percentile, round } from './stats.js';
import { sleep } from './wait.js';
import { createCodec, LIMITS } from '../src/codec/index.js';
import type { MemberState, Message } from '../src/protocol/messages.js';
import { incarnation, nodeName, type Incarnation, type NodeName } from '../src/protocol/types.js';

const CLUSTER = 'bench-footprint';
const GC_PROBE = fileURLToPath(new URL('./gc-probe.js', import.meta.url));
const FEEDER_SOCKETS = 400;
/** A packet's budget for the fake peer's `state` chunks: the agent's default maxPacketSize. */
const PACKET_BYTES = 1400;

interface Options {
  readonly members: number;
  readonly portBase: number;
  readonly runs: number;
  readonly requests: number;
  readonly idleSeconds: number;
  readonly settleSeconds: number;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Another build's bin/gossipd.js (e.g. the commit before this work, built under /tmp): its
   * lone agent and its client commands are measured in the same rounds, next to this build's.
   */
  readonly baselineBin: string | null;
  /** Extra node flags for both agents (e.g. "--max-semi-space-size=2"), to see what V8 tuning buys. */
  readonly agentNodeFlags: readonly string[];
  readonly out: string;
}

function parseArgs(argv: readonly string[]): Options {
  const value = (flag: string, fallback: string): string => {
    const at = argv.indexOf(flag);
    return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1]! : fallback;
  };
  const tagsText = value('--tags', 'role=web,zone=a');
  const tags = Object.fromEntries(
    tagsText === '' ? [] : tagsText.split(',').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  return {
    members: Number(value('--members', '10000')),
    portBase: Number(value('--port-base', '23000')),
    runs: Number(value('--runs', '20')),
    requests: Number(value('--requests', '200')),
    idleSeconds: Number(value('--idle-seconds', '30')),
    settleSeconds: Number(value('--settle-seconds', '20')),
    tags,
    baselineBin: value('--baseline-bin', '') === '' ? null : value('--baseline-bin', ''),
    agentNodeFlags: value('--agent-node-flags', '').split(' ').filter((flag) => flag !== ''),
    out: value('--out', `${REPO_ROOT}bench/results/2026-12-02/footprint`),
  };
}

// ─── Process memory ───────────────────────────────────────────────────────────────────────

interface Rss {
  readonly rssKb: number;
  readonly anonKb: number;
  readonly fileKb: number;
}

function readRss(pid: number): Rss | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), anonKb: field('RssAnon'), fileKb: field('RssFile') };
}

/** One RSS sample a second for `seconds`; the median of each field over the last half. */
async function sampleRss(pid: number, seconds: number): Promise<{ samples: Rss[]; settled: Rss }> {
  const samples: Rss[] = [];
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    const rss = readRss(pid);
    if (rss !== null) samples.push(rss);
  }
  const tail = samples.slice(Math.floor(samples.length / 2));
  const median = (pick: (rss: Rss) => number): number => percentile(tail.map(pick), 50) ?? NaN;
  return { samples, settled: { rssKb: median((r) => r.rssKb), anonKb: median((r) => r.anonKb), fileKb: median((r) => r.fileKb) } };
}

interface HeapProbe {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** SIGUSR2 to an agent started with the gc probe; its answer line on stderr. */
function probeHeap(agent: AgentProcess<unknown>): Promise<HeapProbe> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no gc-probe answer within 10 s')), 10_000);
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const match = /gc-probe (\{.*\})\n/.exec(buffered);
      if (match === null) return;
      clearTimeout(timer);
      agent.child.stderr?.off('data', onData);
      resolve(JSON.parse(match[1]!) as HeapProbe);
    };
    agent.child.stderr?.on('data', onData);
    agent.child.kill('SIGUSR2');
  });
}

// ─── Agents ───────────────────────────────────────────────────────────────────────────────

function startAgent(name: string, udpPort: number, httpPort: number, nodeFlags: readonly string[], bin = GOSSIPD_BIN): Promise<AgentProcess<true>> {
  return startAgentProcess({
    name,
    command: process.execPath,
    args: [...nodeFlags, bin, 'agent', '--name', name, '--bind', `127.0.0.1:${udpPort}`, '--http', `127.0.0.1:${httpPort}`, '--cluster', CLUSTER],
    onLine: () => undefined,
    readyFrom: (line) => (line.includes('"msg":"agent running"') ? true : null),
    startTimeoutMs: 30_000,
  });
}

/** A process that only idles, for the reference RSS of Node itself, sampled alongside. */
function startIdleNode(): ReturnType<typeof spawnTracked> {
  return spawnTracked(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

/**
 * The floor under any agent: an ES module that opens what an agent opens, an HTTP server and a
 * UDP socket on 127.0.0.1, and does nothing else.
 */
function startSocketsOnlyNode(): ReturnType<typeof spawnTracked> {
  const code = "import { createServer } from 'node:http'; import { createSocket } from 'node:dgram'; createServer().listen(0, '127.0.0.1'); createSocket('udp4').bind(0, '127.0.0.1');";
  return spawnTracked(process.execPath, ['--input-type=module', '-e', code], { stdio: 'ignore' });
}

// ─── CLI start-up ─────────────────────────────────────────────────────────────────────────

interface Timing {
  readonly label: string;
  readonly command: string;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly minMs: number;
  /**
   * User + system CPU time (GNU time, 10 ms steps), median: what a quiet machine's wall time
   * would be made of, barely moved by other processes' load. Null without /usr/bin/time.
   */
  readonly cpuMedianMs: number | null;
  readonly runs: number;
}

const GNU_TIME = '/usr/bin/time';

/** Interleaved rounds, so that every command sees the same machine load; wall time per run. */
function timeCommands(commands: ReadonlyArray<readonly [string, readonly string[]]>, runs: number): Timing[] {
  const times = commands.map((): number[] => []);
  const cpu = commands.map((): number[] => []);
  const cpuFile = `${tmpdir()}/footprint-cpu-${process.pid}.txt`;
  const measureCpu = existsSync(GNU_TIME);
  for (let round = 0; round < runs; round++) {
    commands.forEach(([, argv], index) => {
      const wrapped = measureCpu ? [GNU_TIME, '-f', '%U %S', '-o', cpuFile, ...argv] : [...argv];
      const start = performance.now();
      const result = spawnSync(wrapped[0]!, wrapped.slice(1), { stdio: 'ignore', cwd: REPO_ROOT });
      times[index]!.push(performance.now() - start);
      if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}`);
      if (measureCpu) {
        const [user = NaN, system = NaN] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number);
        cpu[index]!.push((user + system) * 1000);
      }
    });
  }
  if (measureCpu) rmSync(cpuFile, { force: true });
  return commands.map(([label, argv], index) => ({
    label,
    command: argv.map((arg) => arg.replace(REPO_ROOT, '')).join(' '),
    medianMs: round(percentile(times[index]!, 50) ?? NaN, 1),
    p90Ms: round(percentile(times[index]!, 90) ?? NaN, 1),
    minMs: round(Math.min(...times[index]!), 1),
    cpuMedianMs: measureCpu ? round(percentile(cpu[index]!, 50) ?? NaN, 0) : null,
    runs,
  }));
}

// ─── The fake peer ────────────────────────────────────────────────────────────────────────

interface Feeder {
  readonly sockets: readonly Socket[];
  /** Sends the state of every member of the first `socketCount` fake peers (all by default) once, paced. */
  feed(target: number, socketCount?: number): Promise<void>;
  readonly counts: { acks: number; refutes: number; received: number };
  close(): void;
}

async function startFeeder(options: Options): Promise<Feeder> {
  const codec = createCodec({ cluster: CLUSTER });
  const counts = { acks: 0, refutes: 0, received: 0 };
  const perSocket = Math.ceil(options.members / FEEDER_SOCKETS);
  const incarnations = new Map<NodeName, Incarnation>();
  const sockets: Socket[] = [];
  const owned: MemberState[][] = [];
  for (let s = 0; s < FEEDER_SOCKETS; s++) {
    const port = options.portBase + 50 + s;
    const socket = createSocket('udp4');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const members: MemberState[] = [];
    for (let m = 0; m < perSocket && s * perSocket + m < options.members; m++) {
      const name = nodeName(`member-${String(s * perSocket + m).padStart(5, '0')}`);
      incarnations.set(name, incarnation(1));
      members.push({ name, addr: { host: '127.0.0.1', port }, incarnation: incarnation(1), status: 'alive', tags: options.tags });
    }
    owned.push(members);
    socket.on('message', (packet, from) => {
      counts.received++;
      const decoded = codec.decode(packet);
      if (!decoded.ok) return;
      const answers: Message[] = [];
      for (const message of decoded.value) {
        if (message.type === 'ping') {
          answers.push({ type: 'ack', seq: message.seq });
          counts.acks++;
        } else if (message.type === 'suspect' || message.type === 'failed') {
          const current = incarnations.get(message.name);
          if (current === undefined || message.incarnation < current) continue;
          const next = incarnation(message.incarnation + 1);
          incarnations.set(message.name, next);
          answers.push({ type: 'alive', name: message.name, incarnation: next, addr: { host: '127.0.0.1', port }, tags: options.tags });
          counts.refutes++;
        }
      }
      for (let i = 0; i < answers.length; i += LIMITS.maxMessagesPerPacket) {
        socket.send(codec.encode(answers.slice(i, i + LIMITS.maxMessagesPerPacket)), from.port, from.address);
      }
    });
    sockets.push(socket);
  }
  const packets = owned.map((members) => statePackets(codec, members.map((member) => ({ ...member, incarnation: incarnations.get(member.name)! }))));
  return {
    sockets,
    counts,
    async feed(target: number, socketCount = sockets.length): Promise<void> {
      for (let s = 0; s < Math.min(socketCount, sockets.length); s++) {
        for (const packet of packets[s]!) sockets[s]!.send(packet, target, '127.0.0.1');
        // About 1,000 datagrams a second: inside the agent's receive budget for strangers.
        if (s % 10 === 9) await sleep(10);
      }
    },
    close(): void {
      for (const socket of sockets) socket.close();
    },
  };
}

/** `state` packets of at most PACKET_BYTES, as the agent itself would chunk its table. */
function statePackets(codec: ReturnType<typeof createCodec>, members: readonly MemberState[]): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let chunk: MemberState[] = [];
  const encode = (list: MemberState[]): Uint8Array => Uint8Array.from(codec.encode([{ type: 'state', full: false, members: list }]));
  for (const member of members) {
    const candidate = [...chunk, member];
    if (chunk.length > 0 && encode(candidate).byteLength > PACKET_BYTES) {
      packets.push(encode(chunk));
      chunk = [member];
    } else {
      chunk = candidate;
    }
  }
  if (chunk.length > 0) packets.push(encode(chunk));
  return packets;
}

// ─── HTTP ─────────────────────────────────────────────────────────────────────────────────

const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 1 });

/** The body stays bytes: decoding 1.5 MB into a string would add to every timed request. */
function get(port: number, path: string): Promise<{ status: number; bytes: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, agent: keepAlive }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 0, bytes: body.byteLength, body });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function aliveCount(httpPort: number): Promise<number> {
  const health = JSON.parse((await get(httpPort, '/v1/health')).body.toString()) as { members: { alive: number } };
  return health.members.alive;
}

/** One request at a time, each timed from send to the last byte. */
async function timeListing(httpPort: number, requests: number): Promise<{ p50Ms: number; p99Ms: number; maxMs: number; firstMs: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < requests; i++) {
    const start = performance.now();
    const answer = await get(httpPort, '/v1/members');
    times.push(performance.now() - start);
    if (answer.status !== 200) throw new Error(`GET /v1/members answered ${answer.status}`);
    bytes = answer.bytes;
  }
  return {
    firstMs: round(times[0]!, 2),
    p50Ms: round(percentile(times, 50)!, 2),
    p99Ms: round(percentile(times, 99)!, 2),
    maxMs: round(Math.max(...times), 2),
    bytes,
  };
}

// ─── Main ─────────────────────────────────────────────────────────────────────────────────

interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly loadAvg: readonly number[];
}

function machine(): Machine {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    loadAvg: loadavg().map((value) => round(value, 2)),
  };
}

async function cpuIdleShare(windowMs: number): Promise<number | null> {
  const before = machineCpuTicks();
  await sleep(windowMs);
  const after = machineCpuTicks();
  if (before === null || after === null || after.total === before.total) return null;
  return round((after.idle - before.idle) / (after.total - before.total), 2);
}

function log(text: string): void {
  process.stderr.write(`footprint: ${text}\n`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const result = await measure(options);
  mkdirSync(options.out, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  writeFileSync(`${options.out}/footprint-${stamp}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = summarize(result);
  writeFileSync(`${options.out}/footprint-${stamp}.md`, markdown);
  process.stdout.write(markdown);
  log(`wrote ${options.out}/footprint-${stamp}.json and .md`);
}

async function measure(options: Options) {
  const startedAt = new Date().toISOString();
  const machineBefore = { ...machine(), cpuIdleShare: await cpuIdleShare(3000) };
  const [udpA, httpA, udpB, httpB] = [options.portBase, options.portBase + 1, options.portBase + 2, options.portBase + 3];

  // 1. A lone agent, idle, next to a Node process that does nothing (and the baseline's agent).
  log(`lone agent: sampling RSS for ${options.idleSeconds} s`);
  const lone = await startAgent('lone', udpA, httpA, options.agentNodeFlags);
  const baseline = options.baselineBin === null ? null : await startAgent('baseline', udpA + 4, httpA + 4, options.agentNodeFlags, options.baselineBin);
  // What V8's optimising compilers cost an idle agent: the same agent without them.
  const jitless = await startAgent('jitless', udpA + 6, httpA + 6, [...options.agentNodeFlags, '--jitless']);
  const bare = startIdleNode();
  const socketsOnly = startSocketsOnlyNode();
  const [loneRss, bareRss, baselineRss, socketsOnlyRss, jitlessRss] = await Promise.all([
    sampleRss(lone.pid, options.idleSeconds),
    sampleRss(bare.pid!, options.idleSeconds),
    baseline === null ? null : sampleRss(baseline.pid, options.idleSeconds),
    sampleRss(socketsOnly.pid!, options.idleSeconds),
    sampleRss(jitless.pid, options.idleSeconds),
  ]);
  killHard(bare);
  killHard(socketsOnly);
  await stopProcess(jitless.child, 'SIGKILL', 5000);

  // 2. Client start-up next to bare Node, against the lone agent.
  log(`CLI start-up: ${options.runs} interleaved rounds`);
  const node = process.execPath;
  const commands: Array<readonly [string, readonly string[]]> = [
    ['node -e 0', [node, '-e', '0']],
    ['gossipd --help', [node, GOSSIPD_BIN, '--help']],
    ['gossipd members', [node, GOSSIPD_BIN, 'members', '--http', `127.0.0.1:${httpA}`]],
  ];
  if (options.baselineBin !== null) {
    commands.push(['baseline --help', [node, options.baselineBin, '--help']]);
    commands.push(['baseline members', [node, options.baselineBin, 'members', '--http', `127.0.0.1:${httpA}`]]);
  }
  const timings = timeCommands(commands, options.runs);
  const bareMs = timings[0]!.medianMs;
  await stopProcess(lone.child, 'SIGKILL', 5000);
  if (baseline !== null) await stopProcess(baseline.child, 'SIGKILL', 5000);

  // 3. One agent learns MEMBERS members.
  log(`big table: one agent learns ${options.members} members from ${FEEDER_SOCKETS} fake peer sockets`);
  const big = await startAgent('big', udpB, httpB, [...options.agentNodeFlags, '--expose-gc', '--import', GC_PROBE]);
  const feeder = await startFeeder(options);
  const emptyRss = await sampleRss(big.pid, 10);
  const emptyHeap = await probeHeap(big);
  // Half the table first: the heap's growth from half to full is the cost of a member, without
  // what the first members bring once (code compiled for the paths they take, caches, queues).
  const halfSockets = Math.floor(FEEDER_SOCKETS / 2);
  let alive = 0;
  for (let attempt = 0; attempt < 20 && alive < Math.floor(options.members / 2) + 1; attempt++) {
    await feeder.feed(udpB, halfSockets);
    await sleep(2000);
    alive = await aliveCount(httpB);
    log(`  half, attempt ${attempt + 1}: ${alive} alive`);
  }
  await sleep(options.settleSeconds * 1000);
  const halfHeap = await probeHeap(big);
  const learnedHalf = (await aliveCount(httpB)) - 1;
  const feedStart = performance.now();
  for (let attempt = 0; attempt < 20 && alive < options.members + 1; attempt++) {
    await feeder.feed(udpB);
    await sleep(2000);
    alive = await aliveCount(httpB);
    log(`  attempt ${attempt + 1}: ${alive} alive`);
  }
  const learnedMs = performance.now() - feedStart;
  log(`settling ${options.settleSeconds} s`);
  const cpuBeforeMs = processCpuMs(big.pid) ?? NaN;
  const fullRss = await sampleRss(big.pid, options.settleSeconds);
  const cpuMsPerS = ((processCpuMs(big.pid) ?? NaN) - cpuBeforeMs) / options.settleSeconds;
  const fullHeap = await probeHeap(big);
  const aliveAfterSettle = await aliveCount(httpB);
  const learned = aliveAfterSettle - 1;
  const perMember = (before: number, after: number): number => round((after - before) / Math.max(1, learned), 0);

  // 4. GET /v1/members with the table full, one request at a time.
  log(`GET /v1/members: ${options.requests} requests, one at a time`);
  const listing = await timeListing(httpB, options.requests);
  const aliveAtEnd = await aliveCount(httpB);
  feeder.close();
  keepAlive.destroy();
  await stopProcess(big.child, 'SIGKILL', 5000);

  const result = {
    bench: 'agent-footprint',
    startedAt,
    command: `npm run bench:footprint -- ${process.argv.slice(2).join(' ')}`.trim(),
    machineBefore,
    machineAfter: { loadAvg: loadavg().map((value) => round(value, 2)) },
    options: { ...options, out: undefined, feederSockets: FEEDER_SOCKETS },
    idle: {
      seconds: options.idleSeconds,
      agent: loneRss.settled,
      bareNode: bareRss.settled,
      baselineAgent: baselineRss?.settled ?? null,
      socketsOnlyNode: socketsOnlyRss.settled,
      jitlessAgent: jitlessRss.settled,
      agentSamplesKb: loneRss.samples.map((sample) => sample.rssKb),
      targetKb: 45 * 1024,
    },
    cli: { timings, overBareMs: Object.fromEntries(timings.map((timing) => [timing.label, round(timing.medianMs - bareMs, 1)])), targetOverBareMs: 150 },
    table: {
      members: options.members,
      learned,
      learnedWithinMs: round(learnedMs, 0),
      aliveAtEnd: aliveAtEnd - 1,
      feeder: feeder.counts,
      rssEmpty: emptyRss.settled,
      rssFull: fullRss.settled,
      rssFullSamplesKb: fullRss.samples.map((sample) => sample.rssKb),
      heapEmpty: emptyHeap,
      heapFull: fullHeap,
      agentCpuMsPerSecond: round(cpuMsPerS, 1),
      rssBytesPerMember: perMember(emptyRss.settled.rssKb * 1024, fullRss.settled.rssKb * 1024),
      rssAfterGcBytesPerMember: perMember(emptyHeap.rss, fullHeap.rss),
      heapUsedBytesPerMember: perMember(emptyHeap.heapUsed, fullHeap.heapUsed),
      heapHalf: halfHeap,
      learnedHalf,
      heapUsedBytesPerMemberFromHalf: round((fullHeap.heapUsed - halfHeap.heapUsed) / Math.max(1, learned - learnedHalf), 0),
      externalBytesPerMember: perMember(emptyHeap.external, fullHeap.external),
      targetBytesPerMember: 500,
    },
    listing: { ...listing, requests: options.requests, targetP50Ms: 10 },
  };
  return result;
}

type Result = Awaited<ReturnType<typeof measure>>;

const mb = (kb: number): string => (kb / 1024).toFixed(1);

/** The figures a reader wants first, as markdown; the JSON next to it has every sample. */
function summarize(result: Result): string {
  const { idle, cli, table, listing } = result;
  const bareCpuMs = cli.timings[0]?.cpuMedianMs ?? null;
  const rows = cli.timings.map(
    (t) =>
      `| ${t.label} | ${t.medianMs} | ${t.p90Ms} | ${t.minMs} | ${cli.overBareMs[t.label]} | ${t.cpuMedianMs ?? '–'} | ${t.cpuMedianMs === null || bareCpuMs === null ? '–' : t.cpuMedianMs - bareCpuMs} |`,
  );
  return [
    `# Agent footprint, ${result.startedAt}`,
    '',
    `\`${result.command}\` on ${result.machineBefore.cpus} × ${result.machineBefore.cpuModel}, Node ${result.machineBefore.node},`,
    `load average ${result.machineBefore.loadAvg.join(' ')} before and ${result.machineAfter.loadAvg.join(' ')} after (CPU idle share before: ${String(result.machineBefore.cpuIdleShare)}).`,
    '',
    `## Lone agent, idle (median of the last ${Math.ceil(idle.seconds / 2)} of ${idle.seconds} one-second samples)`,
    '',
    '| process | RSS MB | anonymous MB | file-backed MB |',
    '|---|---|---|---|',
    `| gossipd agent | ${mb(idle.agent.rssKb)} | ${mb(idle.agent.anonKb)} | ${mb(idle.agent.fileKb)} |`,
    ...(idle.baselineAgent === null ? [] : [`| baseline agent | ${mb(idle.baselineAgent.rssKb)} | ${mb(idle.baselineAgent.anonKb)} | ${mb(idle.baselineAgent.fileKb)} |`]),
    `| gossipd agent under node --jitless | ${mb(idle.jitlessAgent.rssKb)} | ${mb(idle.jitlessAgent.anonKb)} | ${mb(idle.jitlessAgent.fileKb)} |`,
    `| node: an ES module with an HTTP server and a UDP socket, idle | ${mb(idle.socketsOnlyNode.rssKb)} | ${mb(idle.socketsOnlyNode.anonKb)} | ${mb(idle.socketsOnlyNode.fileKb)} |`,
    `| node -e 'setInterval(…)' | ${mb(idle.bareNode.rssKb)} | ${mb(idle.bareNode.anonKb)} | ${mb(idle.bareNode.fileKb)} |`,
    '',
    `## Client start-up (${cli.timings[0]?.runs ?? 0} interleaved rounds; wall ms, and user + system CPU ms in 10 ms steps)`,
    '',
    '| command | median | p90 | min | median over node -e 0 | CPU median | CPU over node -e 0 |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `## One agent that learns ${table.members} members`,
    '',
    `Learned ${table.learned} (the second half within ${table.learnedWithinMs} ms, after the first ${table.learnedHalf} settled); ${table.aliveAtEnd} alive at the end. Agent CPU while settled: ${table.agentCpuMsPerSecond} ms/s.`,
    '',
    '| per known member | bytes |',
    '|---|---|',
    `| RSS (median while settled, minus the same before) | ${table.rssBytesPerMember} |`,
    `| RSS right after a full GC, minus the same before | ${table.rssAfterGcBytesPerMember} |`,
    `| V8 heap in use after a full GC | ${table.heapUsedBytesPerMember} |`,
    `| V8 heap in use after a full GC, from ${table.learnedHalf} members to ${table.learned} (the marginal cost) | ${table.heapUsedBytesPerMemberFromHalf} |`,
    `| external (buffers) after a full GC | ${table.externalBytesPerMember} |`,
    '',
    `RSS ${mb(table.rssEmpty.rssKb)} MB before, ${mb(table.rssFull.rssKb)} MB after (median while settled).`,
    '',
    `## GET /v1/members at ${table.members} members, one request at a time (${listing.requests} requests)`,
    '',
    `p50 ${listing.p50Ms} ms, p99 ${listing.p99Ms} ms, max ${listing.maxMs} ms, first ${listing.firstMs} ms; ${listing.bytes} bytes each.`,
    '',
  ].join('\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`footprint: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
