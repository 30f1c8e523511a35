import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/agent.js';
import type { MemberView } from '../../src/agent/api.js';
import type { HttpSend } from '../../src/cli/http-transport.js';
import type { ShutdownSignal } from '../../src/cli/io.js';
import { runCli } from '../cli-run.js';
import type { AgentConfig } from '../../src/config.js';
import { KEY_SPECS } from '../../src/config/keys.js';

const run = runCli;

describe('gossipd help, version and usage errors', () => {
  it('--help exits 0 and lists the commands', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['agent', 'members', 'join', 'leave']) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('--version prints the package version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('agent --help lists every timing flag with its default, and --data-dir', async () => {
    const result = await run(['agent', '--help']);
    expect(result.code).toBe(0);
    const timingFlags = Object.values(KEY_SPECS).filter((spec) => spec.group === 'timing').map((spec) => spec.flag);
    expect(timingFlags).toHaveLength(18);
    for (const flag of timingFlags) expect(result.stdout).toContain(flag);
    expect(result.stdout).toContain('--probe-interval <duration>');
    expect(result.stdout.replace(/\s+/g, ' ')).toContain('protocol period: one member probed per period (default: 1s; lan 1s, wan 5s, local 1s)');
    expect(result.stdout).toContain('--pause-tolerance <duration>');
    expect(result.stdout).toContain('--data-dir <dir>');
    expect(result.stdout).toContain('--reconnect-timeout <duration>');
  });

  it.each([
    [['agent', '--bogus'], "gossipd: unknown option '--bogus'"],
    [['frobnicate'], "gossipd: unknown command 'frobnicate'"],
    [['join'], "gossipd: missing required argument 'addrs'"],
    [['members', '--http'], "gossipd: option '--http <host:port>' argument missing"],
    [['leave', 'now'], 'gossipd: too many arguments'],
  ])('%j exits 2 naming the problem', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('without a command prints help to stderr and exits 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: gossipd');
  });
});

describe('gossipd agent', () => {
  it('reports every config error as a gossipd: line and exits 2', async () => {
    const result = await run(['agent', '--probe-interval', 'fast', '--gossip-fanout', '0'], {
      env: { GOSSIPD_MAX_PACKET_SIZE: '10' },
    });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'gossipd: --probe-interval: "fast" is not a duration (use e.g. 500ms, 2s)\n' +
        'gossipd: --gossip-fanout: 0 must be at least 1\n' +
        'gossipd: GOSSIPD_MAX_PACKET_SIZE: 10 is out of range (576..9216 bytes)\n',
    });
  });

  it('starts the agent with the resolved config and leaves on SIGTERM', async () => {
    const fake = fakeAgent();
    const signals = fakeSignals();
    const logs = logSink();
    const pending = run(['agent', '--name', 'n1', '--bind', ':0', '--tag', 'role=web', '--join', 'a:1', '--join', 'b:2'], {
      createAgent: fake.create,
      signals: signals.source,
      logStream: logs.stream,
      hostname: () => 'ignored',
    });
    await until(() => signals.count() === 2);
    expect(fake.config()).toMatchObject({
      name: 'n1',
      bind: { host: '0.0.0.0', port: 0 },
      tags: { role: 'web' },
      join: ['a:1', 'b:2'],
    });
    signals.emit('SIGTERM');
    expect(await pending).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(fake.calls).toEqual(['start', 'leave']);
    expect(signals.count()).toBe(0);
    const running = logs.lines().find((line) => line['msg'] === 'agent running');
    expect(running).toMatchObject({ name: 'n1', udp: '127.0.0.1:1234', level: 30 });
  });

  it('stops at once on a second signal', async () => {
    const fake = fakeAgent({ leaveHangs: true });
    const signals = fakeSignals();
    const pending = run(['agent'], { createAgent: fake.create, signals: signals.source, logStream: logSink().stream });
    await until(() => signals.count() === 2);
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    expect((await pending).code).toBe(0);
    expect(fake.calls).toEqual(['start', 'leave', 'stop']);
  });

  it('exits 1 naming the address when it is already in use', async () => {
    const inUse = Object.assign(new Error('bind EADDRINUSE 0.0.0.0:7946'), { code: 'EADDRINUSE', address: '0.0.0.0', port: 7946 });
    const fake = fakeAgent({ startError: inUse });
    const result = await run(['agent'], { createAgent: fake.create, signals: fakeSignals().source, logStream: logSink().stream });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'gossipd: cannot start: 0.0.0.0:7946 is already in use (another agent running? choose another with --bind or --http)\n',
    );
    expect(fake.calls).toEqual(['start', 'stop']);
  });

  it('finds the socket error under a wrapper, and otherwise shows the message', async () => {
    const cause = Object.assign(new Error('listen EACCES'), { code: 'EACCES', address: '127.0.0.1', port: 80 });
    const wrapped = new Error('cannot listen for HTTP on 127.0.0.1:80', { cause });
    const denied = await run(['agent'], { createAgent: fakeAgent({ startError: wrapped }).create, logStream: logSink().stream });
    expect(denied.stderr).toBe('gossipd: cannot start: no permission to listen on 127.0.0.1:80 (ports below 1024 need privileges)\n');
    const broken = await run(['agent'], { createAgent: fakeAgent({ startError: new Error('boom') }).create, logStream: logSink().stream });
    expect(broken).toMatchObject({ code: 1, stderr: 'gossipd: cannot start the agent: boom\n' });
  });
});

