import { randomInt as cryptoRandomInt } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { createCodec, messageSize, PACKET_OVERHEAD_BYTES, type DropReason } from '../codec/index.js';
import { parseAddress } from '../config/address.js';
import type { AgentConfig } from '../config.js';
import { startHttpServer, type MembershipHttpServer } from '../http/server.js';
import type { MemberSnapshot, NodeEvent } from '../protocol/events.js';
import { GossipNode } from '../protocol/node.js';
import { seededRandom } from '../protocol/random.js';
import { addressKey, MEMBER_STATUSES, type Address, type MemberStatus } from '../protocol/types.js';
import type { Transport } from '../transport/transport.js';
import { openUdpTransport } from '../transport/udp.js';
import type { AgentApi, HealthView, MemberView, SelfView } from './api.js';
import { chooseAdvertiseAddress } from './advertise.js';
import { LoopDelayMonitor } from './loop-delay.js';

export interface AgentDeps {
  /** pino logger; the agent makes child loggers from it. Default: a silent logger. */
  readonly logger?: Logger;
  /**
   * Measure event-loop delay for local health (Lifeguard + Node.js). Default true. Agents
   * sharing one process can turn it off: the core still notices stalls from late timers.
   */
  readonly monitorLoopDelay?: boolean;
  /** Whether to serve the HTTP endpoint. Default true. */
  readonly http?: boolean;
  /**
   * Fault injection for benchmarks and tests: the fraction (0..1) of datagrams dropped, each
   * way, as if the network lost them. Default 0.
   */
  readonly lossRate?: number;
}

export interface Agent extends AgentApi {
  readonly name: string;
  /** Bind UDP and HTTP, start probing, contact the configured seeds (in the background). */
  start(): Promise<void>;
  /** Stop at once without telling anyone (as a crash would, but closing sockets). */
  stop(): Promise<void>;
  /** Resolves once the agent has stopped, by leave() or stop(). */
  readonly stopped: Promise<void>;
  /** The UDP and HTTP addresses actually bound (port 0 resolved). Valid after start(). */
  readonly boundAddresses: { readonly udp: string; readonly http: string };
  /** Datagrams dropped at the boundary, by reason. */
  readonly drops: Readonly<Record<DropReason, number>>;
  /** The protocol core, for embedding and tests. Valid after start(). */
  readonly core: GossipNode;
}

/** How long a graceful leave waits for `left` to be sent the full number of times. */
const LEAVE_TIMEOUT_MS = 5000;

/** Creates one daemon: protocol core + codec + UDP + HTTP + logs. No module-level state. */
export function createAgent(config: AgentConfig, deps: AgentDeps = {}): Agent {
  return new GossipAgent(config, deps);
}

class GossipAgent implements Agent {
  readonly name: string;
  readonly drops: Record<DropReason, number> = {
    'too-large': 0,
    'too-short': 0,
    'bad-version': 0,
    'wrong-cluster': 0,
    malformed: 0,
    'invalid-message': 0,
    'too-many-messages': 0,
  };
  readonly stopped: Promise<void>;

  private readonly log: Logger;
  private readonly codec;
  private readonly startedAtMs = Date.now();
  private node: GossipNode | undefined;
  private transport: Transport | undefined;
  private http: MembershipHttpServer | undefined;
  private loopMonitor: LoopDelayMonitor | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAtMs = Infinity;
  private state: 'new' | 'starting' | 'running' | 'leaving' | 'stopped' = 'new';
  private resolveStopped!: () => void;
  private readonly joinWaiters = new Map<number, (joined: number) => void>();
  private leaveWaiter: (() => void) | undefined;
  private sendErrors = 0;

  constructor(
    private readonly config: AgentConfig,
    private readonly deps: AgentDeps,
  ) {
    this.name = config.name;
    this.log = deps.logger ?? pino({ level: 'silent' });
    this.codec = createCodec({ cluster: config.cluster });
    this.stopped = new Promise((resolve) => {
      this.resolveStopped = resolve;
    });
  }

  get core(): GossipNode {
    if (this.node === undefined) throw new Error('agent not started');
    return this.node;
  }

  get boundAddresses(): { udp: string; http: string } {
    return {
      udp: this.transport === undefined ? '' : addressKey(this.transport.local),
      http: this.http === undefined ? '' : addressKey(this.http.address),
    };
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('agent already started');
    this.state = 'starting';
    try {
      await this.open();
    } catch (error) {
      await this.close();
      throw error;
    }
    this.state = 'running';
    if (this.config.join.length > 0) void this.joinAtStart();
  }

