import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AgentApi, MemberView } from '../../src/agent/api.js';
import { EventLog } from '../../src/agent/event-log.js';
import { renderExposition } from '../../src/metrics/exposition.js';
import type { MemberStatus } from '../../src/protocol/types.js';

// A made-up agent for the /ui page: members, a real EventLog to append events to, metrics in
// the agent's format, and synthetic network coordinates behind a small proxy. Put the real
// HTTP server (startHttpServer) in front of its api(). Used by test/browser/ui-fake.test.ts
// and bench/ui-render.ts.

export interface FakeAgentOptions {
  /** Without one the agent answers /v1/events with 501, as an embedder may choose. */
  readonly withEventLog: boolean;
}


export class FakeAgent {
  readonly members = new Map<string, MemberView>();
  readonly log = new EventLog({ capacity: 1024, startIndex: Date.now() * 1000, wallClockMs: Date.now, onListenerError: () => undefined });

  constructor(
    count: number,
    private readonly options: FakeAgentOptions,
  ) {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    for (let i = 0; i < count; i++) {
      const name = `node-${String(i).padStart(4, '0')}`;
      this.members.set(name, {
        name,
        addr: `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`,
        port: 7946,
        status: 'alive',
        incarnation: 1_764_000_000 + i,
        tags: { role: ['web', 'db', 'cache', 'queue'][i % 4] ?? 'web', zone: `zone-${i % 3}`, version: '1.4.2' },
        since,
      });
    }
  }

  /** A status change, as the agent would log it, applied to the table too. */
  change(name: string, status: MemberStatus): void {
    const before = this.members.get(name);
    if (before === undefined) return;
    const after: MemberView = { ...before, status, since: new Date().toISOString(), incarnation: before.incarnation + (status === 'alive' ? 1 : 0) };
    this.members.set(name, after);
    const type = status === 'alive' ? 'member-alive' : status === 'suspect' ? 'member-suspect' : status === 'failed' ? 'member-failed' : 'member-leave';
    this.log.append({ type, member: name, addr: `${after.addr}:${after.port}`, status, previous: before.status, incarnation: after.incarnation, by: 'node-0000', tags: after.tags });
  }

  api(): AgentApi {
    const self = (): MemberView => this.members.get('node-0000')!;
    const counts = (): Record<MemberStatus, number> => {
      const c = { alive: 0, suspect: 0, failed: 0, left: 0 };
      for (const m of this.members.values()) c[m.status] += 1;
      return c;
    };
    return {
      members: () => [...this.members.values()],
      member: (name) => this.members.get(name),
      self: () => ({
        ...self(),
        healthScore: 0,
        config: {
          cluster: 'bench-ui',
          profile: 'default',
          bind: '10.0.0.0:7946',
          advertise: '10.0.0.0:7946',
          http: '127.0.0.1:0',
          join: [],
          probeIntervalMs: 1000,
          probeTimeoutMs: 500,
          pauseToleranceMs: 3000,
          suspicionMult: 4,
          gossipIntervalMs: 200,
          maxPacketBytes: 1400,
          encrypted: false,
        },
      }),
      health: () => ({ status: 'ok', name: 'node-0000', uptimeMs: 1, healthScore: 0, members: counts(), droppedPackets: 3 }),
      join: () => Promise.resolve({ ok: true, value: { joined: 0 } }),
      leave: () => Promise.resolve(),
      keys: () => Promise.resolve({ ok: false, reason: 'encryption-off', error: 'off' }),
      setTags: () => ({ ...self(), healthScore: 0, config: this.api().self().config }),
      metrics: () => fakeMetrics(counts()),
      ...(this.options.withEventLog ? { events: this.log } : {}),
    };
  }
}

function fakeMetrics(counts: Record<MemberStatus, number>): string {
  return renderExposition([
    { type: 'gauge', name: 'gossipd_health_score', help: 'h', samples: [{ labels: {}, value: 0 }] },
    { type: 'gauge', name: 'gossipd_members', help: 'm', samples: Object.entries(counts).map(([status, value]) => ({ labels: { status }, value })) },
    {
      type: 'counter',
      name: 'gossipd_probes_total',
      help: 'p',
      samples: [
        { labels: { result: 'direct_ok' }, value: 35_912 },
        { labels: { result: 'indirect_ok' }, value: 41 },
        { labels: { result: 'failed' }, value: 7 },
      ],
    },
    {
      type: 'histogram',
      name: 'gossipd_probe_rtt_seconds',
      help: 'r',
      samples: [{ labels: {}, bounds: [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], counts: [20, 900, 9000, 15000, 7000, 3000, 800, 150, 40, 3, 0, 0, 0, 0, 0], sum: 70 }],
    },
    {
      type: 'counter',
      name: 'gossipd_packets_dropped_total',
      help: 'd',
      samples: ['too-large', 'too-short', 'bad-version', 'wrong-cluster', 'malformed', 'invalid-message', 'rate-limited'].map((reason, i) => ({ labels: { reason }, value: i === 3 ? 3 : 0 })),
    },
  ]);
}

/**
 * GET /v1/coordinates for `names`: three regions about 40 and 90 ms apart, member i in region
 * i % 3, scattered around its centre with a standard deviation of `spreadSeconds` per axis;
 * seconds, like Vivaldi's. Deterministic.
 */
export function fakeCoordinates(names: readonly string[], spreadSeconds: number): string {
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  /** Box–Muller: a normal deviate, so each region is a round cloud rather than a cube. */
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const centres = [
    [0, 0, 0, 0, 0, 0, 0, 0],
    [0.04, 0.01, 0, 0, 0, 0, 0, 0],
    [0.02, 0.085, 0, 0, 0, 0, 0, 0],
  ];
  return JSON.stringify(
    names.map((name, i) => ({
      name,
      coordinate: {
        vec: (centres[i % 3] ?? [0]).map((c) => c + gaussian() * spreadSeconds),
        height: 0.0002 + next() * 0.0005,
        adjustment: (next() - 0.5) * 0.0002,
        error: 0.2 + next() * 0.3,
      },
    })),
  );
}

/** Answers GET /v1/coordinates itself and passes every other request to the agent's server. */
export function startCoordinatesProxy(upstream: { host: string; port: number }, body: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/v1/coordinates') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const forward = httpRequest({ host: upstream.host, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
