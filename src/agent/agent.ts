import { randomInt as cryptoRandomInt } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { pino, type Logger } from 'pino';
import { createCodec, messageSize, PACKET_OVERHEAD_BYTES, validateTags, type Codec } from '../codec/index.js';
import type { AgentConfig } from '../config.js';
import type { Keyring } from '../crypto/keyring.js';
import { startHttpServer, type MembershipHttpServer } from '../http/server.js';
import type { MemberSnapshot } from '../protocol/events.js';
import type { KeyOp } from '../protocol/messages.js';
import { GossipNode } from '../protocol/node.js';
import { seededRandom, type Random } from '../protocol/random.js';
import { addressKey, nodeName, sameTags, type Incarnation, type Tags } from '../protocol/types.js';
import type { NodeView } from '../protocol/view.js';
import { failure, success } from '../result.js';
import type { Transport } from '../transport/transport.js';
import { openUdpTransport } from '../transport/udp.js';
import { createAddressCookie } from './address-cookie.js';
import type {
  Agent,
  CoordinateView,
  ForceLeaveOutcome,
  HealthView,
  InfoView,
  JoinOutcome,
  KeyOpOutcome,
  MemberView,
  SelfView,
  UserEventOutcome,
} from './api.js';
import { packageVersion } from '../cli/version.js';
import type { LogFeed } from './log-tee.js';
import { defaultQueryTimeoutMs, QueryOriginator, type QueryOutcome, type QueryProgress, type QueryRequest } from './query-originator.js';
import { QueryResponder } from './query-responder.js';
import { chooseAdvertiseAddress } from './advertise.js';
import { systemClock, type Clock } from './clock.js';
import { CoreDriver } from './core-driver.js';
import { DatagramPipeline } from './datagram-pipeline.js';
import type { AgentDropReason } from './drops.js';
import type { AgentDeps } from './deps.js';
import { encryptedEnvelope, keyringSaver, loadKeyring, PLAINTEXT_ENVELOPE } from './encryption.js';
import { EVENT_LIMITS } from './limits.js';
import { EventLog } from './event-log.js';
import { EventRouter } from './event-router.js';
import { KeyOperations, keyOpTimings } from './key-ops.js';
import { resolveKeyRef } from './key-ref.js';
import { LoopDelayMonitor } from './loop-delay.js';
import { countByStatus, renderAgentMetrics } from './metrics.js';
import { startReactions, type Reactions } from './reactions.js';
import { ReceiveLimiter } from './receive-limiter.js';
import { SeedWatch } from './seed-watch.js';
import { resolveSeeds, systemLookupAll, type ResolvedSeeds } from './seeds.js';
import { buildSnapshot, recallSnapshot, SnapshotWriter, startingIncarnation } from './snapshot.js';
import { TrafficCounters } from './traffic.js';
import { StatusTransitions } from './transitions.js';

export type { AgentDropReason } from './drops.js';
export type { Agent } from './api.js';
export type { AgentDeps } from './deps.js';

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

type AgentState = 'new' | 'starting' | 'running' | 'leaving' | 'stopped';

class GossipAgent implements Agent {
  readonly name: string;
  readonly stopped: Promise<void>;
  readonly events: EventLog;

  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly startedAtWallMs: number;
  /** Wall-clock time at monotonic 0: turns the core's times into ISO dates. */
  private readonly wallOriginMs: number;
  private readonly pipeline: DatagramPipeline;
  private readonly codec: Codec;
  private readonly limiter: ReceiveLimiter;
  /** Datagrams and bytes each way by message type, and status changes seen: for GET /metrics. */
  private readonly traffic = new TrafficCounters();
  private readonly transitions = new StatusTransitions();
  private driver: CoreDriver | undefined;
  private keyOps: KeyOperations | undefined;
  /** This agent's keyring (empty in plaintext mode), also for turning key ids into keys (see key-ref.ts). */
  private keyring: Keyring | null = null;
  private queries: QueryOriginator | undefined;
  private queryResponder: QueryResponder | undefined;
  private transport: Transport | undefined;
  private http: MembershipHttpServer | undefined;
  private loopMonitor: LoopDelayMonitor | undefined;
  private state: AgentState = 'new';
  private resolveStopped!: () => void;
  /** Re-resolves the start-up seeds while the agent is alone (see SeedWatch). */
  private seedWatch: SeedWatch | undefined;
  private snapshots: SnapshotWriter | undefined;
  /** Remembered members to rejoin through when no --join is given (from --data-dir). */
  private rememberedSeeds: readonly string[] = [];
  /** --on-event commands and --webhook deliveries, fed from `events`. */
  private reactions: Reactions | null = null;
  private sendErrors = 0;

