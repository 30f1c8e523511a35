import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/agent/event-log.js';
import { EventHooks } from '../../src/agent/hooks.js';
import { startReactions } from '../../src/agent/reactions.js';
import type { AgentConfig } from '../../src/config.js';
import type { MembershipEvent } from '../../src/agent/membership-event.js';
import type { EventHandler } from '../../src/config/event-handlers.js';

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

const dirs: string[] = [];
const hooksToClose: EventHooks[] = [];
afterEach(() => {
  for (const hooks of hooksToClose.splice(0)) hooks.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gossipd-hooks-'));
  dirs.push(dir);
  return dir;
}

function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function hooksFor(handlers: readonly EventHandler[], options: { timeoutMs?: number; queueCapacity?: number } = {}): { hooks: EventHooks; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
  const hooks = new EventHooks({
    handlers,
    timeoutMs: options.timeoutMs ?? 10_000,
    logger,
    env: { PATH: process.env['PATH'], GOSSIPD_BY: 'inherited, must not leak' },
    agentEnv: () => ({ GOSSIPD_SELF: 'n1', GOSSIPD_HTTP: '127.0.0.1:7947' }),
    ...(options.queueCapacity === undefined ? {} : { queueCapacity: options.queueCapacity }),
  });
  hooksToClose.push(hooks);
  return { hooks, logs };
}

function failedEvent(id: number): MembershipEvent {
  return {
    id,
    time: '2026-01-02T03:04:05.000Z',
    type: 'member-failed',
    member: 'n2',
    addr: '10.0.0.2:7946',
    status: 'failed',
    previous: 'suspect',
    incarnation: 17,
    by: 'n3',
    tags: { role: 'db' },
  };
}

describe('--on-event hooks', () => {
  it('get no secret from the agent: no GOSSIPD_ENCRYPT, no GOSSIPD_HTTP_TOKEN', async () => {
    const dir = tempDir();
    const key = 'Zq9XvW7kPj3RmT5bYc1NhG8sLd4FwQ0eUa6IoE2tHrM=';
    const token = 'tok-Hq83Jd92LxPz07Vb';
    const path = script(dir, 'dump.sh', `env > "${dir}/env.tmp"; mv "${dir}/env.tmp" "${dir}/env.txt"`);
    const feed = new EventLog({ capacity: 16, startIndex: 0, wallClockMs: () => 0, onListenerError: () => undefined });
    const config = { onEvent: [{ event: '*', command: path }], webhooks: [], hookTimeoutMs: 10_000 } as unknown as AgentConfig;
    const reactions = startReactions(feed, config, {
      logger: pino({ level: 'silent' }),
      env: { PATH: process.env['PATH'], GOSSIPD_ENCRYPT: key, GOSSIPD_HTTP_TOKEN: token, KEPT: 'yes' },
      agentEnv: () => ({ GOSSIPD_SELF: 'n1', GOSSIPD_HTTP: '127.0.0.1:7947' }),
    });
    const { id: _id, time: _time, ...body } = failedEvent(1);
    feed.append(body);
    await reactions?.idle();
    reactions?.close();
    const env = readFileSync(join(dir, 'env.txt'), 'utf8');
    expect(env).toContain('KEPT=yes');
    expect(env).toContain('GOSSIPD_SELF=n1');
    expect(env).not.toContain('GOSSIPD_ENCRYPT');
    expect(env).not.toContain('GOSSIPD_HTTP_TOKEN');
    expect(env).not.toContain(key.slice(0, 12));
    expect(env).not.toContain(token);
  });

  it('give the command the event as JSON on stdin and in GOSSIPD_* variables', async () => {
    const dir = tempDir();
    const path = script(dir, 'failover.sh', `cat > "${dir}/stdin.json"\nenv | grep '^GOSSIPD_' | sort > "${dir}/env.txt"`);
    const { hooks, logs } = hooksFor([{ event: 'member-failed', command: path }]);
    hooks.handle(failedEvent(41));
    await hooks.idle();
    expect(JSON.parse(readFileSync(join(dir, 'stdin.json'), 'utf8'))).toEqual(failedEvent(41));
    expect(readFileSync(join(dir, 'env.txt'), 'utf8').trim().split('\n')).toEqual([
      'GOSSIPD_ACCUSATION=',
      'GOSSIPD_BY=n3',
      'GOSSIPD_EVENT=member-failed',
      'GOSSIPD_EVENT_ID=41',
      'GOSSIPD_EVENT_TIME=2026-01-02T03:04:05.000Z',
      'GOSSIPD_HTTP=127.0.0.1:7947',
      'GOSSIPD_INCARNATION=17',
      'GOSSIPD_MEMBER=n2',
      'GOSSIPD_MEMBER_ADDR=10.0.0.2:7946',
      'GOSSIPD_PREVIOUS_STATUS=suspect',
      'GOSSIPD_SELF=n1',
      'GOSSIPD_STATUS=failed',
      'GOSSIPD_TAGS={"role":"db"}',
      'GOSSIPD_USER_EVENT=',
      'GOSSIPD_USER_EVENT_LTIME=',
    ]);
    expect(logs.find((line) => line.msg === '--on-event command finished')).toMatchObject({ event: 'member-failed', id: 41, command: path });
  });

  it('give a user-event command the payload on stdin and the name in GOSSIPD_USER_EVENT', async () => {
    const dir = tempDir();
    const path = script(dir, 'on-event.sh', `cat > "${dir}/stdin.txt"\nenv | grep '^GOSSIPD_\\(USER_EVENT\\|MEMBER\\|EVENT\\)' | sort > "${dir}/env.txt"`);
    const { hooks } = hooksFor([{ event: 'user-event', command: path }]);
    const payload = 'line one\nline "two" ü';
    hooks.handle({
      id: 7,
      time: '2026-01-02T03:04:05.000Z',
      type: 'user-event',
      member: 'n2',
      name: 'deploy',
      payload,
      ltime: 12,
      eventId: 'n2/5/1',
      coalesce: false,
    });
    await hooks.idle();
    expect(readFileSync(join(dir, 'stdin.txt'), 'utf8')).toBe(payload);
    expect(readFileSync(join(dir, 'env.txt'), 'utf8').trim().split('\n')).toEqual([
      'GOSSIPD_EVENT=user-event',
      'GOSSIPD_EVENT_ID=7',
      'GOSSIPD_EVENT_TIME=2026-01-02T03:04:05.000Z',
      'GOSSIPD_MEMBER=n2',
      'GOSSIPD_MEMBER_ADDR=',
      'GOSSIPD_USER_EVENT=deploy',
      'GOSSIPD_USER_EVENT_LTIME=12',
    ]);
  });

  it('run only for their event, or for every event with *', async () => {
    const dir = tempDir();
    const { hooks } = hooksFor([
      { event: 'member-join', command: `echo join >> "${dir}/ran"` },
      { event: '*', command: `echo "any $GOSSIPD_EVENT" >> "${dir}/ran"` },
    ]);
    hooks.handle(failedEvent(1));
    await hooks.idle();
    expect(readFileSync(join(dir, 'ran'), 'utf8')).toBe('any member-failed\n');
  });

  it('run one at a time per handler, in order', async () => {
    const dir = tempDir();
    const path = script(dir, 'slow.sh', `echo "start $GOSSIPD_EVENT_ID" >> "${dir}/order"\nsleep 0.2\necho "end $GOSSIPD_EVENT_ID" >> "${dir}/order"`);
    const { hooks } = hooksFor([{ event: 'member-failed', command: path }]);
    for (const id of [1, 2, 3]) hooks.handle(failedEvent(id));
    await hooks.idle();
    expect(readFileSync(join(dir, 'order'), 'utf8').trim().split('\n')).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('kill a command (and what it started) after the timeout, logging the end of its stderr', async () => {
    const dir = tempDir();
    const path = script(dir, 'hang.sh', `echo "about to hang" >&2\nsleep 30 &\necho $! > "${dir}/child.pid"\nwait`);
    const { hooks, logs } = hooksFor([{ event: 'member-failed', command: path }], { timeoutMs: 300 });
    const startedMs = Date.now();
    hooks.handle(failedEvent(7));
    await hooks.idle();
    expect(Date.now() - startedMs).toBeLessThan(5000);
    expect(logs.find((line) => line.level === 50)).toMatchObject({
      msg: '--on-event command timed out: killed it and its process group',
      timeout: '300ms',
      stderr: 'about to hang',
      id: 7,
    });
    const childPid = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    // A killed process whose parent died may linger as a zombie until something reaps it: dead all the same.
    const alive = (): boolean => {
      try {
        process.kill(childPid, 0);
      } catch {
        return false;
      }
      const stat = existsSync(`/proc/${childPid}/stat`) ? readFileSync(`/proc/${childPid}/stat`, 'utf8') : '';
      return !/\) Z /.test(stat);
    };
    const deadline = Date.now() + 3000;
    while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive()).toBe(false);
  });

  it('log a failing command with its exit code and stderr, and go on with the next event', async () => {
    const dir = tempDir();
    const { hooks, logs } = hooksFor([{ event: 'member-failed', command: `echo "cannot reach the balancer" >&2; echo ran >> "${dir}/ran"; exit 3` }]);
    hooks.handle(failedEvent(1));
    hooks.handle(failedEvent(2));
    await hooks.idle();
    const failures = logs.filter((line) => line.msg === '--on-event command failed');
    expect(failures.map((line) => [line['id'], line['exitCode'], line['stderr']])).toEqual([
      [1, 3, 'cannot reach the balancer'],
      [2, 3, 'cannot reach the balancer'],
    ]);
    expect(readFileSync(join(dir, 'ran'), 'utf8')).toBe('ran\nran\n');
  });

  it('log a command that is not there (the shell says so on stderr)', async () => {
    const { hooks, logs } = hooksFor([{ event: 'member-failed', command: '/nonexistent/failover.sh' }]);
    hooks.handle(failedEvent(1));
    await hooks.idle();
    const failure = logs.find((line) => line.msg === '--on-event command failed');
    expect(failure?.['exitCode']).toBe(127);
    expect(String(failure?.['stderr'])).toContain('/nonexistent/failover.sh');
  });

  it('drop the oldest waiting event with a warning when a handler falls behind', async () => {
    const dir = tempDir();
    const { hooks, logs } = hooksFor([{ event: 'member-failed', command: `echo "$GOSSIPD_EVENT_ID" >> "${dir}/ran"` }], { queueCapacity: 2 });
    for (const id of [1, 2, 3, 4, 5]) hooks.handle(failedEvent(id));
    await hooks.idle();
    const drops = logs.filter((line) => line.msg === '--on-event command falling behind: dropped the oldest waiting event');
    expect(drops.map((line) => [line['id'], line['dropped']])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(readFileSync(join(dir, 'ran'), 'utf8')).toBe('4\n5\n');
  });

  it('stop on close: waiting events are dropped and nothing new starts', async () => {
    const dir = tempDir();
    const { hooks, logs } = hooksFor([{ event: 'member-failed', command: `sleep 0.2; echo "$GOSSIPD_EVENT_ID" >> "${dir}/ran"` }]);
    hooks.handle(failedEvent(1));
    hooks.handle(failedEvent(2));
    hooks.close();
    await hooks.idle();
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(logs.some((line) => line.msg === 'agent stopping: events waiting for an --on-event command were dropped')).toBe(true);
  });
});
