// Amplification and join time over real UDP on 127.0.0.1, for a built checkout ROOT:
//   node measure.mjs ROOT [members] [tagBytes] [ports] [joins]
// Starts `members` in-process agents (createAgent, each with a tag of `tagBytes` bytes), then
// sends one join `sync` datagram (as a forged-source attacker would) from `ports` UDP sockets
// to one agent and counts the bytes that come back to those sockets within 2 s. Then times
// `joins` fresh agents joining through one seed until they see every member alive.
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';

const [root, membersArg = '10', tagArg = '400', portsArg = '100', joinsArg = '5'] = process.argv.slice(2);
const { createAgent } = await import(`${root}/dist/agent/index.js`);
const { resolveConfig } = await import(`${root}/dist/config.js`);
const { createCodec } = await import(`${root}/dist/codec/index.js`);
const members = Number(membersArg), tagBytes = Number(tagArg), ports = Number(portsArg), joins = Number(joinsArg);
const logger = pino({ level: 'silent' });
const agents = [];

async function start(name, seed) {
  const resolved = resolveConfig({
    flags: { name, bind: '127.0.0.1:0', http: '127.0.0.1:0', cluster: 'amp', logLevel: 'silent', join: seed === undefined ? [] : [seed], tag: [`blob=${'v'.repeat(tagBytes)}`] },
    env: {}, readFile: () => '{}', hostname: name,
  });
  if (!resolved.ok) throw new Error(resolved.errors.join('; '));
  const agent = createAgent(resolved.value, { logger, http: false, monitorLoopDelay: false });
  await agent.start();
  agents.push(agent);
  return agent;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(check, timeoutMs) {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) { if (check()) return performance.now() - t0; await sleep(20); }
  return null;
}
const alive = (agent) => agent.members().filter((m) => m.status === 'alive').length;

const first = await start('m0');
const seed = first.boundAddresses.udp;
for (let i = 1; i < members; i++) await start(`m${i}`, seed);
const converged = await until(() => agents.every((a) => alive(a) === members), 60_000);

// The attack: one join sync per source port.
const codec = createCodec({ cluster: 'amp' });
const datagram = codec.encode([{ type: 'sync', digest: 0x12345678, members: 1, join: true }]);
const [host, port] = seed.split(':');
const sockets = [];
let received = 0, datagramsBack = 0;
for (let i = 0; i < ports; i++) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg) => { received += msg.length; datagramsBack++; });
  await new Promise((r) => socket.bind(0, '127.0.0.1', r));
  sockets.push(socket);
}
for (const socket of sockets) socket.send(datagram, Number(port), host);
await sleep(2000);
for (const socket of sockets) socket.close();
const sent = ports * datagram.length;

// Join time: a fresh agent through one seed until it sees every member alive.
const joinMs = [];
for (let j = 0; j < joins; j++) {
  const agent = await start(`j${j}`, seed);
  const total = members + j + 1;
  // From start() returning (its socket bound, its join sent) until it has everyone alive.
  const ms = await until(() => alive(agent) === total, 30_000);
  joinMs.push(ms === null ? null : Math.round(ms));
}
for (const agent of agents) await agent.stop();
console.log(JSON.stringify({
  root, members, tagBytes, ports, convergedMs: converged === null ? null : Math.round(converged),
  attack: { datagramBytes: datagram.length, bytesIn: sent, bytesBack: received, datagramsBack, amplification: Math.round((received / sent) * 100) / 100 },
  joinMs,
}));
