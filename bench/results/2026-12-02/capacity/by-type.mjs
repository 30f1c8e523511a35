// Why did UDP payload jump after the stranger-digest change? Runs N in-process agents of a built
// checkout ROOT, joined 25 at a time through a random running agent (as the bench's capacity
// run does), and prints, per 15 s after convergence, bytes sent per member per second by
// message type and the anti-entropy counters (from each core's own stats).
//   node by-type.mjs ROOT [agents] [seconds after convergence]
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';

const [root, agentsArg = '300', afterArg = '90'] = process.argv.slice(2);
const { createAgent } = await import(`${root}/dist/agent/index.js`);
const { resolveConfig } = await import(`${root}/dist/config.js`);
const { messageSize } = await import(`${root}/dist/codec/index.js`);
const total = Number(agentsArg), afterS = Number(afterArg);
const logger = pino({ level: 'silent' });
const agents = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Bytes by type: wrap each agent's pipeline send (the datagram boundary) to count message sizes.
const bytes = new Map();
async function start(name, seed) {
  const resolved = resolveConfig({ flags: { name, bind: '127.0.0.1:0', http: '127.0.0.1:0', cluster: 'bt', logLevel: 'silent', join: seed === undefined ? [] : [seed], profile: 'lan' }, env: {}, readFile: () => '{}', hostname: name });
  if (!resolved.ok) throw new Error(resolved.errors.join('; '));
  const agent = createAgent(resolved.value, { logger, http: false, monitorLoopDelay: false });
  await agent.start();
  const pipeline = agent.pipeline;
  const send = pipeline.send.bind(pipeline);
  pipeline.send = (to, messages) => {
    for (const m of messages) bytes.set(m.type, (bytes.get(m.type) ?? 0) + messageSize(m));
    send(to, messages);
  };
  agents.push(agent);
}
const t0 = performance.now();
await start('a0');
while (agents.length < total) {
  const batch = [];
  for (let i = 0; i < 25 && agents.length + batch.length < total; i++) {
    const seed = agents[Math.floor(Math.random() * agents.length)].boundAddresses.udp;
    batch.push(start(`a${agents.length + batch.length}`, seed));
  }
  await Promise.all(batch);
  await sleep(250);
}
const alive = (a) => a.members().filter((m) => m.status === 'alive').length;
while (!agents.every((a) => alive(a) === total)) await sleep(200);
console.log(JSON.stringify({ root, agents: total, convergedS: Math.round((performance.now() - t0) / 100) / 10 }));
const stat = (k) => agents.reduce((s, a) => s + (a.protocol.stats[k] ?? 0), 0);
for (let w = 0; w < afterS / 15; w++) {
  bytes.clear();
  const before = { syncs: stat('syncsStarted'), states: stat('statesSent') };
  await sleep(15_000);
  const perType = Object.fromEntries([...bytes].map(([t, b]) => [t, Math.round((b / total / 15) * 10) / 10]));
  console.log(JSON.stringify({ window: `${w * 15}-${w * 15 + 15}s`, bytesPerMemberPerS: perType, syncsStarted: stat('syncsStarted') - before.syncs, statesSent: stat('statesSent') - before.states }));
}
for (const agent of agents) await agent.stop();
