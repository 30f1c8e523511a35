import type { AntiEntropy } from './anti-entropy.js';
import { CoordinateCadence } from './coordinate-cadence.js';
import type { NodeContext } from './context.js';
import type { Dissemination } from './dissemination.js';
import { PROTOCOL_LIMITS } from './limits.js';
import { isActive, type Member } from './member.js';
import { monitorCount } from './tolerance.js';
import type { Ack, Message, Nack, Ping, PingReq, Suspect } from './messages.js';
import type { StallGate } from './stall-gate.js';
import { addressKey, type Address, type Incarnation, type NodeName, type SeqNo } from './types.js';
import type { Updates } from './updates.js';

interface PendingProbe {
  readonly seq: SeqNo;
  readonly target: NodeName;
  /** The target's incarnation when the probe began: a check ends when the target moves past it. */
  readonly incarnation: Incarnation;
  readonly startedMs: number;
  acked: boolean;
  expectedNacks: number;
  nacks: number;
}

/** A ping sent only to measure a round trip for coordinates (ring schedule: see startCoordinateProbe). */
interface CoordinateProbe {
  readonly target: NodeName;
  readonly startedMs: number;
}

/** A ping-req we carry out for another member. */
interface Relay {
  readonly requester: Address;
  readonly requesterSeq: SeqNo;
  readonly wantNack: boolean;
}

/**
 * Probing (SWIM §3.1, Lifeguard §IV-A): each protocol period, ping the next member in the
 * shuffled order; without an ack by the probe timeout, ask others to ping it (ping-req) and
 * ping it once more; a member still silent at the end of the period becomes suspect. Also
 * answers others' pings and relays their ping-reqs.
 */
export class Prober {
  private probe: PendingProbe | undefined;
  /** Confirmation probes of suspects we monitor (pause tolerance), by sequence number. */
  private readonly checks = new Map<SeqNo, PendingProbe>();
  private readonly relays = new Map<SeqNo, Relay>();
  /** This period's coordinate probe, if any: replaced every period, so at most one is pending. */
  private coordinateProbe: { readonly seq: SeqNo; readonly probe: CoordinateProbe } | undefined;
  private readonly cadence = new CoordinateCadence();

  constructor(
    private readonly ctx: NodeContext,
    private readonly dissemination: Dissemination,
    private readonly updates: Updates,
    private readonly antiEntropy: AntiEntropy,
    private readonly stallGate: StallGate,
  ) {}

  /** The probe timer: close the last period's probe, start this one's. */
  onProbeTimer(): void {
    this.finishProbe();
    const sample = this.ctx.options.coordinates && this.cadence.due(this.ctx.coordinates.own.error);
    const ring = this.ctx.options.probeSchedule === 'ring';
    // Round robin: the probe itself is the sample (as Serf). Ring: the successor's round trip is
    // no sample (see onAck), so its ping carries no coordinate and a coordinate probe goes out.
    this.startProbe(sample && !ring);
    this.coordinateProbe = undefined;
    if (sample && ring) this.startCoordinateProbe();
  }

  /** No more probing (we are leaving). */
  stop(): void {
    this.ctx.timers.cancel('probe', '');
    this.probe = undefined;
  }

  private startProbe(withCoordinate: boolean): void {
    const ctx = this.ctx;
    // On the ring a member is its successor's only regular prober: stretching its period with
    // its local health would stretch that successor's detection with it (up to 8×; a monitor at
    // score 4 after one unlucky probe under 10 % loss held a crash back 8.5 s). A slow member
    // still accuses no one early: its probe timeout and suspicions are scaled, and the stall
    // gate holds back its verdicts.
    const ring = ctx.options.probeSchedule === 'ring';
    const intervalMs = ring ? ctx.options.probeIntervalMs : ctx.awareness.scale(ctx.options.probeIntervalMs);
    ctx.timers.set('probe', '', ctx.nowMs + intervalMs);
    if (ctx.leaving) return;
    const targetName = ctx.schedule.next();
    const target = targetName === undefined ? undefined : ctx.table.get(targetName);
    if (target === undefined) return;
    const seq = ctx.nextSeq();
    this.probe = { seq, target: target.name, incarnation: target.incarnation, startedMs: ctx.nowMs, acked: false, expectedNacks: 0, nacks: 0 };
    const ping = withCoordinate ? this.coordinatePing(seq, target.name) : this.ping(seq, target.name);
    // Lifeguard buddy system: a suspect learns of its suspicion with the probe itself.
    const primary: Message[] =
      target.status === 'suspect'
        ? [ping, { type: 'suspect', name: target.name, incarnation: target.incarnation, from: ctx.name }]
        : [ping];
    this.dissemination.sendWithGossip(target.addr, primary, target.name);
    ctx.stats.probes++;
    ctx.timers.set('probe-timeout', '', ctx.nowMs + ctx.awareness.scale(ctx.options.probeTimeoutMs));
  }

