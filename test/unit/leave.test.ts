import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/options.js';
import { incarnation, nodeName, seqNo } from '../../src/protocol/types.js';
import { RecordingNode } from './recording-node.js';

const identity = { name: nodeName('a'), addr: { host: '10.0.0.1', port: 7946 }, tags: {}, incarnation: incarnation(1) };

describe('leave', () => {
  it('reports leave-finished once when nobody is left to tell, whatever the node sends afterwards', () => {
    const node = new RecordingNode(PROFILES.lan, identity);
    node.start(0);
    // The only other member failed long ago: our own alive has been gossiped to it (to the
    // dead) and has left the queue, and nobody is left to tell of our leave.
    node.restore(
      [{ name: nodeName('b'), addr: { host: '10.0.0.2', port: 7946 }, incarnation: incarnation(1), status: 'failed', tags: {} }],
      0,
    );
    for (let t = 0; t <= 60_000; t += 100) node.tick(t);
    node.leave(60_000);
    // A stranger still pings the departing node; its ack goes out through the same send path
    // that reports a spread leave.
    node.receive([{ type: 'ping', seq: seqNo(1), target: nodeName('a') }], { host: '10.0.0.9', port: 7946 }, 60_010);
    node.tick(65_000);
    expect(node.events.filter((e) => e.type === 'leave-finished')).toHaveLength(1);
  });

  it('reports leave-finished once after the leave has spread to the members', () => {
    const node = new RecordingNode(PROFILES.lan, identity);
    node.start(0);
    node.restore(
      [{ name: nodeName('b'), addr: { host: '10.0.0.2', port: 7946 }, incarnation: incarnation(1), status: 'alive', tags: {} }],
      0,
    );
    node.leave(10);
    for (let t = 10; t <= 10_000; t += 50) {
      node.tick(t);
      node.receive([{ type: 'ping', seq: seqNo(t), target: nodeName('a') }], { host: '10.0.0.2', port: 7946 }, t);
    }
    expect(node.events.filter((e) => e.type === 'leave-finished')).toHaveLength(1);
  });
});