  constructor(
    private readonly config: AgentConfig,
    private readonly deps: AgentDeps,
  ) {
    this.name = config.name;
    this.log = deps.logger ?? pino({ level: 'silent' });
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? seededRandom(cryptoRandomInt(2 ** 31));
    this.startedAtWallMs = this.clock.wallMs();
    this.wallOriginMs = this.startedAtWallMs - this.clock.monotonicMs();
    this.events = new EventLog({
      capacity: EVENT_LIMITS.bufferedEvents,
      // Microseconds of wall clock: ids keep increasing across restarts (see EventLogOptions).
      startIndex: this.startedAtWallMs * 1000,
      wallClockMs: () => this.clock.wallMs(),
      onListenerError: (error) => this.log.error({ err: error }, 'membership event listener failed'),
    });
    this.limiter = new ReceiveLimiter(deps.receiveLimits, this.clock.monotonicMs());
    this.codec = createCodec({ cluster: config.cluster });
    this.pipeline = new DatagramPipeline(
      {
        codec: this.codec,
        limiter: this.limiter,
        traffic: this.traffic,
        log: this.log,
        lossRate: deps.lossRate ?? 0,
        lossRandom: seededRandom(Math.floor(this.random.next() * 2 ** 32)),
        transmit: (to, bytes) => this.transport?.send(to, bytes),
        isMemberAddress: (key) => this.driver?.isMemberAddress(key) ?? false,
        deliver: (messages, from, receivedAtMs) => this.driver?.receive(messages, from, receivedAtMs),
        onKeyMessage: (message, from, encrypted) => {
          if (message.type === 'key-request') this.keyOps?.onRequest(message, from, encrypted);
          else this.keyOps?.onResponse(message);
        },
        onQueryMessage: (message) => {
          if (message.type === 'query') this.queryResponder?.onQuery(message);
          else if (message.type === 'query-ack') this.queries?.onAck(message);
          else this.queries?.onResponse(message);
        },
      },
      PLAINTEXT_ENVELOPE,
    );
    this.stopped = new Promise((resolve) => {
      this.resolveStopped = resolve;
    });
  }

  get protocol(): NodeView {
    return this.running().view;
  }

  get drops(): Readonly<Record<AgentDropReason, number>> {
    return this.pipeline.drops;
  }

  get sent(): { readonly datagrams: number; readonly bytes: number } {
    return this.pipeline.sent;
  }

  get boundAddresses(): { udp: string; http: string } {
    return {
      udp: this.transport === undefined ? '' : addressKey(this.transport.local),
      http: this.http === undefined ? '' : addressKey(this.http.address),
    };
  }

