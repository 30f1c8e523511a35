// Writes a heap snapshot when a simulation reaches a simulated time, then exits. usage: ROOT=checkout node --expose-gc snap.mjs AT_SECONDS OUT.heapsnapshot SIMULATE-FLAGS…
import v8 from 'node:v8';
const root = process.env.ROOT; const at = Number(process.argv[2]) * 1000; const out = process.argv[3];
const { Simulation } = await import(root + '/dist/sim/simulation.js');
const { main } = await import(root + '/dist/cli/main.js');
let done = false; const origRunFor = Simulation.prototype.runFor;
Simulation.prototype.runFor = function (ms) { const r = origRunFor.call(this, ms); if (!done && this.nowMs >= at) { done = true; globalThis.gc?.(); console.error('snapshot at', this.nowMs, v8.writeHeapSnapshot(out)); process.exit(0); } return r; };
await main(['node', 'gossipd', 'simulate', ...process.argv.slice(4)]);