  private async open(): Promise<void> {
    const bindHost = await resolveHost(this.config.bind.host);
    this.transport = await openUdpTransport({
      bind: { host: bindHost, port: this.config.bind.port },
      nowMs,
      onDatagram: (bytes, from, receivedAtMs) => {
        if (!this.lose()) this.onDatagram(bytes, from, receivedAtMs);
      },
      onSendError: (error, to) => {
        this.sendErrors++;
        this.log.debug({ err: error.message, to: addressKey(to) }, 'send failed');
      },
    });
    const advertise = chooseAdvertiseAddress(this.config.advertise, this.transport.local, (message) =>
      this.log.warn(message),
    );
    this.node = new GossipNode(
      this.config,
      {
        name: this.config.name,
        addr: advertise,
        tags: this.config.tags,
        incarnation: Math.floor(Date.now() / 1000),
      },
      {
        random: seededRandom(cryptoRandomInt(2 ** 31)),
        messageSize,
        packetOverheadBytes: PACKET_OVERHEAD_BYTES,
        send: (to, messages) => {
          if (!this.lose()) this.transport?.send(to, this.codec.encode(messages));
        },
        onEvent: (event) => this.onEvent(event),
      },
    );
    this.node.start(nowMs());
    this.armTimer();
    if (this.deps.monitorLoopDelay !== false) {
      this.loopMonitor = new LoopDelayMonitor(this.config.probeIntervalMs, (delayMs) => {
        this.node?.noteLoopDelay(delayMs, nowMs());
        this.armTimer();
      });
    }
    if (this.deps.http !== false) {
      this.http = await startHttpServer(this, {
        host: this.config.http.host,
        port: this.config.http.port,
        logger: this.log.child({ component: 'http' }),
      });
    }
    this.log.info(
      {
        udp: addressKey(this.transport.local),
        advertise: addressKey(advertise),
        http: this.boundAddresses.http || null,
        cluster: this.config.cluster,
        profile: this.config.profile,
        incarnation: this.node.selfMember.incarnation,
      },
      'agent started',
    );
  }

