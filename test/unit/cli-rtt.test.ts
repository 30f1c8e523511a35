import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CoordinateView } from '../../src/agent/api.js';
import { runCli, type CliRun } from '../cli-run.js';

const run = (args: readonly string[]): Promise<CliRun> => runCli(args);

function at(name: string, xMs: number): CoordinateView {
  return { name, coordinate: { vec: [xMs / 1000, 0, 0, 0, 0, 0, 0, 0], height: 10e-6, adjustment: 0, error: 0.2 } };
}

describe('gossipd rtt', () => {
  let server: Server | undefined;
  const urls: string[] = [];

  afterEach(async () => {
    urls.length = 0;
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    server = undefined;
  });

  async function fakeAgentHttp(status: number, body: unknown): Promise<string> {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      urls.push(request.url ?? '');
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  // The agent's own coordinate comes first; heights of 10 µs add 0.02 ms to every estimate.
  const coordinates = [at('here', 0), at('far', 80), at('mid', 30)];

  it('estimates from the local agent to NAME, from its coordinates', async () => {
    const http = await fakeAgentHttp(200, coordinates);
    expect(await run(['rtt', 'far', '--http', http])).toEqual({ code: 0, stderr: '', stdout: 'Estimated here <-> far rtt: 80.020 ms\n' });
    expect(urls).toEqual(['/v1/coordinates']);
  });

  it('estimates between two other members, and prints JSON', async () => {
    const http = await fakeAgentHttp(200, coordinates);
    expect((await run(['rtt', 'far', 'mid', '--http', http])).stdout).toBe('Estimated mid <-> far rtt: 50.020 ms\n');
    expect(JSON.parse((await run(['rtt', 'mid', '--json', '--http', http])).stdout)).toEqual({ from: 'here', to: 'mid', rttMs: 30.02 });
  });

  it('fails (exit 1) naming each member without a coordinate', async () => {
    const http = await fakeAgentHttp(200, coordinates);
    const result = await run(['rtt', 'ghost', 'phantom', '--http', http]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no network coordinate of "phantom"');
    expect(result.stderr).toContain('no network coordinate of "ghost"');
    expect(result.stdout).toBe('');
  });

  it('fails on an answer that is not a list of coordinates, and on an agent error', async () => {
    const bad = await fakeAgentHttp(200, [{ name: 'here', coordinate: { vec: ['x'], height: 0, adjustment: 0, error: 1 } }]);
    expect((await run(['rtt', 'here', '--http', bad])).stderr).toMatch(/not a list of coordinates/);
    await new Promise((resolve) => server?.close(resolve));
    const refusing = await fakeAgentHttp(501, { error: 'this agent keeps no network coordinates' });
    const result = await run(['rtt', 'here', '--http', refusing]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no network coordinates/);
  });

  it('needs NAME (usage error, exit 2)', async () => {
    const result = await run(['rtt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing required argument 'name'/);
  });
});
