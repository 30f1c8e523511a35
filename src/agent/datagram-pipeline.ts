import type { Logger } from 'pino';
import type { Codec } from '../codec/index.js';
import type { KeyRequest, KeyResponse, Message, QueryMessage } from '../protocol/messages.js';
import type { Random } from '../protocol/random.js';
import { addressKey, type Address } from '../protocol/types.js';
import { AGENT_DROP_REASONS, type AgentDropReason } from './drops.js';
import { ENVELOPE_VERSION } from '../crypto/keyring.js';
import type { Envelope } from './encryption.js';
import { probeReplies, type ReceiveLimiter } from './receive-limiter.js';
import type { TrafficCounters } from './traffic.js';


export interface DatagramPipelineDeps {
  readonly codec: Codec;
  readonly limiter: ReceiveLimiter;
  readonly traffic: TrafficCounters;
  readonly log: Logger;
  /**
   * Fault injection for benchmarks and tests: the fraction of datagrams dropped each way, drawn
   * from `lossRandom` so that a seeded run loses the same datagrams again.
   */
  readonly lossRate: number;
  readonly lossRandom: Random;
  readonly transmit: (to: Address, bytes: Uint8Array) => void;
  /** Whether a source (its addressKey) is a member's address: members get their own budget. */
  readonly isMemberAddress: (key: string) => boolean;
  /** Membership messages for the core. */
  readonly deliver: (messages: readonly Message[], from: Address, receivedAtMs: number) => void;
  /**
   * Keyring messages, which belong to the key operations, not to the core. `encrypted`: the
   * datagram was opened with an installed key, so what it says is authentic.
   */
  readonly onKeyMessage: (message: KeyRequest | KeyResponse, from: Address, encrypted: boolean) => void;
  /** Query messages, which belong to the agent's queries, not to the core. */
  readonly onQueryMessage?: (message: QueryMessage, from: Address) => void;
}

/**
 * The datagram boundary, both ways. Out: injected loss, encode, seal, hand to the socket. In:
 * injected loss, the per-source rate limit (by address, before any crypto: see
 * receive-limiter.ts), open, decode (bad input is dropped and counted by reason, never thrown),
 * then key messages to the key operations and the rest to the core.
 */
export class DatagramPipeline {
  readonly drops = Object.fromEntries(AGENT_DROP_REASONS.map((reason) => [reason, 0])) as Record<AgentDropReason, number>;
  /** Datagrams and bytes handed to the socket (after injected loss). */
  readonly sent = { datagrams: 0, bytes: 0 };
  encodeFailures = 0;
  /** Encryption around every datagram: plaintext until the agent sets its keyring's. */
  envelope: Envelope;

  constructor(
    private readonly deps: DatagramPipelineDeps,
    envelope: Envelope,
  ) {
    this.envelope = envelope;
  }

  send(to: Address, messages: readonly Message[]): void {
    if (this.lose()) return;
    let bytes: Uint8Array;
    try {
      bytes = this.envelope.seal(this.deps.codec.encode(messages));
    } catch (error) {
      // A message a peer would reject (the codec checks what we send): drop it, never crash.
      this.encodeFailures++;
      this.deps.log.error({ err: (error as Error).message, to: addressKey(to) }, 'could not encode an outgoing packet');
      return;
    }
    this.sent.datagrams++;
    this.sent.bytes += bytes.length;
    this.deps.traffic.countSent(messages, bytes.length);
    this.deps.transmit(to, bytes);
  }

  receive(bytes: Uint8Array, from: Address, receivedAtMs: number): void {
    if (this.lose()) return;
    const deps = this.deps;
    const source = addressKey(from);
    const member = deps.isMemberAddress(source);
    // The limit comes first and costs a map lookup: junk over a source's budget is never opened.
    const admitted = deps.limiter.admit(source, receivedAtMs, member);
    if (!admitted && !deps.limiter.admitProbeReplies(source, receivedAtMs, member)) {
      this.drops['rate-limited']++;
      return;
    }
    const opened = this.envelope.open(bytes);
    const decoded = opened.ok ? deps.codec.decode(opened.value) : opened;
    if (!decoded.ok) {
      this.drops[decoded.reason]++;
      deps.log.debug({ from: source, reason: decoded.reason, detail: decoded.error }, 'dropped datagram');
      return;
    }
    deps.traffic.countReceived(decoded.value, bytes.length);
    if (!admitted) {
      // Over its source's budget: only answers to our own probes are still worth the work.
      this.drops['rate-limited']++;
      const replies = probeReplies(decoded.value);
      if (replies.length > 0) deps.deliver(replies, from, receivedAtMs);
      return;
    }
    const membership: Message[] = [];
    const encrypted = bytes[0] === ENVELOPE_VERSION;
    for (const message of decoded.value) {
      if (message.type === 'key-request' || message.type === 'key-response') deps.onKeyMessage(message, from, encrypted);
      else if (message.type === 'query' || message.type === 'query-ack' || message.type === 'query-response') deps.onQueryMessage?.(message, from);
      else membership.push(message);
    }
    if (membership.length > 0) deps.deliver(membership, from, receivedAtMs);
  }

  get droppedTotal(): number {
    let total = 0;
    for (const reason of AGENT_DROP_REASONS) total += this.drops[reason];
    return total;
  }

  private lose(): boolean {
    return this.deps.lossRate > 0 && this.deps.lossRandom.next() < this.deps.lossRate;
  }
}
