// gossipd, many agents in this one Node.js process over real UDP on 127.0.0.1. Only the first
// agent serves HTTP and watches event-loop delay; the rest run with { http: false,
// monitorLoopDelay: false }, as the embedding docs allow.
import { performance } from 'node:perf_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';
import { createAgent, type Agent, type AgentDeps } from '../src/agent/index.js';
import { resolveConfig } from '../src/config.js';
import { pick, type Cluster, type Pacing, type Usage } from './cluster.js';
import { onOurLogLine } from './log-events.js';
import { ourMembersCommand } from './cluster-ours.js';
import { timingFlags, type BenchProfile } from './timing.js';
import { ViewTracker } from './tracker.js';

export class InProcessCluster implements Cluster {
  readonly system = 'gossipd';
  readonly mode = 'in-process';
  readonly tracker = new ViewTracker();
  readonly pacing: Pacing = { concurrent: 25, pauseMs: 250 };
  private readonly agents = new Map<string, Agent>();
  private readonly stoppedAgents: Agent[] = [];
  private counter = 0;
  /** Per-datagram loss each way (AgentDeps.lossRate is read on every datagram). */
  private lossEachWay = 0;

  constructor(
    private readonly profile: BenchProfile,
    private readonly random: () => number,
  ) {}

  live(): readonly string[] {
    return [...this.agents.keys()];
  }

  async add(): Promise<string> {
    const name = `g${this.counter++}`;
    const running = [...this.agents.values()];
    const first = running.length === 0;
    const seed = first ? [] : [pick(running, this.random).boundAddresses.udp];
    // The same path as `gossipd agent`: flags through resolveConfig, every other key at its default.
    const resolved = resolveConfig({
      flags: { name, bind: '127.0.0.1:0', http: '127.0.0.1:0', cluster: 'bench', logLevel: 'info', join: seed, ...timingFlags(this.profile) },
      env: {},
      readFile: () => '{}',
      hostname: name,
    });
    if (!resolved.ok) throw new Error(`bench agent config: ${resolved.errors.join('; ')}`);
    const cluster = this;
    const deps: AgentDeps = {
      logger: this.logger(name),
      http: first,
      monitorLoopDelay: first,
      get lossRate(): number {
        return cluster.lossEachWay;
      },
    };
    const agent = createAgent(resolved.value, deps);
    this.tracker.addObserver(name);
    try {
      await agent.start();
    } catch (error) {
      this.tracker.removeObserver(name);
      throw error;
    }
    // Only started agents are offered as seeds (their port is known only now).
    this.agents.set(name, agent);
    return name;
  }

  async crash(name: string): Promise<void> {
    const agent = this.take(name);
    await agent.stop();
  }

  async pause(_name: string, ms: number): Promise<string> {
    // One event loop carries every agent: blocking it freezes them all, as a GC pause would.
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy: a blocked event loop
    }
    return `the whole process (all ${this.agents.size} agents, event loop blocked)`;
  }

  leave(name: string): void {
    void this.take(name).leave();
  }

  async setLoss(fraction: number): Promise<string | null> {
    // lossRate drops on send and on receive, so a datagram between two agents survives with
    // (1 - r)²; choose r so that the end-to-end loss is `fraction`.
    this.lossEachWay = 1 - Math.sqrt(1 - fraction);
    return `gossipd lossRate fault injection (${(this.lossEachWay * 100).toFixed(2)} % each way = ${(fraction * 100).toFixed(1)} % per datagram)`;
  }

  usage(): Usage {
    const cpu = process.cpuUsage();
    let datagrams = 0;
    let bytes = 0;
    let beforeLoss = 0;
    for (const agent of this.agents.values()) {
      datagrams += agent.sent.datagrams;
      bytes += agent.sent.bytes;
      beforeLoss += agent.protocol.stats.packetsSent;
    }
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssBytes: [process.memoryUsage().rss],
      sent: { datagrams, bytes, beforeLoss },
    };
  }

  quiet(): boolean {
    for (const agent of this.agents.values()) if (agent.protocol.queueDepth > 0) return false;
    return true;
  }

  /** The UDP address of a random running agent, for an outside agent to join through. */
  seedAddress(): string {
    return pick([...this.agents.values()], this.random).boundAddresses.udp;
  }

  membersUrl(): string | null {
    const first = this.agents.values().next().value;
    return first === undefined ? null : `http://${first.boundAddresses.http}/v1/members`;
  }

  membersCommand(): { command: string; args: readonly string[] } {
    const first = this.agents.values().next().value;
    return ourMembersCommand(first?.boundAddresses.http ?? '127.0.0.1:0');
  }

  async close(): Promise<void> {
    this.lossEachWay = 0;
    const all = [...this.agents.values(), ...this.stoppedAgents];
    this.agents.clear();
    await Promise.all(all.map((agent) => agent.stop()));
  }

  private take(name: string): Agent {
    const agent = this.agents.get(name);
    if (agent === undefined) throw new Error(`no running agent ${name}`);
    this.agents.delete(name);
    this.stoppedAgents.push(agent);
    this.tracker.removeObserver(name);
    return agent;
  }

  /** Each agent's info log goes straight into the tracker, in the same tick as the change. */
  private logger(name: string): Logger {
    const sink: DestinationStream = {
      write: (line: string) => onOurLogLine(this.tracker, name, line, performance.now()),
    };
    return pino({ level: 'info', base: { name }, timestamp: false }, sink);
  }
}
