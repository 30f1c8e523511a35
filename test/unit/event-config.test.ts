import { describe, expect, it } from 'vitest';
import { resolveConfig, type AgentConfig, type ConfigSources } from '../../src/config.js';
import { KEY_SPECS } from '../../src/config/keys.js';

function sources(flags: Record<string, unknown>, env: Record<string, string> = {}, file?: Record<string, unknown>): ConfigSources {
  return {
    flags,
    env: file === undefined ? env : { ...env, GOSSIPD_CONFIG: 'gossipd.json' },
    readFile: () => JSON.stringify(file),
    hostname: 'host-a',
  };
}

function resolveOk(...args: Parameters<typeof sources>): AgentConfig {
  const result = resolveConfig(sources(...args));
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.value;
}

function resolveErrors(...args: Parameters<typeof sources>): readonly string[] {
  const result = resolveConfig(sources(...args));
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('--on-event, --hook-timeout and --webhook', () => {
  it('are each a flag, a GOSSIPD_ variable and a file key', () => {
    expect([KEY_SPECS.onEvent.flag, KEY_SPECS.onEvent.env, KEY_SPECS.onEvent.key]).toEqual(['--on-event', 'GOSSIPD_ON_EVENT', 'onEvent']);
    expect([KEY_SPECS.hookTimeoutMs.flag, KEY_SPECS.hookTimeoutMs.env, KEY_SPECS.hookTimeoutMs.key]).toEqual([
      '--hook-timeout',
      'GOSSIPD_HOOK_TIMEOUT',
      'hookTimeout',
    ]);
    expect([KEY_SPECS.webhooks.flag, KEY_SPECS.webhooks.env, KEY_SPECS.webhooks.key]).toEqual(['--webhook', 'GOSSIPD_WEBHOOKS', 'webhooks']);
  });

  it('default to no handlers, a 30 s timeout and no webhooks', () => {
    expect(resolveOk({})).toMatchObject({ onEvent: [], hookTimeoutMs: 30_000, webhooks: [] });
  });

  it('read repeated flags, whose commands may hold commas and arguments', () => {
    const config = resolveOk({
      onEvent: ['member-failed=./failover.sh --fast', '*=logger -t gossipd a,b'],
      hookTimeout: '5s',
      webhook: ['https://ops.example/hook?token=s3cret', 'http://127.0.0.1:9000/events'],
    });
    expect(config.onEvent).toEqual([
      { event: 'member-failed', command: './failover.sh --fast' },
      { event: '*', command: 'logger -t gossipd a,b' },
    ]);
    expect(config.hookTimeoutMs).toBe(5000);
    expect(config.webhooks).toEqual(['https://ops.example/hook?token=s3cret', 'http://127.0.0.1:9000/events']);
  });

  it('read comma-separated environment variables', () => {
    const config = resolveOk({}, { GOSSIPD_ON_EVENT: 'member-join=./up.sh,member-leave=./down.sh', GOSSIPD_WEBHOOKS: 'https://a.example/x,https://b.example/y' });
    expect(config.onEvent.map((h) => h.event)).toEqual(['member-join', 'member-leave']);
    expect(config.webhooks).toHaveLength(2);
  });

  it('read an object (or an array) of handlers and an array of URLs from the file', () => {
    const config = resolveOk({}, {}, { onEvent: { 'member-failed': './failover.sh', '*': ['./a.sh', './b.sh'] }, hookTimeout: 1500, webhooks: ['https://a.example/x'] });
    expect(config.onEvent).toEqual([
      { event: 'member-failed', command: './failover.sh' },
      { event: '*', command: './a.sh' },
      { event: '*', command: './b.sh' },
    ]);
    expect(config.hookTimeoutMs).toBe(1500);
    expect(resolveOk({}, {}, { onEvent: ['member-suspect=./s.sh'] }).onEvent).toEqual([{ event: 'member-suspect', command: './s.sh' }]);
  });

  it('report every bad handler and URL together, naming the source', () => {
    const errors = resolveErrors(
      { onEvent: ['member-fail=./x.sh', 'member-join=', 'nothing'], webhook: ['ftp://files.example/x', 'https://user:pw@ops.example/x', 'not a url'] },
      { GOSSIPD_HOOK_TIMEOUT: '30' },
    );
    expect(errors).toEqual([
      '--on-event: "member-fail" is not an event (did you mean "member-failed"?): use member-join, member-alive, member-suspect, member-failed, member-leave, member-update, member-reap, refute, user-event or *',
      '--on-event: "member-join=": the command is empty (e.g. member-failed=./failover.sh)',
      '--on-event: "nothing" is not event=command (e.g. member-failed=./failover.sh)',
      'GOSSIPD_HOOK_TIMEOUT: "30" needs a unit (e.g. 30ms or 30s)',
      '--webhook: "ftp://files.example": a webhook URL must be http or https',
      '--webhook: https://…@ops.example: a webhook URL must not hold credentials (put a secret in its path or query)',
      '--webhook: "not a url" is not a URL (e.g. https://ops.example/gossipd)',
    ]);
  });

  it('refuses a file value of the wrong shape', () => {
    expect(resolveErrors({}, {}, { onEvent: { 'member-failed': 3 } })).toEqual(['gossipd.json: onEvent: "member-failed": 3 is not a command string or an array of them']);
    expect(resolveErrors({}, {}, { webhooks: 5 })).toEqual(['gossipd.json: webhooks: 5 is not an array of URLs']);
  });
});
