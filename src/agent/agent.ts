import { randomInt as cryptoRandomInt } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { createCodec, messageSize, PACKET_OVERHEAD_BYTES, validateTags } from '../codec/index.js';
import type { AgentConfig } from '../config.js';
import type { Keyring, PacketDropReason } from '../crypto/keyring.js';
import { startHttpServer, type MembershipHttpServer } from '../http/server.js';
import type { MemberSnapshot, NodeEvent } from '../protocol/events.js';
import type { KeyMessage, KeyOp, Message } from '../protocol/messages.js';
import { GossipNode } from '../protocol/node.js';
import { seededRandom } from '../protocol/random.js';
import { addressKey, MEMBER_STATUSES, type Address, type MemberStatus, type Tags } from '../protocol/types.js';
import type { Transport } from '../transport/transport.js';
import { openUdpTransport, type UdpTransportOptions } from '../transport/udp.js';
import type { AgentApi, HealthView, KeyOpOutcome, MemberView, SelfView } from './api.js';
import { chooseAdvertiseAddress } from './advertise.js';
import { encryptedEnvelope, keyringSaver, loadKeyring, PLAINTEXT_ENVELOPE, type Envelope } from './encryption.js';
import { KeyOperations, keyOpTimings } from './key-ops.js';
import { LoopDelayMonitor } from './loop-delay.js';
import { countByStatus, renderAgentMetrics } from './metrics.js';
import { probeReplies, ReceiveLimiter, type ReceiveLimits } from './receive-limiter.js';
import { SeedWatch } from './seed-watch.js';
import { resolveSeeds, systemLookupAll, type LookupAll, type ResolvedSeeds } from './seeds.js';
import { TrafficCounters } from './traffic.js';
import { StatusTransitions } from './transitions.js';
import { buildSnapshot, recallSnapshot, SnapshotWriter, startingIncarnation } from './snapshot.js';
import { EVENT_LIMITS } from './event-limits.js';
import { EventLog, type EventFeed } from './event-log.js';
import { membershipEventOf } from './membership-event.js';
import { startReactions, type Reactions } from './reactions.js';

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
  /** Per-source receive rate limits (see ReceiveLimiter); tests and benchmarks tune them. */
  readonly receiveLimits?: Partial<ReceiveLimits>;
  /**
   * Opens the datagram transport. Default: UDP. Tests wrap it to feed datagrams through the
   * agent's receive path in-process (fuzzing) while the real socket still works.
   */
  readonly openTransport?: (options: UdpTransportOptions) => Promise<Transport>;
  /**
   * Resolves a seed host name to all its addresses. Default: the system resolver
   * (dns.lookup with all: true). Tests inject names that resolve to several addresses.
   */
  readonly lookupHost?: LookupAll;
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
  readonly drops: Readonly<Record<AgentDropReason, number>>;
  /** Datagrams and bytes handed to the UDP socket since start (after injected loss): for benchmarks. */
  readonly sent: { readonly datagrams: number; readonly bytes: number };
  /** The protocol core, for embedding and tests. Valid after start(). */
  readonly core: GossipNode;
  /** The membership events this agent saw (GET /v1/events, blocking queries, hooks, webhooks). */
  readonly events: EventFeed;
}

/** Why the agent dropped a datagram; `rate-limited`: over its source's budget (its acks and nacks were still handled). */
export type AgentDropReason = PacketDropReason | 'rate-limited';

/** How long a graceful leave waits for `left` to be sent the full number of times. */
const LEAVE_TIMEOUT_MS = 5000;
/**
 * Loop-delay sampling: a quarter of the probe timeout (125 ms at lan), never finer than this.
 * The core ignores stalls under half the probe timeout, so a stall it must notice always spans a sample.
 */
const MIN_LOOP_SAMPLE_MS = 20;

/** Creates one daemon: protocol core + codec + UDP + HTTP + logs. No module-level state. */
export function createAgent(config: AgentConfig, deps: AgentDeps = {}): Agent {
  return new GossipAgent(config, deps);
}

class GossipAgent implements Agent {
  readonly name: string;
  readonly drops: Record<AgentDropReason, number> = {
    'too-large': 0,
    'too-short': 0,
    'bad-version': 0,
    'wrong-cluster': 0,
    malformed: 0,
    'invalid-message': 0,
    'too-many-messages': 0,
    'rate-limited': 0,
    'decrypt-failed': 0,
    'not-encrypted': 0,
    'unexpected-encryption': 0,
  };
  readonly stopped: Promise<void>;
  readonly sent = { datagrams: 0, bytes: 0 };

