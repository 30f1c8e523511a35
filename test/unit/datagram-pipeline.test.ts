import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DatagramPipeline } from '../../src/agent/datagram-pipeline.js';
import { encryptedEnvelope, type Envelope } from '../../src/agent/encryption.js';
import { ReceiveLimiter } from '../../src/agent/receive-limiter.js';
import { TrafficCounters } from '../../src/agent/traffic.js';
import { createCodec } from '../../src/codec/index.js';
import { Keyring } from '../../src/crypto/keyring.js';
import type { Message } from '../../src/protocol/messages.js';
import { seededRandom } from '../../src/protocol/random.js';
import { addressKey, nodeName, seqNo, type Address } from '../../src/protocol/types.js';

const CLUSTER = 'prod';
const KEYS = [1, 2, 3, 4].map((fill) => Buffer.alloc(32, fill).toString('base64'));
const BURST = 20;

/** An encrypted envelope with four keys that counts every open attempt. */
function countingEnvelope(): { envelope: Envelope; opens: () => number } {
  const created = Keyring.create(KEYS, CLUSTER);
  if (!created.ok) throw new Error(created.error);
  const inner = encryptedEnvelope(created.value);
  let opens = 0;
  return {
    envelope: { ...inner, open: (bytes) => (opens++, inner.open(bytes)) },
    opens: () => opens,
  };
}

function pipeline(envelope: Envelope, members: readonly Address[]) {
  const delivered: Message[][] = [];
  const memberKeys = new Set(members.map(addressKey));
  const pipe = new DatagramPipeline(
    {
      codec: createCodec({ cluster: CLUSTER }),
      limiter: new ReceiveLimiter({ perSourceRatePerSec: 10, perSourceBurst: BURST, strangersRatePerSec: 1e6, strangersBurst: 1e6, probeRepliesPerSec: 5 }, 0),
      traffic: new TrafficCounters(),
      log: pino({ level: 'silent' }),
      lossRate: 0,
      lossRandom: seededRandom(1),
      transmit: () => undefined,
      isMemberAddress: (key) => memberKeys.has(key),
      deliver: (messages) => delivered.push([...messages]),
      onKeyMessage: () => undefined,
    },
    envelope,
  );
  return { pipe, delivered };
}

describe('DatagramPipeline: the per-source limit comes before decryption', () => {
  const flooder: Address = { host: '10.0.0.9', port: 4000 };

  it('opens no junk datagram beyond a stranger source’s budget', () => {
    const { envelope, opens } = countingEnvelope();
    const { pipe } = pipeline(envelope, []);
    const junk = 1000;
    for (let i = 0; i < junk; i++) pipe.receive(Buffer.concat([Buffer.from([0x81]), randomBytes(80)]), flooder, 0);
    // The burst is opened (and fails: no key authenticates junk); the rest is never opened.
    expect(opens()).toBe(BURST);
    expect(pipe.drops['decrypt-failed']).toBe(BURST);
    expect(pipe.drops['rate-limited']).toBe(junk - BURST);
  });

  it('keeps a member’s probe answers coming when its address is over budget, at a bounded open cost', () => {
    const { envelope, opens } = countingEnvelope();
    const peer: Address = { host: '10.0.0.2', port: 7946 };
    const { pipe, delivered } = pipeline(envelope, [peer]);
    const codec = createCodec({ cluster: CLUSTER });
    const ack = envelope.seal(codec.encode([{ type: 'ack', seq: seqNo(7) }, { type: 'ping', seq: seqNo(8), target: nodeName('x') }]));
    for (let i = 0; i < 1000; i++) pipe.receive(ack, peer, 0);
    // BURST in full, then 5 (the reply lane's burst) for their acks only; nothing else is opened.
    expect(opens()).toBe(BURST + 5);
    expect(delivered.length).toBe(BURST + 5);
    expect(delivered.slice(BURST).every((messages) => messages.length === 1 && messages[0]?.type === 'ack')).toBe(true);
    expect(pipe.drops['rate-limited']).toBe(1000 - BURST);
  });
});
