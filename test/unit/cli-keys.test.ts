import { afterEach, describe, expect, it } from 'vitest';
import type { AgentApi, KeyOpOutcome, KeyOpReport } from '../../src/agent/api.js';
import { runCli, type CliRun } from '../cli-run.js';
import { parseKey } from '../../src/crypto/keys.js';
import { startHttpServer, type MembershipHttpServer } from '../../src/http/server.js';
import type { KeyOp } from '../../src/protocol/messages.js';

// gossipd keygen, gossipd keys …, and --http-token on the client commands, against a real
// HTTP endpoint serving a fake agent.

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');
const TOKEN = 'a-long-enough-token';

/** `stdin`: what `gossipd keys install -` reads. */
function run(args: readonly string[], env: Record<string, string> = {}, stdin?: string): Promise<CliRun> {
  return runCli(args, {
    env,
    readFile: (path) => {
      if (path === '/dev/stdin' && stdin !== undefined) return stdin;
      throw new Error(`ENOENT: ${path}`);
    },
  });
}

const REPORT: KeyOpReport = {
  op: 'install',
  ok: false,
  members: 3,
  responded: 2,
  keys: [
    { key: K1, id: '1111111111111111', primary: 2, installed: 2 },
    { key: K2, id: '2222222222222222', primary: 0, installed: 2 },
  ],
  nodes: [
    { name: 'a0', ok: true, keyIds: ['1111111111111111', '2222222222222222'] },
    { name: 'a1', ok: true, keyIds: ['1111111111111111', '2222222222222222'] },
    { name: 'a2', ok: false, error: 'no answer within 2s', keyIds: [] },
  ],
};

/** REPORT as GET /v1/keys answers it: ids and counts, no key. */
const PUBLIC_REPORT = {
  ...REPORT,
  keys: [
    { id: '1111111111111111', held: true, primaryHere: true, primary: 2, installed: 2 },
    { id: '2222222222222222', held: true, primaryHere: false, primary: 0, installed: 2 },
  ],
};

const servers: MembershipHttpServer[] = [];
const calls: [KeyOp, string | null][] = [];

