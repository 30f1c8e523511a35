// Bytes per member per second by message type over a `gossipd simulate` run, counted from the
// simulated datagrams (codec sizes, 28 bytes of IP/UDP headers on the first message of each).
// usage: ROOT=checkout node bytype.mjs SIMULATE-FLAGS… (the result is the last line on stderr)
const root = process.env.ROOT;
const { Simulation } = await import(root + '/dist/sim/simulation.js');
const { messageSize, packetOverheadBytes } = await import(root + '/dist/codec/index.js');
const { main } = await import(root + '/dist/cli/main.js');
const bytes = new Map(); let total = 0;
const orig = Simulation.prototype.send;
Simulation.prototype.send = function (from, to, messages) {
  if (!from.crashed) {
    const over = packetOverheadBytes(messages.length) + 28;
    let first = true;
    for (const m of messages) { const b = messageSize(m) + (first ? over : 0); first = false; bytes.set(m.type, (bytes.get(m.type) ?? 0) + b); total += b; }
  }
  return orig.call(this, from, to, messages);
};
const args = process.argv.slice(2);
const nodes = +args[args.indexOf('--nodes') + 1]; const dur = parseFloat(args[args.indexOf('--duration') + 1]);
process.on('exit', () => {
  const per = (b) => (b / nodes / dur).toFixed(1);
  console.error(JSON.stringify({ nodes, totalPerMemberPerS: per(total), byType: Object.fromEntries([...bytes].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, per(v)])) }));
});
await main(['node', 'gossipd', 'simulate', ...args]);