  private readonly log: Logger;
  private readonly codec;
  /** Encryption around every datagram (set in open(), from --encrypt or --keyring-file). */
  private envelope: Envelope = PLAINTEXT_ENVELOPE;
  private keyOps: KeyOperations | undefined;
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
  /** Datagrams and bytes each way by message type, and status changes seen: for GET /metrics. */
  private readonly traffic = new TrafficCounters();
  private readonly transitions = new StatusTransitions();
  /** Re-resolves the start-up seeds while the agent is alone (see SeedWatch). */
  private seedWatch: SeedWatch | undefined;
  private readonly limiter: ReceiveLimiter;
  private snapshots: SnapshotWriter | undefined;
  /** Remembered members to rejoin through when no --join is given (from --data-dir). */
  private rememberedSeeds: readonly string[] = [];
  private encodeFailures = 0;
  readonly events: EventLog;
  /** --on-event commands and --webhook deliveries, fed from `events`. */
  private reactions: Reactions | null = null;

  constructor(
    private readonly config: AgentConfig,
    private readonly deps: AgentDeps,
  ) {
    this.name = config.name;
    this.log = deps.logger ?? pino({ level: 'silent' });
    this.events = new EventLog({
      capacity: EVENT_LIMITS.bufferedEvents,
      // Microseconds of wall clock: ids keep increasing across restarts (see EventLogOptions).
      startIndex: Date.now() * 1000,
      wallClockMs: () => Date.now(),
      onListenerError: (error) => this.log.error({ err: error }, 'membership event listener failed'),
    });
    this.codec = createCodec({ cluster: config.cluster });
    this.limiter = new ReceiveLimiter(deps.receiveLimits, nowMs());
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
    // --join wins; without it, a restart rejoins through the members it remembers.
    const seeds = this.config.join.length > 0 ? this.config.join : this.rememberedSeeds;
    if (seeds.length > 0) this.watchSeeds(seeds);
  }