describe('gossipd members, join and leave against a fake agent', () => {
  const members: MemberView[] = [
    { name: 'web-2', addr: '::1', port: 7001, status: 'suspect', incarnation: 12, tags: {}, since: '2024-05-01T10:00:02.000Z' },
    {
      name: 'db-1',
      addr: '10.0.0.1',
      port: 7946,
      status: 'alive',
      incarnation: 1714557600,
      tags: { zone: 'a', role: 'db' },
      since: '2024-05-01T10:00:00.000Z',
    },
  ];
  let server: Server | undefined;
  const requests: Array<{ method: string; url: string; body: string }> = [];

  afterEach(async () => {
    requests.length = 0;
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    server = undefined;
  });

  async function fakeAgentHttp(answer: (request: IncomingMessage, body: string) => [number, unknown]): Promise<string> {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        requests.push({ method: request.method ?? '', url: request.url ?? '', body });
        const [status, json] = answer(request, body);
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('prints an aligned table sorted by name', async () => {
    const http = await fakeAgentHttp(() => [200, members]);
    const result = await run(['members', '--http', http]);
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'NAME   ADDRESS        STATUS   INCARNATION  SINCE                     TAGS\n' +
        'db-1   10.0.0.1:7946  alive    1714557600   2024-05-01T10:00:00.000Z  role=db,zone=a\n' +
        'web-2  [::1]:7001     suspect  12           2024-05-01T10:00:02.000Z\n',
    });
    expect(requests).toEqual([{ method: 'GET', url: '/v1/members', body: '' }]);
  });

  it('--json prints the array as returned and passes the status filter', async () => {
    const http = await fakeAgentHttp(() => [200, members]);
    const result = await run(['members', '--json', '--status', 'alive,suspect'], { env: { GOSSIPD_HTTP: http } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(members);
    expect(requests[0]?.url).toBe('/v1/members?status=alive,suspect');
  });

  it('refuses a bad --status value with exit 2', async () => {
    const result = await run(['members', '--status', 'alive,dead']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'gossipd: --status: "dead" is not a member status (use alive, suspect, failed or left)\n',
    });
  });

  it('says the agent cannot be reached when nothing listens', async () => {
    const http = await fakeAgentHttp(() => [200, []]);
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const result = await run(['members', '--http', http]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `gossipd: cannot reach the agent at http://${http} (is 'gossipd agent' running?)\n`,
    });
  });

  it('refuses a bad GOSSIPD_HTTP with exit 2', async () => {
    expect(await run(['leave'], { env: { GOSSIPD_HTTP: 'localhost' } })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'gossipd: GOSSIPD_HTTP: "localhost" needs a port (e.g. localhost:7947)\n',
    });
  });

  it('uses 127.0.0.1:7947 by default', async () => {
    const urls: string[] = [];
    const refused: HttpSend = (exchange) => {
      urls.push(exchange.url);
      return Promise.reject(new Error('connect ECONNREFUSED'));
    };
    const result = await run(['leave'], { http: refused });
    expect(urls).toEqual(['http://127.0.0.1:7947/v1/leave']);
    expect(result.stderr).toBe("gossipd: cannot reach the agent at http://127.0.0.1:7947 (is 'gossipd agent' running?)\n");
    expect(result.code).toBe(1);
  });

  it('join posts the seeds and prints how many answered', async () => {
    const http = await fakeAgentHttp(() => [200, { joined: 1 }]);
    const result = await run(['join', '10.0.0.1:7946', '[::1]:7946', '--http', http]);
    expect(result).toEqual({ code: 0, stdout: 'joined 1 of 2 seeds\n', stderr: '' });
    expect(requests).toEqual([{ method: 'POST', url: '/v1/join', body: '{"addrs":["10.0.0.1:7946","[::1]:7946"]}' }]);
  });

  it('join exits 1 when no seed answered', async () => {
    const http = await fakeAgentHttp(() => [200, { joined: 0 }]);
    const result = await run(['join', 'a:1', '--http', http]);
    expect(result).toMatchObject({ code: 1, stdout: 'joined 0 of 1 seeds\n' });
    // An enforced cluster drops a keyless agent's datagrams silently: the hint says so.
    expect(result.stderr).toContain('an encrypted cluster (gossipd keys enforce) drops the datagrams of an agent without its key');
  });

  it('join refuses a bad address before calling the agent', async () => {
    const result = await run(['join', 'nohost']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'gossipd: "nohost" needs a port (e.g. nohost:7946)\n' });
  });

  it('prints the error of an HTTP error response and exits 1', async () => {
    const http = await fakeAgentHttp(() => [400, { error: 'addrs must be a non-empty array' }]);
    expect(await run(['join', 'a:1', '--http', http])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'gossipd: addrs must be a non-empty array\n',
    });
  });

  it('leave confirms', async () => {
    const http = await fakeAgentHttp(() => [200, {}]);
    const result = await run(['leave', '--http', http]);
    expect(result).toEqual({ code: 0, stdout: `the agent at http://${http} is leaving the cluster\n`, stderr: '' });
    expect(requests).toEqual([{ method: 'POST', url: '/v1/leave', body: '' }]);
  });
});

