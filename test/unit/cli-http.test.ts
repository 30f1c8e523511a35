import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callAgent } from '../../src/cli/http-client.js';
import { sendHttp } from '../../src/cli/http-transport.js';
import { processIo, type CliIo } from '../../src/cli/io.js';

// The client commands' own HTTP client (node:http, not fetch): what each way a call can end
// becomes. A real server on 127.0.0.1, port 0.

const io: CliIo = { ...processIo(), http: sendHttp };
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('callAgent over node:http', () => {
  it('sends the method, token and JSON body, and reads the JSON answer', async () => {
    const seen: string[] = [];
    const base = await listen((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push(`${request.method} ${request.url} ${request.headers['authorization']} ${request.headers['content-type']} ${body}`);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"joined":2,"name":"é"}');
      });
    });
    const reply = await callAgent(io, base, { method: 'POST', path: '/v1/join', body: { addrs: ['a:1'] }, timeoutMs: 5000, token: 't0k' });
    expect(seen).toEqual(['POST /v1/join Bearer t0k application/json {"addrs":["a:1"]}']);
    expect(reply).toEqual({ ok: true, value: { status: 200, text: '{"joined":2,"name":"é"}', json: { joined: 2, name: 'é' } } });
  });

  it('names the timeout when the agent accepts the connection but never answers', async () => {
    const base = await listen(() => undefined);
    const reply = await callAgent(io, base, { method: 'GET', path: '/v1/members', timeoutMs: 200 });
    expect(reply).toEqual({ ok: false, reason: 'timeout', error: `the agent at ${base} did not answer within 200ms` });
  });

  it('says the agent is unreachable when nothing listens', async () => {
    const base = await listen(() => undefined);
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const reply = await callAgent(io, base, { method: 'GET', path: '/v1/members', timeoutMs: 5000 });
    expect(reply).toEqual({ ok: false, reason: 'unreachable', error: `cannot reach the agent at ${base} (is 'gossipd agent' running?)` });
  });

  it("passes on the agent's error, and refuses an answer that is not JSON", async () => {
    const base = await listen((request, response) => {
      if (request.url === '/bad') response.writeHead(400).end('{"error":"status: \\"x\\" is not a member status"}');
      else response.writeHead(200).end('<html>');
    });
    expect(await callAgent(io, base, { method: 'GET', path: '/bad', timeoutMs: 5000 })).toEqual({
      ok: false,
      reason: 'http-error',
      error: 'status: "x" is not a member status',
    });
    expect(await callAgent(io, base, { method: 'GET', path: '/html', timeoutMs: 5000 })).toEqual({
      ok: false,
      reason: 'not-json',
      error: `unexpected answer from the agent at ${base}: not JSON`,
    });
  });
});
