import type { Effects } from '../protocol/effects.js';
import type { NodeEvent } from '../protocol/events.js';
import type { Message } from '../protocol/messages.js';
import type { ForceLeaveRefusal, GossipNode } from '../protocol/node.js';
import type { Address, NodeName, Tags } from '../protocol/types.js';
import type { SentUserEvent } from '../protocol/user-events.js';
import type { NodeView } from '../protocol/view.js';
import type { Clock } from './clock.js';

export interface CoreDriverDeps {
  readonly clock: Clock;
  /** Sends one datagram the core asked for. */
  readonly send: (to: Address, messages: readonly Message[]) => void;
  /** Everything the core reports; join and leave completion also settle their promises here. */
  readonly onEvent: (event: NodeEvent) => void;
}

/**
 * Runs the protocol core on real time: every input goes in with the clock's time, and what
 * comes back (datagrams, events, the next deadline) is carried out at once, so the one timer
 * is always armed for the core's earliest deadline. The core is reachable only through here.
 */
export class CoreDriver {
  private cancelTimer: (() => void) | undefined;
  private timerAtMs = Infinity;
  private stopped = false;
  private readonly joinWaiters = new Map<number, (joined: number) => void>();
  private leaveWaiters: (() => void)[] = [];

  constructor(
    private readonly node: GossipNode,
    private readonly deps: CoreDriverDeps,
  ) {}

  /** The core, read-only. */
  get view(): NodeView {
    return this.node;
  }

  /** Whether some member uses this address (its addressKey): the receive limiter's question. */
  isMemberAddress(key: string): boolean {
    return this.node.isMemberAddress(key);
  }

  start(): void {
    this.apply(this.node.start(this.now()));
  }

  /** Contacts seeds; resolves with how many answered (0 if the driver stops first). */
  join(seeds: readonly Address[], retry: boolean): Promise<number> {
    const effects = this.node.join(seeds, this.now(), retry);
    // Registered before the effects are carried out: they may already hold join-finished.
    const joined = new Promise<number>((resolve) => this.joinWaiters.set(effects.attempt, resolve));
    this.apply(effects);
    return joined;
  }

  /** Announces our leave; resolves once `left` has spread (or the driver stops). */
  leave(): Promise<void> {
    const spread = new Promise<void>((resolve) => this.leaveWaiters.push(resolve));
    this.apply(this.node.leave(this.now()));
    return spread;
  }

  setTags(tags: Tags): void {
    this.apply(this.node.setTags(tags, this.now()));
  }

  sendUserEvent(name: string, payload: string, coalesce: boolean): SentUserEvent {
    const effects = this.node.sendUserEvent(name, payload, coalesce, this.now());
    this.apply(effects);
    return effects.sent;
  }

  forceLeave(name: NodeName, prune: boolean): ForceLeaveRefusal | null {
    const effects = this.node.forceLeave(name, prune, this.now());
    this.apply(effects);
    return effects.refused;
  }

  noteLoopDelay(delayMs: number): void {
    this.apply(this.node.noteLoopDelay(delayMs, this.now()));
  }

  receive(messages: readonly Message[], from: Address, receivedAtMs: number): void {
    this.apply(this.node.receive(messages, from, receivedAtMs));
  }

  /** No more inputs or timers; pending joins resolve with 0 and a pending leave resolves. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const resolve of this.joinWaiters.values()) resolve(0);
    this.joinWaiters.clear();
    this.settleLeave();
  }

  private apply(effects: Effects): void {
    if (this.stopped) return;
    for (const datagram of effects.datagrams) this.deps.send(datagram.to, datagram.messages);
    for (const event of effects.events) this.route(event);
    this.arm(effects.nextDeadlineMs);
  }

  private route(event: NodeEvent): void {
    if (event.type === 'join-finished') {
      this.joinWaiters.get(event.attempt)?.(event.joined);
      this.joinWaiters.delete(event.attempt);
    } else if (event.type === 'leave-finished') {
      this.settleLeave();
    }
    this.deps.onEvent(event);
  }

  private settleLeave(): void {
    for (const resolve of this.leaveWaiters.splice(0)) resolve();
  }

  /** Keeps one timer armed for the core's earliest deadline. */
  private arm(deadlineMs: number): void {
    if (this.stopped || deadlineMs >= this.timerAtMs) return;
    this.cancelTimer?.();
    this.timerAtMs = deadlineMs;
    this.cancelTimer = this.deps.clock.after(Math.max(0, deadlineMs - this.now()), () => this.onTimer());
  }

  private onTimer(): void {
    this.cancelTimer = undefined;
    this.timerAtMs = Infinity;
    if (this.stopped) return;
    this.apply(this.node.tick(this.now()));
  }

  private now(): number {
    return this.deps.clock.monotonicMs();
  }
}