afterEach(async () => {
  calls.length = 0;
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function agentHttp(outcome: (op: KeyOp) => KeyOpOutcome, token: string | null = null): Promise<string> {
  const api: AgentApi = {
    members: () => [],
    member: () => undefined,
    // The answering agent is a0, whose primary key is K1.
    self: () => ({ name: 'a0' }) as ReturnType<AgentApi['self']>,
    health: () => {
      throw new Error('not used');
    },
    join: () => Promise.resolve({ ok: true as const, value: { joined: 1 } }),
    leave: () => Promise.resolve(),
    keys: (op, key) => {
      calls.push([op, key]);
      return Promise.resolve(outcome(op));
    },
    setTags: () => {
      throw new Error('not used');
    },
    metrics: () => '',
  };
  const server = await startHttpServer(api, { host: '127.0.0.1', port: 0, token });
  servers.push(server);
  return `127.0.0.1:${server.address.port}`;
}

describe('gossipd keygen', () => {
  it('prints a fresh valid key', async () => {
    const first = await run(['keygen']);
    const second = await run(['keygen']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(parseKey(first.stdout).ok).toBe(true);
    expect(first.stdout).not.toBe(second.stdout);
  });
});

describe('gossipd keys', () => {
  it('list prints each key, how many members use and hold it, and who answered', async () => {
    const http = await agentHttp((op) => ({ ok: true, value: { ...REPORT, op, ok: true, members: 2, nodes: REPORT.nodes.slice(0, 2) } }));
    const result = await run(['keys', 'list', '--http', http]);
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'ID                HERE     PRIMARY  INSTALLED\n' +
        '1111111111111111  primary  2/2      2/2\n' +
        '2222222222222222  held     0/2      2/2\n' +
        '2 of 2 members answered\n',
    });
    expect(calls).toEqual([['list', null]]);
  });

  it('install reports how many members applied it, names the others, and exits 1', async () => {
    const http = await agentHttp(() => ({ ok: true, value: REPORT }));
    const result = await run(['keys', 'install', K2, '--http', http]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('installed on 2 of 3 members\n');
    expect(result.stderr).toBe('gossipd: a2: no answer within 2s\n');
    expect(calls).toEqual([['install', K2]]);
  });

  it('prints a refusal and exits 1', async () => {
    const http = await agentHttp(() => ({ ok: false, reason: 'primary-key', error: 'the key is the primary key: use another key first' }));
    const result = await run(['keys', 'remove', K1, '--http', http]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'gossipd: the key is the primary key: use another key first\n' });
  });

  it('--json prints the report as the agent returns it', async () => {
    const http = await agentHttp((op) => ({ ok: true, value: { ...REPORT, op, ok: true } }));
    const result = await run(['keys', 'use', K2, '--json', '--http', http]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ...PUBLIC_REPORT, op: 'use', ok: true });
  });

  it('never prints a key, in the table or in --json', async () => {
    const http = await agentHttp((op) => ({ ok: true, value: { ...REPORT, op } }));
    for (const args of [['keys', 'list'], ['keys', 'list', '--json'], ['keys', 'install', '-'], ['keys', 'use', '-', '--json']]) {
      const result = await run([...args, '--http', http], {}, `${K2}\n`);
      for (const key of [K1, K2]) {
        expect(result.stdout, args.join(' ')).not.toContain(key.slice(0, 12));
        expect(result.stderr, args.join(' ')).not.toContain(key.slice(0, 12));
      }
    }
  });

  it('"-" reads the key from stdin, so that it is not in argv', async () => {
    const http = await agentHttp((op) => ({ ok: true, value: { ...REPORT, op, ok: true } }));
    expect((await run(['keys', 'install', '-', '--http', http], {}, `  ${K2}\n`)).code).toBe(0);
    expect((await run(['keys', 'remove', '-', '--http', http], {}, '')).code).toBe(0);
    expect(calls).toEqual([
      ['install', K2],
      ['remove', ''],
    ]);
  });

  it('use and remove pass a key id to the agent as given', async () => {
    const http = await agentHttp((op) => ({ ok: true, value: { ...REPORT, op, ok: true } }));
    expect((await run(['keys', 'use', '2222222222222222', '--http', http])).code).toBe(0);
    expect((await run(['keys', 'remove', '1111111111111111', '--http', http])).code).toBe(0);
    expect(calls).toEqual([
      ['use', '2222222222222222'],
      ['remove', '1111111111111111'],
    ]);
  });

  it('needs a key argument', async () => {
    const result = await run(['keys', 'install']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'key'");
  });
});

describe('--http-token', () => {
  it('is sent from the flag or GOSSIPD_HTTP_TOKEN; without it the command says how to pass it', async () => {
    const http = await agentHttp((op) => ({ ok: true, value: { ...REPORT, op, ok: true } }), TOKEN);
    const refused = await run(['keys', 'list', '--http', http]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^gossipd: this request needs "Authorization: Bearer <token>"/);
    expect(refused.stderr).toMatch(/: pass it with --http-token or GOSSIPD_HTTP_TOKEN\n$/);
    const wrong = await run(['keys', 'list', '--http', http, '--http-token', `${TOKEN}-wrong`]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('does not match');
    expect((await run(['keys', 'list', '--http', http, '--http-token', TOKEN])).code).toBe(0);
    expect((await run(['keys', 'list', '--http', http], { GOSSIPD_HTTP_TOKEN: TOKEN })).code).toBe(0);
  });

  it('is taken by join, leave and members too', async () => {
    const http = await agentHttp(() => ({ ok: false, reason: 'primary-key', error: 'unused' }), TOKEN);
    expect((await run(['join', '10.0.0.1:7946', '--http', http])).code).toBe(1);
    expect((await run(['join', '10.0.0.1:7946', '--http', http, '--http-token', TOKEN])).stdout).toBe('joined 1 of 1 seeds\n');
    expect((await run(['leave', '--http', http], { GOSSIPD_HTTP_TOKEN: TOKEN })).code).toBe(0);
    expect((await run(['members', '--http', http, '--http-token', TOKEN])).code).toBe(0);
  });
});
