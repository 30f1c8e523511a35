import { messageSize } from '../../src/codec/index.js';
import type { Effects } from '../../src/protocol/effects.js';
import type { NodeEvent } from '../../src/protocol/events.js';
import type { MemberState, Message } from '../../src/protocol/messages.js';
import { seededAddressCookie } from '../../src/protocol/address-validation.js';
import { GossipNode, type NodeIdentity } from '../../src/protocol/node.js';
import type { ProtocolOptions } from '../../src/protocol/options.js';
import { seededRandom } from '../../src/protocol/random.js';
import type { Address, NodeName } from '../../src/protocol/types.js';

export interface SentDatagram {
  readonly from: Address;
  readonly to: Address;
  readonly messages: readonly Message[];
}

/**
 * A protocol core driven by hand in a unit test: each input's effects are recorded (datagrams
 * into `sent`, events into `events`) instead of carried out; time moves only when the test says.
 */
export class RecordingNode {
  readonly core: GossipNode;
  readonly events: NodeEvent[] = [];

  constructor(
    options: ProtocolOptions,
    identity: NodeIdentity,
    readonly sent: SentDatagram[] = [],
    seed = 1,
  ) {
    this.core = new GossipNode(options, identity, { random: seededRandom(seed), addressCookie: seededAddressCookie(seed), messageSize, packetOverheadBytes: 8 });
  }

  start(nowMs: number): void {
    this.record(this.core.start(nowMs));
  }

  restore(members: readonly MemberState[], nowMs: number): void {
    this.record(this.core.restore(members, nowMs));
  }

  receive(messages: readonly Message[], from: Address, nowMs: number): void {
    this.record(this.core.receive(messages, from, nowMs));
  }

  tick(nowMs: number): void {
    this.record(this.core.tick(nowMs));
  }

  leave(nowMs: number): void {
    this.record(this.core.leave(nowMs));
  }

  join(seeds: readonly Address[], nowMs: number, retry = false): number {
    const effects = this.core.join(seeds, nowMs, retry);
    this.record(effects);
    return effects.attempt;
  }

  member(name: NodeName): ReturnType<GossipNode['member']> {
    return this.core.member(name);
  }

  private record(effects: Effects): void {
    const from = this.core.selfMember.addr;
    for (const datagram of effects.datagrams) this.sent.push({ from, to: datagram.to, messages: datagram.messages });
    this.events.push(...effects.events);
  }
}