  // ─── Lifecycle ─────────────────────────────────────────────────────────────────────────

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
    // Every agent has a keyring, empty in plaintext mode, so encryption can be switched on live.
    const keyring = loadKeyring(this.config);
    this.keyring = keyring;
    this.pipeline.envelope = encryptedEnvelope(keyring);
    const remembered = await this.recall();
    const bindHost = await resolveHost(this.config.bind.host);
    this.transport = await (this.deps.openTransport ?? openUdpTransport)({
      bind: { host: bindHost, port: this.config.bind.port },
      nowMs: () => this.clock.monotonicMs(),
      onDatagram: (bytes, from, receivedAtMs) => {
        if (this.state !== 'stopped') this.pipeline.receive(bytes, from, receivedAtMs);
      },
      onSendError: (error, to) => {
        this.sendErrors++;
        this.log.debug({ err: error.message, to: addressKey(to) }, 'send failed');
      },
    });
    const advertise = chooseAdvertiseAddress(this.config.advertise, this.transport.local, (message) => this.log.warn(message));
    const node = new GossipNode(
      this.config,
      {
        name: nodeName(this.config.name),
        addr: advertise,
        tags: this.config.tags,
        incarnation: startingIncarnation(Math.floor(this.clock.wallMs() / 1000), remembered),
      },
      {
        random: this.random,
        addressCookie: createAddressCookie(),
        messageSize,
        // Encryption adds its envelope to every datagram: packets are filled with that reserved,
        // in plaintext mode too, since a live `gossipd keys use` starts sealing at once.
        packetOverheadBytes: PACKET_OVERHEAD_BYTES + this.pipeline.envelope.overheadBytes,
      },
    );
    const router = new EventRouter({
      name: this.name,
      log: this.log,
      events: this.events,
      transitions: this.transitions,
      snapshotChanged: () => this.snapshots?.changed(),
    });
    this.driver = new CoreDriver(node, {
      clock: this.clock,
      send: (to, messages) => this.pipeline.send(to, messages),
      onEvent: (event) => router.route(event),
    });
    this.keyOps = this.createKeyOps(keyring);
    this.createQueries(advertise, PACKET_OVERHEAD_BYTES + this.pipeline.envelope.overheadBytes);
    this.driver.start();
    this.startSnapshots();
    if (this.deps.monitorLoopDelay !== false) {
      const resolutionMs = Math.max(MIN_LOOP_SAMPLE_MS, Math.round(this.config.probeTimeoutMs / 4));
      this.loopMonitor = new LoopDelayMonitor(this.config.probeIntervalMs, resolutionMs, (delayMs) => {
        this.driver?.noteLoopDelay(delayMs);
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
        incarnation: node.selfMember.incarnation,
        encrypted: keyring.mode !== 'plaintext',
        keyringMode: keyring.mode,
      },
      'agent started',
    );
  }

  private watchSeeds(addrs: readonly string[]): void {
    this.seedWatch = new SeedWatch({
      addrs,
      resolve: (seeds) => this.resolveSeeds(seeds),
      join: (seeds) => {
        if (this.state === 'running') void this.running().join(seeds, true);
      },
      alone: () => this.driver !== undefined && this.driver.view.activeMembers <= 1,
      log: this.log,
    });
    this.seedWatch.start();
  }

  /** The incarnation remembered in --data-dir (and the seeds to rejoin through), if any. */
  private async recall(): Promise<Incarnation | undefined> {
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
    const view = this.running().view;
    this.snapshots = new SnapshotWriter({
      dir,
      nowMs: () => this.clock.monotonicMs(),
      build: () => buildSnapshot(owner, view.selfMember, view.members(), this.clock.wallMs()),
      onError: (error) => this.log.warn({ err: error.message, dir }, 'cannot write the snapshot'),
    });
    // Remember the new incarnation at once: a crash and restart within the same second must still outrank it.
    this.snapshots.changed();
  }

  async leave(): Promise<void> {
    if (this.state !== 'running') return this.stopped;
    this.state = 'leaving';
    this.log.info('leaving the cluster');
    const spread = this.running().leave();
    let cancelTimeout = (): void => {};
    const timeout = new Promise<'timeout'>((resolve) => {
      cancelTimeout = this.clock.after(LEAVE_TIMEOUT_MS, () => resolve('timeout'));
    });
    const outcome = await Promise.race([spread, timeout]);
    cancelTimeout();
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
    this.driver?.stop();
    this.loopMonitor?.stop();
    this.keyOps?.close();
    this.queries?.close();
    this.queryResponder?.close();
    this.seedWatch?.stop();
    await Promise.all([this.transport?.close(), this.http?.close(), this.snapshots?.close()]);
  }