interface FakeAgentOptions {
  readonly startError?: Error;
  readonly leaveHangs?: boolean;
}

function fakeAgent(options: FakeAgentOptions = {}) {
  const calls: string[] = [];
  let seen: AgentConfig | undefined;
  const create = (config: AgentConfig): Agent => {
    seen = config;
    let markStopped = (): void => undefined;
    const stopped = new Promise<void>((resolve) => {
      markStopped = resolve;
    });
    const agent: Partial<Agent> = {
      name: config.name,
      stopped,
      boundAddresses: { udp: '127.0.0.1:1234', http: '127.0.0.1:1235' },
      start: async () => {
        calls.push('start');
        if (options.startError !== undefined) throw options.startError;
      },
      leave: async () => {
        calls.push('leave');
        if (options.leaveHangs !== true) markStopped();
      },
      stop: async () => {
        calls.push('stop');
        markStopped();
      },
    };
    // The CLI uses only the members above; the rest of the interface is the agent's business.
    return agent as Agent;
  };
  return { create, calls, config: () => seen };
}

function fakeSignals() {
  const listeners = new Map<ShutdownSignal, Array<(signal: ShutdownSignal) => void>>();
  const source = {
    on: (signal: ShutdownSignal, listener: (signal: ShutdownSignal) => void) => {
      listeners.set(signal, [...(listeners.get(signal) ?? []), listener]);
    },
    off: (signal: ShutdownSignal, listener: (signal: ShutdownSignal) => void) => {
      listeners.set(
        signal,
        (listeners.get(signal) ?? []).filter((existing) => existing !== listener),
      );
    },
  };
  return {
    source,
    emit: (signal: ShutdownSignal) => {
      for (const listener of listeners.get(signal) ?? []) listener(signal);
    },
    count: () => [...listeners.values()].reduce((sum, list) => sum + list.length, 0),
  };
}

function logSink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const lines = (): Array<Record<string, unknown>> =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}