  /**
   * With the ring schedule a member probes only its ring successor, and one peer's round trip
   * places no node in a space: Vivaldi needs samples to many peers (Serf gets them from its
   * round-robin probes). So each sampling period (coordinate-cadence.ts) also pings one random
   * alive member, for its round trip and coordinate only: its silence is no evidence of
   * anything (a lost ping is not a probe).
   */
  private startCoordinateProbe(): void {
    const ctx = this.ctx;
    if (ctx.leaving) return;
    // The successor too (one draw in n − 1): its coordinate is learnt no other way.
    const table = ctx.table;
    const [target] = table.sample(ctx.random, 1, (slot) => table.statusAt(slot) === 'alive' && table.nameAt(slot) !== ctx.name);
    if (target === undefined) return;
    const seq = ctx.nextSeq();
    this.coordinateProbe = { seq, probe: { target: target.name, startedMs: ctx.nowMs } };
    ctx.send(target.addr, [this.coordinatePing(seq, target.name)]);
    ctx.stats.coordinateProbes++;
  }

  /** A ping with no coordinate: its round trip is not a sample, so it would be bytes for nothing. */
  private ping(seq: SeqNo, target: NodeName): Ping {
    return { type: 'ping', seq, target };
  }

  /** A sample's ping: it asks for the target's coordinate in the ack (one byte, not our 57). */
  private coordinatePing(seq: SeqNo, target: NodeName): Ping {
    return { type: 'ping', seq, target, wantsCoordinate: true };
  }

  /** The probe-timeout timer: no direct ack yet, so ask others and try once more ourselves. */
  onProbeTimeout(): void {
    const ctx = this.ctx;
    const probe = this.probe;
    if (probe === undefined || probe.acked) return;
    const target = ctx.table.get(probe.target);
    if (target === undefined || !isActive(target.status)) return;
    probe.expectedNacks = this.probeThroughOthers(probe.seq, target, true);
    ctx.stats.indirectProbes++;
  }

  /** Closes the previous probe round: a silent target becomes suspect (SWIM §4.2). */
  private finishProbe(): void {
    const ctx = this.ctx;
    const probe = this.probe;
    this.probe = undefined;
    ctx.timers.cancel('probe-timeout', '');
    if (probe === undefined || probe.acked) return;
    ctx.stats.probesFailed++;
    // Missing nacks mean our own network or process is the slow one (Lifeguard §IV-A).
    ctx.awareness.apply(probe.expectedNacks > 0 ? probe.expectedNacks - probe.nacks : 1);
    const target = ctx.table.get(probe.target);
    if (target === undefined || !isActive(target.status)) return;
    if (this.stallGate.stalledRecently()) {
      ctx.stats.suspicionsGated++;
      ctx.emit({ type: 'suspicion-gated', target: target.name });
      return;
    }
    const suspect = this.accusation(target.name, target.incarnation, probe.startedMs);
    this.updates.onSuspect(suspect);
    // Tell the suspect at once (DESIGN §2): its refutation then races the gossip of the
    // suspicion and supersedes it in every queue it reaches.
    this.dissemination.sendWithGossip(target.addr, [suspect], target.name);
  }

  onPing(ping: Ping, from: Address): void {
    // A ping meant for a previous holder of this address must not be answered on its behalf.
    if (ping.target !== this.ctx.name) {
      this.ctx.stats.misdirectedPings++;
      return;
    }
    // Only a prober taking a sample gets our coordinate; a plain ping, a plain ack.
    const sampling = ping.wantsCoordinate === true && this.ctx.options.coordinates;
    const ack: Ack = sampling ? { type: 'ack', seq: ping.seq, coordinate: this.ctx.coordinates.own } : { type: 'ack', seq: ping.seq };
    const digest = this.antiEntropy.digestForStranger(from);
    this.dissemination.sendWithGossip(from, digest === undefined ? [ack] : [ack, digest]);
  }