  // ─── AgentApi ──────────────────────────────────────────────────────────────────────────

  members(): MemberView[] {
    return this.driver?.view.members().map((m) => this.view(m)) ?? [];
  }

  membershipVersion(): number {
    return this.driver?.view.membershipVersion ?? -1;
  }

  member(name: string): MemberView | undefined {
    const member = this.driver?.view.member(nodeName(name));
    return member === undefined ? undefined : this.view(member);
  }

  self(): SelfView {
    const c = this.config;
    const core = this.running().view;
    return {
      ...this.view(core.selfMember),
      healthScore: core.healthScore,
      config: {
        cluster: c.cluster,
        profile: c.profile,
        bind: this.boundAddresses.udp,
        advertise: addressKey(core.selfMember.addr),
        http: this.boundAddresses.http,
        join: c.join,
        probeIntervalMs: c.probeIntervalMs,
        probeTimeoutMs: c.probeTimeoutMs,
        pauseToleranceMs: c.pauseToleranceMs,
        suspicionMult: c.suspicionMult,
        gossipIntervalMs: c.gossipIntervalMs,
        maxPacketBytes: c.maxPacketBytes,
        encrypted: this.keyring !== null && this.keyring.mode !== 'plaintext',
      },
    };
  }

  health(): HealthView {
    return {
      status: this.state === 'leaving' ? 'leaving' : 'ok',
      name: this.name,
      uptimeMs: this.clock.wallMs() - this.startedAtWallMs,
      healthScore: this.driver?.view.healthScore ?? 0,
      members: this.driver?.view.memberCounts() ?? countByStatus([]),
      droppedPackets: this.pipeline.droppedTotal,
    };
  }

  async join(addrs: readonly string[]): Promise<JoinOutcome> {
    if (this.state !== 'running') return failure('not-running', `the agent is ${this.state}, not running: it cannot join`);
    const { seeds, problems } = await this.resolveSeeds(addrs);
    // The caller sent names that give nothing to contact: its mistake, not a join of 0.
    if (seeds.length === 0) return failure('bad-address', problems.join('; ') || 'no seed address to join');
    if (problems.length > 0) this.log.warn({ problems }, 'some seeds give no address to join');
    if (this.state !== 'running') return failure('not-running', `the agent is ${this.state}, not running: it cannot join`);
    return success({ joined: await this.running().join(seeds, false) });
  }

  setTags(tags: Tags): SelfView {
    if (this.state !== 'running') throw new Error(`agent is ${this.state}`);
    // The HTTP route checks first; embedders calling this directly get the same rule.
    const problem = validateTags(tags);
    if (problem !== null) throw new RangeError(problem);
    const driver = this.running();
    if (!sameTags(tags, driver.view.selfMember.tags)) {
      // The core raises our incarnation and gossips the new alive; the snapshot must remember
      // that incarnation, or a restart within the same second would not outrank it.
      driver.setTags({ ...tags });
      this.snapshots?.changed();
      this.log.info({ tags, incarnation: driver.view.selfMember.incarnation }, 'tags updated');
    }
    return this.self();
  }

  metrics(): string {
    const core = this.running().view;
    return renderAgentMetrics({
      name: this.name,
      cluster: this.config.cluster,
      members: core.memberCounts(),
      stats: core.stats,
      healthScore: core.healthScore,
      queueDepth: core.queueDepth,
      updatesDropped: core.updatesDropped,
      loopDelayMs: this.loopMonitor === undefined ? null : this.loopMonitor.lastMaxMs,
      traffic: this.traffic,
      drops: this.pipeline.drops,
      transitions: this.transitions,
      sendErrors: this.sendErrors,
      coordinates: { ...core.coordinateStats, dropped: this.codec.coordinatesDropped, error: core.coordinate.error },
    });
  }

