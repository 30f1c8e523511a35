import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAgent, type Agent } from '../../src/agent/index.js';
import type { ShutdownSignal } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { SseParser } from '../../src/cli/sse-parser.js';
import { formatWatchLine, WATCH_HEADER } from '../../src/cli/watch-format.js';
import { fastConfig, waitFor } from '../integration/helpers.js';

describe('SseParser', () => {
  it('reads messages split anywhere, with CRLF or LF, comments, multi-line data and sticky ids', () => {
    const parser = new SseParser();
    const text = 'retry: 2000\r\n: hello\r\n\r\nid: 7\r\nevent: member-join\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: x\n\n';
    const messages = [];
    for (let i = 0; i < text.length; i += 3) messages.push(...parser.feed(text.slice(i, i + 3)));
    expect(messages).toEqual([
      { event: 'member-join', data: '{"a":\n1}', lastEventId: '7' },
      { event: 'message', data: 'x', lastEventId: '7' },
    ]);
  });
});

describe('watch lines', () => {
  it('align time, event, member, from→to, by and details under the header', () => {
    const failed = {
      id: 5,
      time: '2026-11-25T18:13:10.123Z',
      type: 'member-failed',
      member: 'n2',
      addr: '127.0.0.1:7002',
      status: 'failed',
      previous: 'suspect',
      incarnation: 3,
      by: 'n1',
      tags: { zone: 'a', role: 'web' },
    };
    const joined = { ...failed, type: 'member-join', status: 'alive', previous: null, by: 'n3', member: 'n3', tags: {} };
    expect(WATCH_HEADER + formatWatchLine('member-failed', failed) + formatWatchLine('member-join', joined)).toBe(
      [
        'TIME                      EVENT           MEMBER            FROM→TO           BY                DETAIL',
        '2026-11-25T18:13:10.123Z  member-failed   n2                suspect→failed    n1                127.0.0.1:7002 role=web,zone=a',
        '2026-11-25T18:13:10.123Z  member-join     n3                none→alive        n3                127.0.0.1:7002',
        '',
      ].join('\n'),
    );
    expect(formatWatchLine('refute', { time: failed.time, member: 'n1', accusation: 'suspect', incarnation: 9 })).toContain('refuted "suspect" with incarnation 9');
    expect(formatWatchLine('gap', { type: 'gap', lastEventId: 1, firstId: 9, lost: 7 })).toContain('7 events were lost');
    const userEvent = { time: failed.time, type: 'user-event', member: 'n2', name: 'deploy', payload: 'v42\nok', ltime: 7 };
    expect(formatWatchLine('user-event', userEvent)).toMatch(/^2026-11-25T18:13:10\.123Z {2}user-event {6}n2 .* deploy \(ltime 7\) "v42\\nok"\n$/);
    expect(formatWatchLine('member-join', 'nonsense')).toBeNull();
  });
});

describe('gossipd watch', () => {
  const agents: Agent[] = [];
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
  });

  async function startAgent(name: string, overrides: Parameters<typeof fastConfig>[1] = {}): Promise<Agent> {
    const agent = createAgent(fastConfig(name, overrides), { monitorLoopDelay: false });
    agents.push(agent);
    await agent.start();
    return agent;
  }

  function watch(args: readonly string[]) {
    const output = { stdout: '', stderr: '' };
    const listeners: ((signal: ShutdownSignal) => void)[] = [];
    const code = main(['node', 'gossipd', 'watch', ...args], {
      stdout: (text) => (output.stdout += text),
      stderr: (text) => (output.stderr += text),
      env: {},
      signals: { on: (_signal, listener) => listeners.push(listener), off: () => undefined },
    });
    return { output, code, interrupt: () => listeners.forEach((listener) => listener('SIGINT')) };
  }

  it('prints one aligned line per event until interrupted, then exits 0', async () => {
    const observer = await startAgent('w0');
    const run = watch(['--http', observer.boundAddresses.http]);
    // The header comes once connected, and the agent subscribes the stream before its headers go out.
    expect(await waitFor(() => run.output.stdout.startsWith('TIME'), 5000)).toBe(true);
    await startAgent('w1', { join: [observer.boundAddresses.udp] });
    expect(await waitFor(() => /member-join +w1 +none→alive +w1 +127\.0\.0\.1:\d+\n/.test(run.output.stdout), 10_000)).toBe(true);
    run.interrupt();
    expect(await run.code).toBe(0);
    expect(run.output.stderr).toBe('');
  });

  it('prints JSON lines with --json, and resumes with Last-Event-ID after the agent restarts', async () => {
    const first = await startAgent('r0');
    const port = Number(first.boundAddresses.http.split(':')[1]);
    const subscribe = vi.spyOn(first.events, 'subscribe');
    const run = watch(['--http', first.boundAddresses.http, '--json']);
    // No header in JSON mode to tell it is connected: wait until the agent has subscribed the
    // stream to its event log, which it does before the response's headers go out.
    expect(await waitFor(() => subscribe.mock.calls.length === 1, 5000)).toBe(true);
    const peer = await startAgent('r1', { join: [first.boundAddresses.udp] });
    expect(await waitFor(() => run.output.stdout.includes('"member":"r1"'), 10_000)).toBe(true);
    const seen = run.output.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: number; type: string });
    expect(seen[0]).toMatchObject({ type: 'member-join' });
    await peer.stop();
    await first.stop();
    expect(await waitFor(() => run.output.stderr.includes('reconnecting'), 5000)).toBe(true);
    // The same HTTP address, a new run of the agent: its ids are all newer, so it reports a gap of unknown size.
    const second = await startAgent('r0', { http: { host: '127.0.0.1', port } });
    expect(await waitFor(() => run.output.stdout.includes('"type":"gap"'), 10_000)).toBe(true);
    expect(run.output.stderr).toContain('reconnected');
    const gap = run.output.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).find((e) => e['type'] === 'gap');
    expect(gap).toMatchObject({ lastEventId: seen.at(-1)?.id, lost: null });
    expect(Number(gap?.['firstId'])).toBe(second.events.index() + 1);
    run.interrupt();
    expect(await run.code).toBe(0);
  });

  it('exits 1 when the agent cannot be reached at first', async () => {
    const run = watch(['--http', '127.0.0.1:1']);
    expect(await run.code).toBe(1);
    expect(run.output.stderr).toBe("gossipd: cannot reach the agent at http://127.0.0.1:1/v1/events (is 'gossipd agent' running?)\n");
  });
});
