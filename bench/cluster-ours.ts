// gossipd as in production: one `node bin/gossipd.js agent` process per member, on 127.0.0.1
// with ports picked by the OS (port 0), read back from the "agent running" log line.
import { startAgentProcess } from './agent-process.js';
import { pick } from './cluster.js';
import { onOurLogLine } from './log-events.js';
import { GOSSIPD_BIN } from './paths.js';
import { ProcessCluster } from './process-cluster.js';
import { agentFlags, type BenchProfile } from './timing.js';


export function ourMembersCommand(http: string): { command: string; args: readonly string[] } {
  return { command: process.execPath, args: [GOSSIPD_BIN, 'members', '--json', '--http', http] };
}

interface Bound {
  readonly udp: string;
  readonly http: string;
}

export class OurProcessCluster extends ProcessCluster<Bound> {
  readonly system = 'gossipd';
  protected readonly leaveSignal = 'SIGINT';
  private counter = 0;

  constructor(
    private readonly profile: BenchProfile,
    private readonly random: () => number,
    /** Where the first agent joins: another cluster's agent (UDP host:port), or nowhere. */
    private readonly externalSeed: string | null = null,
    private readonly namePrefix = 'g',
  ) {
    super();
  }

  async add(): Promise<string> {
    const name = `${this.namePrefix}${this.counter++}`;
    const running = [...this.agents.values()];
    const seed = running.length === 0 ? this.externalSeed : pick(running, this.random).ready.udp;
    const join = seed === null ? [] : ['--join', seed];
    this.tracker.addObserver(name);
    try {
      const agent = await startAgentProcess<Bound>({
        name,
        command: process.execPath,
        args: [
          GOSSIPD_BIN, 'agent',
          '--name', name,
          '--bind', '127.0.0.1:0',
          '--http', '127.0.0.1:0',
          '--cluster', 'bench',
          '--log-level', 'info',
          ...agentFlags(this.profile),
          ...join,
        ],
        onLine: (line, atMs) => onOurLogLine(this.tracker, name, line, atMs),
        readyFrom: (line) => {
          if (!line.includes('"msg":"agent running"')) return null;
          const entry = JSON.parse(line) as { udp?: unknown; http?: unknown };
          return { udp: String(entry.udp), http: String(entry.http) };
        },
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
    const first = this.first();
    return first === undefined ? null : `http://${first.ready.http}/v1/members`;
  }

  membersCommand(): { command: string; args: readonly string[] } {
    return ourMembersCommand(this.first()?.ready.http ?? '127.0.0.1:0');
  }
}