  /** Handles an ack; false if it answers none of our probes or relays (the node may know it). */
  onAck(ack: Ack, from: Address): boolean {
    const ctx = this.ctx;
    const probe = this.probe;
    if (probe !== undefined && probe.seq === ack.seq) {
      if (!probe.acked) {
        probe.acked = true;
        ctx.awareness.apply(-1);
        ctx.stats.probesAcked++;
        // The probe-timeout timer is gone once the indirect phase began: a relayed or second-chance ack.
        const direct = ctx.timers.isSet('probe-timeout', '');
        if (!direct) ctx.stats.probesAckedIndirect++;
        ctx.stats.recordRtt(ctx.nowMs - probe.startedMs);
        ctx.timers.cancel('probe-timeout', '');
        // Only a direct ack's round trip is a distance: a relayed one adds the relay's legs, a
        // second-chance one the probe timeout. On the ring the target is the same member period
        // after period: its round trip would be half of all samples and of the adjustment window,
        // and bends the whole space towards that one spring (simulated, N = 200, 3 regions: 25 %
        // median error inside a region instead of 4 %). There only the coordinate probe samples,
        // and the target's coordinate is just kept.
        if (!direct) return true;
        if (ctx.options.probeSchedule === 'ring') this.keepCoordinate(probe.target, ack, from);
        else this.roundTrip(probe.target, probe.startedMs, ack, from);
      }
      return true;
    }
    const coordinateProbe = this.coordinateProbe;
    if (coordinateProbe !== undefined && coordinateProbe.seq === ack.seq) {
      this.coordinateProbe = undefined;
      const { target, startedMs } = coordinateProbe.probe;
      if (ctx.nowMs - startedMs <= ctx.options.probeTimeoutMs) this.roundTrip(target, startedMs, ack, from);
      return true;
    }
    const check = this.checks.get(ack.seq);
    if (check !== undefined) {
      check.acked = true;
      return true;
    }
    const relay = this.relays.get(ack.seq);
    if (relay === undefined) return false;
    this.relays.delete(ack.seq);
    ctx.timers.cancel('relay', String(ack.seq));
    this.dissemination.sendWithGossip(relay.requester, [{ type: 'ack', seq: relay.requesterSeq }]);
    return true;
  }

  /** A direct ack from `target` (its own address) with a coordinate: a Vivaldi sample. */
  private roundTrip(target: NodeName, startedMs: number, ack: Ack, from: Address): void {
    const ctx = this.ctx;
    if (!ctx.options.coordinates) return;
    if (ack.coordinate !== undefined && this.isFrom(target, from)) ctx.coordinates.roundTrip(target, ctx.nowMs - startedMs, ack.coordinate);
  }

  /** A direct ack from `target` with a coordinate, not used as a sample: the coordinate is kept. */
  private keepCoordinate(target: NodeName, ack: Ack, from: Address): void {
    if (!this.ctx.options.coordinates) return;
    if (ack.coordinate !== undefined && this.isFrom(target, from)) this.ctx.coordinates.heard(target, ack.coordinate);
  }

  /** Whether a datagram from `from` comes from member `name`'s own address (not through a relay). */
  private isFrom(name: NodeName, from: Address): boolean {
    const member = this.ctx.table.get(name);
    return member !== undefined && addressKey(member.addr) === addressKey(from);
  }


  onNack(nack: Nack): void {
    if (this.probe !== undefined && this.probe.seq === nack.seq) this.probe.nacks++;
  }

  /**
   * A suspicion about `name` began elsewhere. If we are one of its monitors (the members just
   * before it on the ring, the originator aside), probe it now rather than at our next turn, so
   * the confirmations a real failure gets arrive within a period, and a live suspect hears of
   * the suspicion from several members (the ping carries it) and refutes at once.
   */
  onSuspicionHeard(name: NodeName, originator: NodeName): void {
    const ctx = this.ctx;
    const isMonitor = (m: NodeName): boolean => m !== originator && ctx.table.statusOf(m) === 'alive';
    if (!ctx.table.ring.before(name, monitorCount(ctx.options), isMonitor).includes(ctx.name)) return;
    const target = ctx.table.get(name);
    if (target === undefined || target.status !== 'suspect') return;
    this.startCheck(target, [this.accusation(name, target.incarnation, ctx.nowMs)]);
    ctx.stats.confirmProbes++;
  }

  /**
   * Another table holds `name` failed or suspect at the incarnation we hold it alive at (found
   * in anti-entropy). Neither side is taken: it is sent the accusation (alive, it refutes), and
   * we also probe it now, out of turn: silent through the indirect phase, our own suspicion
   * starts (the usual timeouts and confirmations follow). Before, it was only sent the
   * accusation: a member that missed a crash's `failed` gossip kept the crashed member alive
   * until its own turn to probe it came (up to n probe intervals on round robin), so a crash
   * in scenario f went unfailed by every member in 4 of 16 seeds.
   */
  checkDisputed(name: NodeName): void {
    const target = this.ctx.table.get(name);
    if (target === undefined || target.status !== 'alive' || this.probe?.target === name) return;
    for (const check of this.checks.values()) if (check.target === name) return;
    this.startCheck(target, []);
  }