  get coordinatesOff(): boolean {
    return !this.config.coordinates;
  }

  coordinates(): CoordinateView[] {
    return (this.driver?.view.coordinates() ?? []).map(({ name, coordinate }) => ({ name, coordinate }));
  }

  keys(op: KeyOp, key: string | null): Promise<KeyOpOutcome> {
    if (this.keyOps === undefined) {
      const error = 'the agent is not running';
      return Promise.resolve(failure('stopping', error));
    }
    const resolved = resolveKeyRef(op, key, this.keyring);
    return resolved.ok ? this.keyOps.run(op, resolved.value) : Promise.resolve(resolved);
  }

  userEvent(name: string, payload: string, coalesce: boolean): UserEventOutcome {
    if (this.state !== 'running' || this.driver === undefined) return failure('not-running', `the agent is ${this.state}, not running`);
    const sent = this.driver.sendUserEvent(name, payload, coalesce);
    this.log.info({ event: name, id: sent.id, ltime: sent.ltime, coalesce }, 'user event sent');
    return success(sent);
  }

  query(request: QueryRequest, onProgress?: (progress: QueryProgress) => void): Promise<QueryOutcome> {
    if (this.state !== 'running' || this.queries === undefined) return Promise.resolve(failure('stopping', `the agent is ${this.state}, not running`));
    return this.queries.run(request, onProgress);
  }

  forceLeave(name: string, prune: boolean): ForceLeaveOutcome {
    if (this.state !== 'running' || this.driver === undefined) return failure('not-running', `the agent is ${this.state}, not running`);
    const before = this.driver.view.member(nodeName(name));
    const refused = this.driver.forceLeave(nodeName(name), prune);
    switch (refused) {
      case 'unknown-member':
        return failure(refused, `no member named ${JSON.stringify(name)}`);
      case 'self':
        return failure(refused, 'an agent cannot force itself out: use `gossipd leave`');
      case 'not-failed':
        return failure(refused, `${name} is ${before?.status ?? 'alive'}, not failed: only a failed member can be forced out (a live one would refute it)`);
      case null:
        break;
      default:
        return assertNeverRefusal(refused);
    }
    const after = this.driver.view.member(nodeName(name));
    this.log.info({ member: name, prune, from: before?.status }, 'forced a member out');
    return success({ name, status: after?.status ?? 'forgotten' });
  }

  get logs(): LogFeed | undefined {
    return this.deps.logFeed;
  }

  info(): InfoView {
    const core = this.running().view;
    const c = this.config;
    const memory = process.memoryUsage();
    const ue = core.userEventStats;
    return {
      agent: {
        name: this.name,
        version: packageVersion(),
        startedAt: new Date(this.startedAtWallMs).toISOString(),
        uptimeMs: this.clock.wallMs() - this.startedAtWallMs,
        state: this.state,
      },
      cluster: {
        name: c.cluster,
        members: core.memberCounts(),
        updateQueue: core.queueDepth,
        eventQueue: core.eventQueueDepth,
        eventClock: ue.lamportTime,
        userEvents: { delivered: ue.delivered, duplicates: ue.duplicates, skipped: ue.skipped },
      },
      protocol: {
        addr: addressKey(core.selfMember.addr),
        bind: this.boundAddresses.udp,
        http: this.boundAddresses.http,
        incarnation: core.selfMember.incarnation,
        healthScore: core.healthScore,
        profile: c.profile,
        probeIntervalMs: c.probeIntervalMs,
        probeTimeoutMs: c.probeTimeoutMs,
        gossipIntervalMs: c.gossipIntervalMs,
        gossipFanout: c.gossipFanout,
        retransmitMult: c.retransmitMult,
        suspicionMult: c.suspicionMult,
        pauseToleranceMs: c.pauseToleranceMs,
        pushPullIntervalMs: c.pushPullIntervalMs,
        maxPacketBytes: c.maxPacketBytes,
        encrypted: this.keyring !== null && this.keyring.mode !== 'plaintext',
        droppedPackets: this.pipeline.droppedTotal,
      },
      runtime: {
        node: process.version,
        platform: process.platform,
        arch: process.arch,
        pid: process.pid,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        loopDelayMs: this.loopMonitor === undefined ? null : this.loopMonitor.lastMaxMs,
      },
    };
  }

