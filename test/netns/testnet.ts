import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Real hosts for tests: K Linux network namespaces, each with one veth "cable" to a switch.
 *
 *   host ns "<prefix>-h<i>": eth0 = 10.77.0.<i+1>/24, lo up (the agent's HTTP lives there)
 *   switch ns "<prefix>-sw": one bridge per segment (br<s>), port h<i> for each host; with
 *       several segments, each bridge has a trunk (t<s>a ↔ t<s>b) to a core bridge (brc)
 *
 * Everything lives in namespaces created here; the machine's own network is never touched.
 * Cutting a trunk partitions a segment from the rest; cutting a host's port unplugs that host.
 * Names carry the creating process id, so leftovers of a crashed run are found and removed.
 */

const BIN = fileURLToPath(new URL('../../bin/gossipd.js', import.meta.url));
const NAME_PREFIX = 'gsdt';
const SUBNET = '10.77.0';

/** Why these tests cannot run here, or null when they can. */
export function netnsUnavailableReason(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return 'needs root to create network namespaces, veth pairs and bridges (CI runs as root)';
  }
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return 'needs iproute2 (the `ip` command)';
  const probe = `${NAME_PREFIX}-probe-${process.pid}`;
  const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (added.status !== 0) return `cannot create a network namespace: ${added.stderr.trim()}`;
  const bridge = spawnSync('ip', ['-n', probe, 'link', 'add', 'br0', 'type', 'bridge'], { encoding: 'utf8' });
  spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  if (bridge.status !== 0) return `cannot create a bridge in a namespace: ${bridge.stderr.trim()}`;
  return null;
}

