// HashiCorp Serf (Debian package `serf`, 0.9.4), one `serf agent` per member on 127.0.0.1, with
// explicit ports below 32768. Membership is read from its own log lines, as for gossipd.
import { spawnSync } from 'node:child_process';
import { startAgentProcess } from './agent-process.js';
import { pick } from './cluster.js';
import { onSerfLogLine } from './log-events.js';
import type { PortAllocator } from './ports.js';
import { ProcessCluster } from './process-cluster.js';
import type { ProfileName } from '../src/protocol/options.js';

interface SerfPorts {
  readonly bind: string;
  readonly rpc: string;
}

/** Serf's version (the Debian package's when known: Debian's 0.9.4 build calls itself 0.8.2-dev), or null when not installed. */
export function serfVersion(): string | null {
  const result = spawnSync('serf', ['version'], { encoding: 'utf8' });
  if (result.status !== 0) return null;
  const reported = (result.stdout.split('\n')[0] ?? '').trim();
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'serf'], { encoding: 'utf8' });
  return dpkg.status === 0 && dpkg.stdout !== '' ? `serf ${dpkg.stdout.trim()} (Debian package; binary reports "${reported}")` : reported;
}

export class SerfCluster extends ProcessCluster<SerfPorts> {
  readonly system = 'serf';
  protected readonly leaveSignal = 'SIGINT';
  private counter = 0;

  constructor(
    private readonly profile: ProfileName,
    private readonly ports: PortAllocator,
    private readonly random: () => number,
    /** How long a memberlist suspicion can last: repeated "Suspect X" lines within it are one. */
    private readonly suspicionSpanMs: number,
  ) {
    super();
  }

  async add(): Promise<string> {
    const name = `s${this.counter++}`;
    const running = [...this.agents.values()];
    const join = running.length === 0 ? [] : ['-join', pick(running, this.random).ready.bind];
    const ports: SerfPorts = { bind: `127.0.0.1:${await this.ports.take()}`, rpc: `127.0.0.1:${await this.ports.take()}` };
    const lastSuspected = new Map<string, number>();
    this.tracker.addObserver(name);
    try {
      const agent = await startAgentProcess<SerfPorts>({
        name,
        command: 'serf',
        args: ['agent', '-node', name, '-bind', ports.bind, '-rpc-addr', ports.rpc, '-profile', this.profile, '-log-level', 'info', ...join],
        onLine: (line, atMs) => onSerfLogLine(this.tracker, name, line, atMs, lastSuspected, this.suspicionSpanMs),
        readyFrom: (line) => (line.includes('Serf agent running!') ? ports : null),
        startTimeoutMs: 60_000,
      });
      this.register(agent);
    } catch (error) {
      this.tracker.removeObserver(name);
      throw error;
    }
    return name;
  }

  membersUrl(): string | null {
    return null;
  }

  membersCommand(): { command: string; args: readonly string[] } {
    return { command: 'serf', args: ['members', '-rpc-addr', this.first()?.ready.rpc ?? '127.0.0.1:0', '-format=json'] };
  }
}