  // ─── Shell plumbing ────────────────────────────────────────────────────────────────────

  private createQueries(advertise: { readonly host: string; readonly port: number }, overheadBytes: number): void {
    const live = (): MemberSnapshot[] =>
      this.running()
        .view.members()
        .filter((member) => member.status === 'alive' || member.status === 'suspect');
    this.queries = new QueryOriginator({
      name: this.name,
      replyTo: () => advertise,
      members: () => live().map((member) => ({ name: member.name, addr: member.addr, tags: member.tags })),
      send: (to, message) => this.pipeline.send(to, [message]),
      fits: (message) => messageSize(message) + overheadBytes <= this.config.maxPacketBytes,
      defaultTimeoutMs: () => defaultQueryTimeoutMs(this.config.gossipIntervalMs, this.running().view.activeMembers),
      resendIntervalMs: Math.max(this.config.probeTimeoutMs, 100),
      setTimer: (callback, delayMs) => this.clock.after(delayMs, callback),
      randomUint32: () => cryptoRandomInt(2 ** 32),
      logger: this.log.child({ component: 'queries' }),
    });
    this.queryResponder = new QueryResponder({
      name: this.name,
      tags: () => this.running().view.selfMember.tags,
      handlers: this.config.onQuery,
      timeoutMs: this.config.hookTimeoutMs,
      send: (to, message) => this.pipeline.send(to, [message]),
      // One answer alone in a datagram: the packet's own array header is one byte.
      messageBudgetBytes: this.config.maxPacketBytes - overheadBytes,
      env: withoutSecret(process.env),
      logger: this.log.child({ component: 'queries' }),
    });
  }

  private running(): CoreDriver {
    if (this.driver === undefined) throw new Error('agent not started');
    return this.driver;
  }

  private createKeyOps(keyring: Keyring): KeyOperations {
    return new KeyOperations({
      name: this.name,
      keyring,
      peers: () =>
        this.running()
          .view.members()
          .filter((member) => member.name !== this.name && (member.status === 'alive' || member.status === 'suspect'))
          .map((member) => ({ name: member.name, addr: member.addr })),
      send: (to, message) => this.pipeline.send(to, [message]),
      isMemberAddress: (addr) => this.driver?.isMemberAddress(addressKey(addr)) ?? false,
      persist: keyringSaver(this.config, keyring),
      logger: this.log.child({ component: 'keys' }),
      ...keyOpTimings(this.config),
      wallClockMs: () => this.clock.wallMs(),
      setTimer: (callback, delayMs) => this.clock.after(delayMs, callback),
      randomUint32: () => cryptoRandomInt(2 ** 32),
    });
  }

  private view(member: MemberSnapshot): MemberView {
    return {
      name: member.name,
      addr: member.addr.host,
      port: member.addr.port,
      status: member.status,
      incarnation: member.incarnation,
      tags: member.tags,
      since: new Date(this.wallOriginMs + member.sinceMs).toISOString(),
    };
  }

  /** Every address of every seed (a name may stand for several), for our socket's IP family. */
  private resolveSeeds(addrs: readonly string[]): Promise<ResolvedSeeds> {
    return resolveSeeds(addrs, this.deps.lookupHost ?? systemLookupAll, this.transport?.local.host ?? '0.0.0.0');
  }
}

function assertNeverRefusal(value: never): never {
  throw new Error(`unhandled force-leave refusal ${String(value)}`);
}

/** Query handlers, like hooks, do not get the cluster's encryption key. */
function withoutSecret(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const copy: Record<string, string | undefined> = { ...env };
  delete copy['GOSSIPD_ENCRYPT'];
  return copy;
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