  private startCheck(target: Member, attached: readonly Message[]): void {
    const ctx = this.ctx;
    const seq = ctx.nextSeq();
    this.checks.set(seq, { seq, target: target.name, incarnation: target.incarnation, startedMs: ctx.nowMs, acked: false, expectedNacks: 0, nacks: 0 });
    this.dissemination.sendWithGossip(target.addr, [this.ping(seq, target.name), ...attached], target.name);
    ctx.timers.set('check-timeout', String(seq), ctx.nowMs + ctx.options.probeTimeoutMs);
    ctx.timers.set('check-end', String(seq), ctx.nowMs + ctx.options.probeIntervalMs);
  }

  /** Whether a check's target is still as it was when the check began: active, same incarnation. */
  private stillChecked(check: PendingProbe): Member | undefined {
    const target = this.ctx.table.get(check.target);
    return target !== undefined && isActive(target.status) && target.incarnation === check.incarnation ? target : undefined;
  }

  /** A check (a confirmation or a dispute) got no direct ack in time: ask others, and ping once more. */
  onCheckTimeout(seq: SeqNo): void {
    const check = this.checks.get(seq);
    if (check === undefined || check.acked) return;
    const target = this.stillChecked(check);
    if (target === undefined) return;
    this.probeThroughOthers(seq, target, false);
  }

  /**
   * The indirect phase (SWIM §3.1): indirectChecks random alive members ping the target for us
   * (relaying its ack, or a nack if asked), and we ping it once more ourselves: SWIM's temporal
   * second chance on the direct path, so a lost ping or ack alone makes no suspicion
   * (memberlist's TCP fallback ping plays this part). Returns how many members were asked.
   */
  private probeThroughOthers(seq: SeqNo, target: Member, wantNack: boolean): number {
    const ctx = this.ctx;
    const table = ctx.table;
    const helpers = table.sample(ctx.random, ctx.options.indirectChecks, (slot) => {
      if (table.statusAt(slot) !== 'alive') return false;
      const name = table.nameAt(slot);
      return name !== ctx.name && name !== target.name;
    });
    for (const helper of helpers) {
      const request: PingReq = { type: 'ping-req', seq, target: target.name, targetAddr: target.addr, wantNack };
      this.dissemination.sendWithGossip(helper.addr, [request]);
    }
    this.dissemination.sendWithGossip(target.addr, [this.ping(seq, target.name)], target.name);
    return helpers.length;
  }

  /** A check's period is over: silent still, it is our own evidence (a confirmation, or a suspicion of our own). */
  onCheckEnd(seq: SeqNo): void {
    const ctx = this.ctx;
    const check = this.checks.get(seq);
    this.checks.delete(seq);
    ctx.timers.cancel('check-timeout', String(seq));
    if (check === undefined || check.acked) return;
    const target = this.stillChecked(check);
    if (target === undefined) return;
    this.updates.onSuspect(this.accusation(target.name, target.incarnation, check.startedMs));
  }

  /** Our suspicion of a member, with the age of our evidence when suspicions are timed by a pause tolerance. */
  private accusation(name: NodeName, incarnation: Incarnation, evidenceStartMs: number): Suspect {
    const ctx = this.ctx;
    const suspect: Suspect = { type: 'suspect', name, incarnation, from: ctx.name };
    if (ctx.options.pauseToleranceMs === null) return suspect;
    return { ...suspect, ageMs: Math.max(0, Math.round(ctx.nowMs - evidenceStartMs)) };
  }

  onPingReq(request: PingReq, from: Address): void {
    const ctx = this.ctx;
    if (this.relays.size >= PROTOCOL_LIMITS.maxRelays) {
      ctx.stats.relaysRefused++;
      return;
    }
    const seq = ctx.nextSeq();
    this.relays.set(seq, { requester: from, requesterSeq: request.seq, wantNack: request.wantNack });
    ctx.timers.set('relay', String(seq), ctx.nowMs + ctx.options.probeTimeoutMs);
    this.dissemination.sendWithGossip(request.targetAddr, [this.ping(seq, request.target)]);
  }

  /** The relay timer: the target stayed silent; tell the requester if it wants to know. */
  onRelayExpired(seq: SeqNo): void {
    const relay = this.relays.get(seq);
    if (relay === undefined) return;
    this.relays.delete(seq);
    if (relay.wantNack) this.dissemination.sendWithGossip(relay.requester, [{ type: 'nack', seq: relay.requesterSeq }]);
  }
}
