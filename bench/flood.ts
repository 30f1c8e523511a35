// Local flood: how many valid-looking datagrams per second can be thrown at one agent before it
// misses its own probes or its peers see it suspect or failed?
//
// The target agent runs in this process (so its counters can be read directly), two peers run
// as `gossipd agent` processes and report what they see of it through their logs, and a flooder
// child process sends pre-encoded valid packets (pings, acks, suspicions of unknown members,
// syncs, ping-reqs) from one or several source ports at a fixed rate, stage by stage.
//
// With --encrypt, the cluster encrypts (the target holds --keys keys, the peers the first) and
// --junk makes the flooder send random bytes behind the envelope's version byte, which no key
// opens: the costliest datagram an agent can receive (one failed AES-GCM open per key).
//
// Run: npm run bench:flood [-- --seconds 5 --rates 0,5000,20000,50000,100000,max --sources 1,32 --no-limits]
//        [--encrypt --keys 2 --junk] [--timing fast|slow] [--out DIR]
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createAgent, type Agent } from '../src/agent/index.js';
import { DEFAULT_RECEIVE_LIMITS } from '../src/agent/receive-limiter.js';
import { createCodec } from '../src/codec/index.js';
import { defaultConfig, EXPERIMENT_TIMING, type AgentConfig } from '../src/config.js';
import type { Message } from '../src/protocol/messages.js';
import { incarnation, nodeName, seqNo } from '../src/protocol/types.js';
import { openUdpTransport } from '../src/transport/udp.js';