function ip(args: readonly string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim() || `exit ${String(result.status)}`}`);
}

function namespaces(): string[] {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return listed.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills what still runs in a namespace (its agents), then deletes it. Never throws. */
function removeNamespace(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  for (const pid of pids.stdout.split('\n').map(Number).filter((n) => n > 0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

/** Removes namespaces left by test runs whose process is gone (a crash, a killed CI job). */
export function removeLeftovers(): string[] {
  const removed: string[] = [];
  for (const ns of namespaces()) {
    const match = new RegExp(`^${NAME_PREFIX}-(\\d+)-`).exec(ns);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || alive(pid)) continue;
    removeNamespace(ns);
    removed.push(ns);
  }
  return removed;
}

export interface TestHost {
  readonly index: number;
  readonly ns: string;
  /** The host's address on the test network. */
  readonly addr: string;
  readonly segment: number;
}

export class TestNet {
  readonly hosts: readonly TestHost[];
  private readonly switchNs: string;
  private readonly segments: number;
  private readonly agents: TestAgent[] = [];
  private destroyed = false;
  private readonly onExit = (): void => this.destroySync();

  /** `segmentOf[i]`: the segment host i is plugged into (default: all on segment 0). */
  constructor(hostCount: number, segmentOf: readonly number[] = []) {
    const prefix = `${NAME_PREFIX}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
    this.switchNs = `${prefix}-sw`;
    this.hosts = Array.from({ length: hostCount }, (_, index) => ({
      index,
      ns: `${prefix}-h${index}`,
      addr: `${SUBNET}.${index + 1}`,
      segment: segmentOf[index] ?? 0,
    }));
    this.segments = Math.max(1, ...this.hosts.map((h) => h.segment + 1));
    // Last resort if the test process exits without afterAll (the next run also cleans up).
    process.once('exit', this.onExit);
    try {
      this.build();
    } catch (error) {
      this.destroySync();
      throw error;
    }
  }

  private build(): void {
    const sw = this.switchNs;
    ip(['netns', 'add', sw]);
    ip(['-n', sw, 'link', 'set', 'lo', 'up']);
    for (let s = 0; s < this.segments; s++) {
      // STP off and no forwarding delay: a port passes traffic as soon as it is up.
      ip(['-n', sw, 'link', 'add', `br${s}`, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
      ip(['-n', sw, 'link', 'set', `br${s}`, 'up']);
    }
    if (this.segments > 1) {
      ip(['-n', sw, 'link', 'add', 'brc', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
      ip(['-n', sw, 'link', 'set', 'brc', 'up']);
      for (let s = 0; s < this.segments; s++) {
        ip(['-n', sw, 'link', 'add', `t${s}a`, 'type', 'veth', 'peer', 'name', `t${s}b`]);
        ip(['-n', sw, 'link', 'set', `t${s}a`, 'master', `br${s}`, 'up']);
        ip(['-n', sw, 'link', 'set', `t${s}b`, 'master', 'brc', 'up']);
      }
    }
    for (const host of this.hosts) {
      ip(['netns', 'add', host.ns]);
      ip(['-n', host.ns, 'link', 'set', 'lo', 'up']);
      // Both ends are created inside namespaces: nothing appears in the machine's own.
      ip(['-n', sw, 'link', 'add', `h${host.index}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns]);
      ip(['-n', sw, 'link', 'set', `h${host.index}`, 'master', `br${host.segment}`, 'up']);
      ip(['-n', host.ns, 'addr', 'add', `${host.addr}/24`, 'dev', 'eth0']);
      ip(['-n', host.ns, 'link', 'set', 'eth0', 'up']);
    }
  }

  /** Unplugs a segment from the others (a partition), or plugs it back. */
  setSegmentLink(segment: number, up: boolean): void {
    if (this.segments < 2) throw new Error('a single segment cannot be partitioned');
    for (const end of [`t${segment}a`, `t${segment}b`]) ip(['-n', this.switchNs, 'link', 'set', end, up ? 'up' : 'down']);
  }

  /** Pulls a host's cable at the switch, or plugs it back. */
  setHostLink(index: number, up: boolean): void {
    ip(['-n', this.switchNs, 'link', 'set', `h${index}`, up ? 'up' : 'down']);
  }

  /** Starts `gossipd agent` inside a host's namespace: UDP on its address, HTTP on its own loopback. */
  startAgent(index: number, args: readonly string[]): Promise<TestAgent> {
    const host = this.hosts[index];
    if (host === undefined) throw new Error(`no host ${index}`);
    const child = spawn(
      'ip',
      ['netns', 'exec', host.ns, process.execPath, BIN, 'agent', '--name', `h${index}`, '--bind', `${host.addr}:7946`, '--http', '127.0.0.1:7947', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const agent = new TestAgent(`h${index}`, host, child);
    this.agents.push(agent);
    return agent.running;
  }

  /** Runs the CLI inside a host's namespace (its agent's HTTP is on that namespace's loopback). */
  cli(index: number, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const host = this.hosts[index];
    if (host === undefined) throw new Error(`no host ${index}`);
    const child = spawn('ip', ['netns', 'exec', host.ns, process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  }

  /** Stops every agent and removes every namespace (and with them every veth and bridge). */
  async destroy(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.kill()));
    this.destroySync();
  }

  private destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.off('exit', this.onExit);
    for (const agent of this.agents) agent.child.kill('SIGKILL');
    for (const host of this.hosts) removeNamespace(host.ns);
    removeNamespace(this.switchNs);
  }
}

export interface StatusChange {
  readonly atMs: number;
  readonly subject: string;
  readonly from: string;
  readonly to: string;
  /** Who caused it: the member that suspected or declared it failed, or the member itself. */
  readonly by: string;
}

/** One agent process in a namespace, and what its logs say it sees. */
export class TestAgent {
  /** Status changes it logged, in order (performance.now() of the test process). */
  readonly changes: StatusChange[] = [];
  readonly running: Promise<TestAgent>;
  private readonly statuses = new Map<string, string>();
  private stderr = '';
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly host: TestHost,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.running = new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        if (entry['msg'] === 'agent running') resolve(this);
        const subject = entry['member'];
        const to = entry['to'];
        if (typeof subject === 'string' && typeof to === 'string' && typeof entry['from'] === 'string') {
          this.statuses.set(subject, to);
          if (entry['from'] !== to) this.changes.push({ atMs: performance.now(), subject, from: entry['from'], to, by: String(entry['by']) });
        }
      });
      void this.exited.then(() => reject(new Error(`agent ${name} exited before running: ${this.stderr}`)));
    });
  }

  /** How this agent sees `subject`, from its logs (every status change is logged at info). */
  statusOf(subject: string): string | undefined {
    return this.statuses.get(subject);
  }

  kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    return this.exited;
  }
}
