// Cost of encryption per datagram: AES-256-GCM seal and open of a typical 100-byte datagram
// (a ping with a piggybacked update) and a full 1400-byte one, plus the cost of rejecting a
// datagram no installed key opens. The best of several rounds: on a shared machine other work
// only ever adds time, so the fastest round is the closest to the cost itself.
// Run: npm run bench:build && node .bench-build/bench/crypto-cost.js [iterations]
import { performance } from 'node:perf_hooks';
import { Keyring } from '../src/crypto/keyring.js';
import { generateKey } from '../src/crypto/keys.js';

const ITERATIONS = Number(process.argv[2] ?? 50_000);
const ROUNDS = 7;

function keyring(keys: readonly string[]): Keyring {
  const created = Keyring.create(keys, 'bench');
  if (!created.ok) throw new Error(created.error);
  return created.value;
}

/** Best µs per call of `work` over ROUNDS rounds of ITERATIONS calls. */
function microsPerCall(work: () => void): number {
  for (let i = 0; i < ITERATIONS / 10; i++) work(); // warm up the JIT and OpenSSL
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const startedMs = performance.now();
    for (let i = 0; i < ITERATIONS; i++) work();
    rounds.push(((performance.now() - startedMs) * 1000) / ITERATIONS);
  }
  return Math.min(...rounds);
}

const primary = generateKey();
const next = generateKey();
const sender = keyring([primary]);
const receiver = keyring([primary]);
const switched = keyring([next]);
const rotating = keyring([primary, next]);
const stranger = keyring([generateKey(), generateKey()]);
let sink = 0;

console.log(`AES-256-GCM per datagram, best of ${ROUNDS} rounds of ${ITERATIONS} (node ${process.version}, ${process.arch})`);
console.log('bytes  seal µs  open µs  seal+open µs  mid-rotation open µs  reject (2 keys) µs');
for (const bytes of [100, 1400]) {
  const datagram = Buffer.alloc(bytes, 0x5a);
  const sealed = sender.seal(datagram);
  const sealedByNext = switched.seal(datagram);
  const seal = microsPerCall(() => {
    sink += sender.seal(datagram).length;
  });
  const open = microsPerCall(() => {
    sink += receiver.open(sealed).ok ? 1 : 0;
  });
  // Mid-rotation, worst case: senders alternate between the old and the new primary key, so
  // every other datagram opens only under the second key tried.
  let turn = 0;
  const openSecond = microsPerCall(() => {
    sink += rotating.open(turn++ % 2 === 0 ? sealed : sealedByNext).ok ? 1 : 0;
  });
  const reject = microsPerCall(() => {
    sink += stranger.open(sealed).ok ? 1 : 0;
  });
  const cells = [seal, open, seal + open, openSecond, reject].map((value) => value.toFixed(2));
  console.log(`${String(bytes).padStart(5)}  ${cells.map((cell, i) => cell.padStart([7, 7, 12, 20, 18][i] ?? 7)).join('  ')}`);
}
if (sink === 0) console.log('(nothing measured)');