  private async open(): Promise<void> {
    this.reactions = startReactions(this.events, this.config, {
      logger: this.log,
      env: process.env,
      agentEnv: () => ({ GOSSIPD_SELF: this.name, GOSSIPD_HTTP: this.boundAddresses.http }),
    });
    const keyring = loadKeyring(this.config);
    if (keyring !== null) this.envelope = encryptedEnvelope(keyring);
    const remembered = await this.recall();
    const bindHost = await resolveHost(this.config.bind.host);
    this.transport = await (this.deps.openTransport ?? openUdpTransport)({
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
        incarnation: startingIncarnation(Math.floor(Date.now() / 1000), remembered),
      },
      {
        random: seededRandom(cryptoRandomInt(2 ** 31)),
        messageSize,
        // Encryption adds its envelope to every datagram: packets are filled with that reserved.
        packetOverheadBytes: PACKET_OVERHEAD_BYTES + this.envelope.overheadBytes,
        send: (to, messages) => this.send(to, messages),
        onEvent: (event) => this.onEvent(event),
      },
    );
    if (keyring !== null) this.keyOps = this.createKeyOps(keyring);
    this.node.start(nowMs());
    this.armTimer();
    this.startSnapshots();
    if (this.deps.monitorLoopDelay !== false) {
      const resolutionMs = Math.max(MIN_LOOP_SAMPLE_MS, Math.round(this.config.probeTimeoutMs / 4));
      this.loopMonitor = new LoopDelayMonitor(this.config.probeIntervalMs, resolutionMs, (delayMs) => {
        this.node?.noteLoopDelay(delayMs, nowMs());
        this.armTimer();
      });
    }
    if (this.deps.http !== false) {
      this.http = await startHttpServer(this, {
        host: this.config.http.host,
        port: this.config.http.port,
        logger: this.log.child({ component: 'http' }),
        token: this.config.httpToken,
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
        encrypted: keyring !== null,
      },
      'agent started',
    );
  }

  private watchSeeds(addrs: readonly string[]): void {
    this.seedWatch = new SeedWatch({
      addrs,
      resolve: (seeds) => this.resolveSeeds(seeds),
      join: (seeds) => {
        if (this.state !== 'running') return;
        this.core.join(seeds, nowMs(), true);
        this.armTimer();
      },
      alone: () => this.node !== undefined && this.node.activeMembers <= 1,
      log: this.log,
    });
    this.seedWatch.start();
  }

  /** The incarnation remembered in --data-dir (and the seeds to rejoin through), if any. */
  private async recall(): Promise<number | undefined> {
    if (this.config.dataDir === null) return undefined;
    const owner = { cluster: this.config.cluster, name: this.config.name };
    const recalled = await recallSnapshot(this.config.dataDir, owner, this.log);
    this.rememberedSeeds = recalled.seeds;
    return recalled.snapshot?.incarnation;
  }

  private startSnapshots(): void {
    const dir = this.config.dataDir;
    if (dir === null) return;
    const owner = { cluster: this.config.cluster, name: this.config.name };
    this.snapshots = new SnapshotWriter({
      dir,
      nowMs,
      build: () => buildSnapshot(owner, this.core.selfMember, this.core.members(), Date.now()),
      onError: (error) => this.log.warn({ err: error.message, dir }, 'cannot write the snapshot'),
    });
    // Remember the new incarnation at once: a crash and restart within the same second must still outrank it.
    this.snapshots.changed();
  }

  // ─── AgentApi ──────────────────────────────────────────────────────────────────────────

  members(): MemberView[] {
    if (this.node === undefined) return [];
    return this.node.members().map((m) => this.view(m));
  }

  membershipVersion(): number {
    return this.node?.membershipVersion ?? -1;
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
        encrypted: this.keyOps !== undefined,
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
    const { seeds, problems } = await this.resolveSeeds(addrs);
    // The caller sent names that give nothing to contact: its mistake (a 400), not a join of 0.
    if (seeds.length === 0) throw new Error(problems.join('; ') || 'no seed address to join');
    if (problems.length > 0) this.log.warn({ problems }, 'some seeds give no address to join');
    const attempt = this.core.join(seeds, nowMs(), false);
    this.armTimer();
    const joined = await new Promise<number>((resolve) => this.joinWaiters.set(attempt, resolve));
    return { joined };
  }

  setTags(tags: Tags): SelfView {
    if (this.state !== 'running') throw new Error(`agent is ${this.state}`);
    // The HTTP route checks first; embedders calling this directly get the same rule.
    const problem = validateTags(tags);
    if (problem !== null) throw new RangeError(problem);
    if (!sameTags(tags, this.core.selfMember.tags)) {
      // The core raises our incarnation and gossips the new alive; the snapshot must remember
      // that incarnation, or a restart within the same second would not outrank it.
      this.core.setTags({ ...tags }, nowMs());
      this.armTimer();
      this.snapshots?.changed();
      this.log.info({ tags, incarnation: this.core.selfMember.incarnation }, 'tags updated');
    }
    return this.self();
  }

  metrics(): string {
    const core = this.core;
    return renderAgentMetrics({
      name: this.name,
      cluster: this.config.cluster,
      members: countByStatus(core.members().map((member) => member.status)),
      stats: core.stats,
      healthScore: core.healthScore,
      queueDepth: core.queueDepth,
      loopDelayMs: this.loopMonitor === undefined ? null : this.loopMonitor.lastMaxMs,
      traffic: this.traffic,
      drops: this.drops,
      transitions: this.transitions,
      sendErrors: this.sendErrors,
    });
  }

  keys(op: KeyOp, key: string | null): Promise<KeyOpOutcome> {
    if (this.keyOps === undefined) {
      const error = 'encryption is off: start the agent with --encrypt or --keyring-file to use keys';
      return Promise.resolve({ ok: false, reason: 'encryption-off', error });
    }
    return this.keyOps.run(op, key);
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
    // Hooks and webhooks still busy, with this agent's own member-leave among them, may finish (bounded).
    await this.reactions?.settle(LEAVE_TIMEOUT_MS);
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
    // First: ends event streams and long polls, so the HTTP server below need not wait for them.
    this.events.close();
    this.reactions?.close();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.loopMonitor?.stop();
    for (const resolve of this.joinWaiters.values()) resolve(0);
    this.joinWaiters.clear();
    this.leaveWaiter?.();
    this.keyOps?.close();
    this.seedWatch?.stop();
    await Promise.all([this.transport?.close(), this.http?.close(), this.snapshots?.close()]);
  }

  // ─── Shell plumbing ────────────────────────────────────────────────────────────────────

  private send(to: Address, messages: readonly Message[]): void {
    if (this.lose()) return;
    let bytes: Uint8Array;
    try {
      bytes = this.envelope.seal(this.codec.encode(messages));
    } catch (error) {
      // A message a peer would reject (the codec checks what we send): drop it, never crash.
      this.encodeFailures++;
      this.log.error({ err: (error as Error).message, to: addressKey(to) }, 'could not encode an outgoing packet');
      return;
    }
    this.sent.datagrams++;
    this.sent.bytes += bytes.length;
    this.traffic.countSent(messages, bytes.length);
    this.transport?.send(to, bytes);
  }

  private lose(): boolean {
    const lossRate = this.deps.lossRate ?? 0;
    return lossRate > 0 && Math.random() < lossRate;
  }

  private onDatagram(bytes: Uint8Array, from: Address, receivedAtMs: number): void {
    if (this.node === undefined || this.state === 'stopped') return;
    const opened = this.envelope.open(bytes);
    const decoded = opened.ok ? this.codec.decode(opened.plaintext) : opened;
    if (!decoded.ok) {
      this.drops[decoded.reason]++;
      this.log.debug({ from: addressKey(from), reason: decoded.reason, detail: decoded.detail }, 'dropped datagram');
      return;
    }
    this.traffic.countReceived(decoded.messages, bytes.length);
    const source = addressKey(from);
    if (!this.limiter.admit(source, receivedAtMs, this.node.isMemberAddress(source))) {
      // Over its source's budget: only answers to our own probes are still worth the work.
      this.drops['rate-limited']++;
      const replies = probeReplies(decoded.messages);
      if (replies.length > 0) this.node.receive(replies, from, receivedAtMs);
      this.armTimer();
      return;
    }
    const messages = this.takeKeyMessages(decoded.messages, from);
    if (messages.length > 0) this.node.receive(messages, from, receivedAtMs);
    this.armTimer();
  }

  /** Key messages go to the key operations (which exist only with encryption); the rest to the core. */
  private takeKeyMessages(messages: readonly Message[], from: Address): readonly Message[] {
    if (!messages.some(isKeyMessage)) return messages;
    const rest: Message[] = [];
    for (const message of messages) {
      if (message.type === 'key-request') this.keyOps?.onRequest(message, from);
      else if (message.type === 'key-response') this.keyOps?.onResponse(message);
      else rest.push(message);
    }
    return rest;
  }

  private createKeyOps(keyring: Keyring): KeyOperations {
    return new KeyOperations({
      name: this.name,
      keyring,
      peers: () =>
        this.core
          .members()
          .filter((member) => member.name !== this.name && (member.status === 'alive' || member.status === 'suspect'))
          .map((member) => ({ name: member.name, addr: member.addr })),
      send: (to, message) => this.send(to, [message]),
      persist: keyringSaver(this.config, keyring),
      logger: this.log.child({ component: 'keys' }),
      ...keyOpTimings(this.config),
      wallClockMs: () => Date.now(),
      setTimer: (callback, delayMs) => {
        const timer = setTimeout(callback, delayMs);
        return () => clearTimeout(timer);
      },
      randomUint32: () => cryptoRandomInt(2 ** 32),
    });
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
    const membershipEvent = membershipEventOf(event, this.name);
    if (membershipEvent !== null) this.events.append(membershipEvent);
    if (event.type === 'member-changed' || event.type === 'member-reaped' || event.type === 'refuted') this.snapshots?.changed();
    switch (event.type) {
      case 'member-changed':
        this.transitions.note(event.previous, event.member.status);
        this.logMemberChange(event.member, event.previous);
        return;
      case 'member-reaped':
        this.log.info({ member: event.name }, 'member reaped');
        return;
      case 'address-conflict':
        if (event.name === this.name) {
          this.log.warn(
            { member: event.name, ours: addressKey(event.held), theirs: addressKey(event.claimed) },
            'name conflict: another agent uses this agent\'s name at another address; give each agent a unique --name',
          );
          return;
        }
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

  /** Every address of every seed (a name may stand for several), for our socket's IP family. */
  private resolveSeeds(addrs: readonly string[]): Promise<ResolvedSeeds> {
    return resolveSeeds(addrs, this.deps.lookupHost ?? systemLookupAll, this.transport?.local.host ?? '0.0.0.0');
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

function sameTags(a: Tags, b: Tags): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

function isKeyMessage(message: Message): message is KeyMessage {
  return message.type === 'key-request' || message.type === 'key-response';
}