const CLUSTER = 'bench-flood';
const BIN = fileURLToPath(new URL('../../bin/gossipd.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const FAST = ['--profile', 'local', '--probe-interval', '200ms', '--probe-timeout', '100ms', '--gossip-interval', '50ms', '--suspicion-mult', '4'];
/**
 * --timing slow: what test/e2e/flood.test.ts runs (a 2.5 s minimum suspicion instead of 0.8 s),
 * so that on a shared, oversubscribed machine a process that is simply not scheduled for a few
 * hundred ms does not count as the flood's doing.
 */
const SLOW = ['--profile', 'local', '--probe-interval', '500ms', '--probe-timeout', '250ms', '--gossip-interval', '50ms', '--suspicion-mult', '5'];
const SLOW_TIMING = { probeIntervalMs: 500, probeTimeoutMs: 250, suspicionMult: 5 };
let peerTiming = FAST;

// ─── Flooder child ────────────────────────────────────────────────────────────────────────

/** Valid-looking packets a hostile or broken host could send: each one decodes fine. */
function floodPackets(target: string): Uint8Array[] {
  const codec = createCodec({ cluster: CLUSTER });
  const packets: Uint8Array[] = [];
  for (let i = 0; i < 256; i++) {
    const kind = i % 10;
    let messages: Message[];
    if (kind < 4) messages = [{ type: 'ping', seq: seqNo(i), target: nodeName(target) }];
    else if (kind < 6) messages = [{ type: 'ack', seq: seqNo(1_000_000 + i) }];
    else if (kind < 8) messages = [{ type: 'suspect', name: nodeName(`ghost-${i}`), incarnation: incarnation(i), from: nodeName(`ghost-${i + 1}`) }];
    else if (kind < 9) messages = [{ type: 'sync', digest: i, members: 3, join: false }];
    else messages = [{ type: 'ping-req', seq: seqNo(i), target: nodeName(`ghost-${i}`), targetAddr: { host: '127.0.0.1', port: 9 }, wantNack: true }];
    packets.push(Uint8Array.from(codec.encode(messages)));
  }
  return packets;
}

/** Random datagrams that look encrypted (envelope version byte 0x81) and that no key opens. */
function junkPackets(): Uint8Array[] {
  return Array.from({ length: 256 }, (_unused, i) => {
    const packet = randomBytes(60 + (i % 140));
    packet[0] = 0x81;
    return Uint8Array.from(packet);
  });
}

async function runFlooder(args: readonly string[]): Promise<void> {
  const [host = '127.0.0.1', portText = '0', rateText = '0', secondsText = '5', sourcesText = '1', target = 'target', kind = 'valid'] = args;
  const port = Number(portText);
  const rate = rateText === 'max' ? Infinity : Number(rateText);
  const durationMs = Number(secondsText) * 1000;
  const packets = kind === 'junk' ? junkPackets() : floodPackets(target);
  const sockets = await Promise.all(
    Array.from({ length: Number(sourcesText) }, async () => {
      const socket = createSocket('udp4');
      socket.on('error', () => undefined); // ICMP and buffer errors: the flood goes on
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      return socket;
    }),
  );
  let sent = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const elapsedMs = performance.now() - started;
      if (elapsedMs >= durationMs) return resolve();
      const due = rate === Infinity ? sent + 64 : Math.floor((rate * elapsedMs) / 1000);
      for (let burst = Math.min(due - sent, 512); burst > 0; burst--) {
        const socket = sockets[sent % sockets.length];
        const packet = packets[sent % packets.length];
        if (socket !== undefined && packet !== undefined) socket.send(packet, port, host);
        sent++;
      }
      // At a fixed rate, sleep between bursts so the flooder does not eat a core the agents need.
      if (rate === Infinity) setImmediate(tick);
      else setTimeout(tick, 1);
    };
    tick();
  });
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const socket of sockets) socket.close();
  process.stdout.write(`${JSON.stringify({ sent, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
}

// ─── Peers ───────────────────────────────────────────────────────────────────────────────

interface Peer {
  readonly name: string;
  readonly child: ChildProcess;
  /** Status changes this peer logged about the target: [time, status]. */
  readonly seen: Array<readonly [number, string]>;
}

function startPeer(name: string, seed: string, targetName: string, key: string | null): Promise<Peer> {
  const child = spawn(process.execPath, [BIN, 'agent', '--name', name, '--bind', '127.0.0.1:0', '--http', '127.0.0.1:0', '--cluster', CLUSTER, '--join', seed, ...peerTiming], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // The key goes in the environment, never in argv.
    env: key === null ? process.env : { ...process.env, GOSSIPD_ENCRYPT: key },
  });
  const peer: Peer = { name, child, seen: [] };
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (entry['msg'] === 'agent running') resolve(peer);
      if (entry['member'] === targetName && typeof entry['to'] === 'string' && entry['from'] !== entry['to']) {
        peer.seen.push([performance.now(), entry['to']]);
      }
    });
    child.once('exit', (code) => reject(new Error(`peer ${name} exited with ${code}`)));
  });
}

// ─── Main ────────────────────────────────────────────────────────────────────────────────

interface Options {
  readonly seconds: number;
  readonly rates: readonly string[];
  readonly sources: readonly number[];
  readonly limits: boolean;
  readonly encrypt: boolean;
  readonly keys: number;
  readonly junk: boolean;
  readonly out: string | null;
  readonly timing: 'fast' | 'slow';
}

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string, fallback: string): string => {
    const at = argv.indexOf(flag);
    return at >= 0 ? (argv[at + 1] ?? fallback) : fallback;
  };
  return {
    seconds: Number(value('--seconds', '5')),
    rates: value('--rates', '0,5000,20000,50000,100000,max').split(','),
    sources: value('--sources', '1,32').split(',').map(Number),
    limits: !argv.includes('--no-limits'),
    encrypt: argv.includes('--encrypt'),
    keys: Number(value('--keys', '1')),
    junk: argv.includes('--junk'),
    out: argv.includes('--out') ? value('--out', '.') : null,
    timing: value('--timing', 'fast') === 'slow' ? 'slow' : 'fast',
  };
}

function targetConfig(keyringFile: string | null, timing: 'fast' | 'slow'): AgentConfig {
  return defaultConfig('target', {
    keyringFile,
    ...EXPERIMENT_TIMING,
    ...(timing === 'slow' ? SLOW_TIMING : {}),
    profile: 'local',
    bind: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    cluster: CLUSTER,
    logLevel: 'silent',
  });
}

interface FloodOutcome {
  readonly sent: number;
  readonly elapsedMs: number;
  /** CPU time the flooder used (its own process). */
  readonly cpuMs: number;
}

function flood(udp: string, rate: string, seconds: number, sources: number, kind: 'valid' | 'junk'): Promise<FloodOutcome> {
  const [host = '127.0.0.1', port = '0'] = udp.split(':');
  const child = spawn(process.execPath, [SELF, '--flooder', host, port, rate, String(seconds), String(sources), 'target', kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      try {
        resolve(JSON.parse(out) as FloodOutcome);
      } catch {
        reject(new Error(`flooder exited with ${code}: ${out}`));
      }
    }),
  );
}

interface StageResult {
  readonly rate: string;
  readonly sources: number;
  readonly offeredPerSec: number;
  readonly readPerSec: number;
  readonly handledPerSec: number;
  readonly limitedPerSec: number;
  /** Datagrams no installed key opened (each cost one failed AES-GCM open per key), per second. */
  readonly decryptFailedPerSec: number;
  /** CPU used by the target's process (the agent) and by the flooder, in % of one core. */
  readonly targetCpuPct: number;
  readonly flooderCpuPct: number;
  readonly probes: number;
  readonly probesFailed: number;
  readonly suspicionsByTarget: number;
  readonly peersSawTarget: string[];
  readonly targetSawPeers: string[];
  readonly stayedAlive: boolean;
}

async function runStage(
  target: Agent,
  peers: readonly Peer[],
  reads: () => number,
  rate: string,
  sources: number,
  seconds: number,
  kind: 'valid' | 'junk',
): Promise<StageResult> {
  const core = target.protocol;
  const before = {
    reads: reads(),
    received: core.stats.packetsReceived,
    limited: target.drops['rate-limited'],
    decryptFailed: target.drops['decrypt-failed'],
    probes: core.stats.probes,
    probesFailed: core.stats.probesFailed,
    suspicions: core.stats.suspicionsStarted,
    seen: peers.map((p) => p.seen.length),
  };
  const cpuBefore = process.cpuUsage();
  const targetSaw = new Set<string>();
  const watch = setInterval(() => {
    for (const peer of peers) {
      const status = target.member(peer.name)?.status;
      if (status !== undefined && status !== 'alive') targetSaw.add(`${peer.name}:${status}`);
    }
  }, 50);
  const result = rate === '0' ? await idle(seconds) : await flood(target.boundAddresses.udp, rate, seconds, sources, kind);
  const cpu = process.cpuUsage(cpuBefore);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // a suspicion started late still shows
  clearInterval(watch);
  const perSec = (n: number): number => Math.round((n * 1000) / result.elapsedMs);
  const peersSaw = peers.flatMap((p, i) => p.seen.slice(before.seen[i]).map(([, status]) => `${p.name}:${status}`));
  return {
    rate,
    sources,
    offeredPerSec: perSec(result.sent),
    readPerSec: perSec(reads() - before.reads),
    handledPerSec: perSec(core.stats.packetsReceived - before.received),
    limitedPerSec: perSec(target.drops['rate-limited'] - before.limited),
    decryptFailedPerSec: perSec(target.drops['decrypt-failed'] - before.decryptFailed),
    targetCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / result.elapsedMs) * 100),
    flooderCpuPct: Math.round((result.cpuMs / result.elapsedMs) * 100),
    probes: core.stats.probes - before.probes,
    probesFailed: core.stats.probesFailed - before.probesFailed,
    suspicionsByTarget: core.stats.suspicionsStarted - before.suspicions,
    peersSawTarget: peersSaw,
    targetSawPeers: [...targetSaw],
    stayedAlive: !peersSaw.some((s) => s.endsWith(':failed')),
  };
}

async function idle(seconds: number): Promise<FloodOutcome> {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return { sent: 0, elapsedMs: seconds * 1000, cpuMs: 0 };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  let datagramsRead = 0;
  const keys = Array.from({ length: options.encrypt ? Math.max(1, options.keys) : 0 }, () => randomBytes(32).toString('base64'));
  const keyDir = mkdtempSync(join(tmpdir(), 'gossipd-flood-'));
  let keyringFile: string | null = null;
  if (options.encrypt) {
    keyringFile = join(keyDir, 'keyring.json');
    writeFileSync(keyringFile, JSON.stringify({ keys }), { mode: 0o600 });
  }
  peerTiming = options.timing === 'slow' ? SLOW : FAST;
  const target = createAgent(targetConfig(keyringFile, options.timing), {
    http: false,
    ...(options.limits ? {} : { receiveLimits: { perSourceRatePerSec: 1e12, perSourceBurst: 1e12, strangersRatePerSec: 1e12, strangersBurst: 1e12 } }),
    openTransport: (transport) =>
      openUdpTransport({
        ...transport,
        onDatagram: (bytes, from, atMs) => {
          datagramsRead++;
          transport.onDatagram(bytes, from, atMs);
        },
      }),
  });
  await target.start();
  const peers: Peer[] = [];
  try {
    for (const name of ['peer-1', 'peer-2']) peers.push(await startPeer(name, target.boundAddresses.udp, 'target', keys[0] ?? null));
    const deadline = Date.now() + 20_000;
    while (!peers.every((p) => target.member(p.name)?.status === 'alive') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const cpu = cpus()[0]?.model ?? 'unknown cpu';
    // The load average shows whether other work shared the machine (it skews every figure).
    console.log(`# flood bench: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`# receive limits: ${options.limits ? JSON.stringify(DEFAULT_RECEIVE_LIMITS) : 'off'}; ${options.seconds} s per stage`);
    console.log(`# encryption: ${options.encrypt ? `on, target holds ${keys.length} keys` : 'off'}; flood: ${options.junk ? 'random junk behind the envelope byte' : 'valid-looking packets'}`);
    console.log('rate\tsources\toffered/s\tread/s\thandled/s\tlimited/s\tdecrypt-failed/s\tcpu%\tflood-cpu%\tprobes\tfailed\tsuspected-by-target\tpeers-saw-target\ttarget-saw-peers');
    const results: StageResult[] = [];
    for (const sources of options.sources) {
      for (const [index, rate] of options.rates.entries()) {
        // One leading idle stage is enough; a trailing one (e.g. --rates 0,max,0) catches late failures.
        if (rate === '0' && index === 0 && sources !== options.sources[0]) continue;
        const r = await runStage(target, peers, () => datagramsRead, rate, sources, options.seconds, options.junk ? 'junk' : 'valid');
        results.push(r);
        console.log(
          [r.rate, r.sources, r.offeredPerSec, r.readPerSec, r.handledPerSec, r.limitedPerSec, r.decryptFailedPerSec, r.targetCpuPct, r.flooderCpuPct, r.probes, r.probesFailed, r.suspicionsByTarget, r.peersSawTarget.join(',') || '-', r.targetSawPeers.join(',') || '-'].join('\t'),
        );
        // Let a suspicion from the previous stage settle before the next.
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
    const resultsDir = options.out === null ? fileURLToPath(new URL('../../bench/results/', import.meta.url)) : `${options.out}/`;
    mkdirSync(resultsDir, { recursive: true });
    const variant = `${options.timing}-${options.limits ? 'limits' : 'nolimits'}${options.encrypt ? `-encrypted-${keys.length}keys` : ''}${options.junk ? '-junk' : ''}`;
    const file = `${resultsDir}flood-${variant}.json`;
    const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAverage: loadavg() };
    writeFileSync(file, `${JSON.stringify({ machine, argv: process.argv.slice(2), options, results }, null, 1)}\n`);
    console.log(`# written ${file}`);
  } finally {
    for (const peer of peers) peer.child.kill('SIGKILL');
    await target.stop();
    rmSync(keyDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--flooder') await runFlooder(process.argv.slice(3));
else await main();