  private async joinAtStart(): Promise<void> {
    try {
      const seeds = await this.resolveSeeds(this.config.join);
      if (this.state !== 'running') return;
      this.core.join(seeds, nowMs(), true);
      this.armTimer();
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'cannot resolve --join seeds');
    }
  }

  // ─── AgentApi ──────────────────────────────────────────────────────────────────────────

  members(): MemberView[] {
    if (this.node === undefined) return [];
    return this.node.members().map((m) => this.view(m));
  }

  member(name: string): MemberView | undefined {
    const member = this.node?.member(name);
    return member === undefined ? undefined : this.view(member);
  }

  self(): SelfView {
    const c = this.config;
    return {
      ...this.view(this.core.selfMember),
      healthScore: this.core.healthScore,
      config: {
        cluster: c.cluster,
        profile: c.profile,
        bind: this.boundAddresses.udp,
        advertise: addressKey(this.core.selfMember.addr),
        http: this.boundAddresses.http,
        join: c.join,
        probeIntervalMs: c.probeIntervalMs,
        probeTimeoutMs: c.probeTimeoutMs,
        suspicionMult: c.suspicionMult,
        gossipIntervalMs: c.gossipIntervalMs,
        maxPacketBytes: c.maxPacketBytes,
      },
    };
  }

  health(): HealthView {
    const members = Object.fromEntries(MEMBER_STATUSES.map((s) => [s, 0])) as Record<MemberStatus, number>;
    for (const m of this.node?.members() ?? []) members[m.status]++;
    return {
      status: this.state === 'leaving' ? 'leaving' : 'ok',
      name: this.name,
      uptimeMs: Date.now() - this.startedAtMs,
      healthScore: this.node?.healthScore ?? 0,
      members,
      droppedPackets: Object.values(this.drops).reduce((a, b) => a + b, 0),
    };
  }

  async join(addrs: readonly string[]): Promise<{ joined: number }> {
    if (this.state !== 'running') throw new Error(`agent is ${this.state}`);
    const seeds = await this.resolveSeeds(addrs);
    const attempt = this.core.join(seeds, nowMs(), false);
    this.armTimer();
    const joined = await new Promise<number>((resolve) => this.joinWaiters.set(attempt, resolve));
    return { joined };
  }

  async leave(): Promise<void> {
    if (this.state !== 'running') return this.stopped;
    this.state = 'leaving';
    this.log.info('leaving the cluster');
    const spread = new Promise<void>((resolve) => {
      this.leaveWaiter = resolve;
    });
    this.core.leave(nowMs());
    this.armTimer();
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), LEAVE_TIMEOUT_MS).unref());
    const outcome = await Promise.race([spread, timeout]);
    if (outcome === 'timeout') this.log.warn({ timeoutMs: LEAVE_TIMEOUT_MS }, 'leave not fully spread before timeout');
    // Stop after the caller (an HTTP request, a signal handler) has had its answer.
    setImmediate(() => void this.stop());
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return this.stopped;
    this.state = 'stopped';
    await this.close();
    this.log.info('agent stopped');
    this.resolveStopped();
  }

  private async close(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.loopMonitor?.stop();
    for (const resolve of this.joinWaiters.values()) resolve(0);
    this.joinWaiters.clear();
    this.leaveWaiter?.();
    await Promise.all([this.transport?.close(), this.http?.close()]);
  }

  // ─── Shell plumbing ────────────────────────────────────────────────────────────────────

  private lose(): boolean {
    const lossRate = this.deps.lossRate ?? 0;
    return lossRate > 0 && Math.random() < lossRate;
  }

  private onDatagram(bytes: Uint8Array, from: Address, receivedAtMs: number): void {
    if (this.node === undefined || this.state === 'stopped') return;
    const decoded = this.codec.decode(bytes);
    if (!decoded.ok) {
      this.drops[decoded.reason]++;
      this.log.debug({ from: addressKey(from), reason: decoded.reason, detail: decoded.detail }, 'dropped datagram');
      return;
    }
    this.node.receive(decoded.messages, from, receivedAtMs);
    this.armTimer();
  }

  /** Keeps one timer armed for the core's earliest deadline. */
  private armTimer(): void {
    if (this.node === undefined || this.state === 'stopped') return;
    const deadline = this.node.nextDeadlineMs();
    if (deadline >= this.timerAtMs) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAtMs = deadline;
    if (deadline === Infinity) return;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, deadline - nowMs()));
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAtMs = Infinity;
    if (this.node === undefined || this.state === 'stopped') return;
    this.node.tick(nowMs());
    this.armTimer();
  }

  private onEvent(event: NodeEvent): void {
    switch (event.type) {
      case 'member-changed':
        this.logMemberChange(event.member, event.previous);
        return;
      case 'member-reaped':
        this.log.info({ member: event.name }, 'member reaped');
        return;
      case 'address-conflict':
        this.log.warn(
          { member: event.name, held: addressKey(event.held), claimed: addressKey(event.claimed) },
          'name conflict: a live member already holds this name at another address',
        );
        return;
      case 'refuted':
        this.log.info({ accusation: event.accusation, incarnation: event.incarnation }, 'refuted an accusation about self');
        return;
      case 'suspicion-gated':
        this.log.info({ member: event.target }, 'missed probe not turned into a suspicion: local event loop stalled');
        return;
      case 'join-finished': {
        this.log.info({ joined: event.joined, seeds: event.seeds }, 'join attempt finished');
        const waiter = this.joinWaiters.get(event.attempt);
        this.joinWaiters.delete(event.attempt);
        waiter?.(event.joined);
        return;
      }
      case 'leave-finished':
        this.leaveWaiter?.();
        this.leaveWaiter = undefined;
        return;
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  }

  private logMemberChange(member: MemberSnapshot, previous: MemberStatus | null): void {
    const fields = {
      member: member.name,
      from: previous ?? 'none',
      to: member.status,
      by: member.statusFrom,
      addr: addressKey(member.addr),
      incarnation: member.incarnation,
    };
    if (previous === member.status) this.log.info(fields, 'member updated');
    else this.log.info(fields, `member ${member.status}`);
  }

  private view(member: MemberSnapshot): MemberView {
    return {
      name: member.name,
      addr: member.addr.host,
      port: member.addr.port,
      status: member.status,
      incarnation: member.incarnation,
      tags: member.tags,
      since: new Date(performance.timeOrigin + member.sinceMs).toISOString(),
    };
  }

  private async resolveSeeds(addrs: readonly string[]): Promise<Address[]> {
    const seeds: Address[] = [];
    for (const text of addrs) {
      const parsed = parseAddress(text, { minPort: 1 });
      if (!parsed.ok) throw new Error(`bad seed address ${parsed.errors.join('; ')}`);
      seeds.push({ host: await resolveHost(parsed.value.host), port: parsed.value.port });
    }
    return seeds;
  }
}

/** Core time: monotonic, in ms since the process time origin (wall-clock jumps do not move deadlines). */
function nowMs(): number {
  return performance.now();
}

async function resolveHost(host: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    const { address } = await lookup(host);
    return address;
  } catch (error) {
    throw new Error(`cannot resolve host "${host}": ${(error as Error).message}`);
  }
}
