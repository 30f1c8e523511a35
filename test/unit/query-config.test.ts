import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/codec/limits.js';
import { parseQueryHandlers } from '../../src/config/query-handlers.js';
import { EVENT_LIMITS } from '../../src/agent/limits.js';

describe('--on-query NAME=COMMAND', () => {
  it('reads flags, the environment and the file', () => {
    expect(parseQueryHandlers(['version=gossipd --version', '*=./any.sh'], 'flag')).toEqual({
      ok: true,
      value: [
        { name: 'version', command: 'gossipd --version' },
        { name: '*', command: './any.sh' },
      ],
    });
    expect(parseQueryHandlers('a=./a.sh,b=./b.sh', 'env')).toMatchObject({ ok: true, value: [{ name: 'a' }, { name: 'b' }] });
    expect(parseQueryHandlers({ disk: 'df -h /' }, 'file')).toEqual({ ok: true, value: [{ name: 'disk', command: 'df -h /' }] });
  });

  it('reports every bad entry together: no =, empty command, bad name, a second handler for a name', () => {
    const parsed = parseQueryHandlers(
      ['nothing', 'version=', `${'n'.repeat(LIMITS.maxEventNameBytes + 1)}=x`, 'dup=./a', 'dup=./b', 'ctl\u0007=x'],
      'flag',
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      '"nothing" is not name=command (e.g. version=./version.sh)',
      '"version=": the command is empty (e.g. version=./version.sh)',
      `"${'n'.repeat(LIMITS.maxEventNameBytes + 1)}": query name is ${LIMITS.maxEventNameBytes + 1} UTF-8 bytes (max ${LIMITS.maxEventNameBytes})`,
      '"dup": a second --on-query handler for the same name (one answer per member)',
      '"ctl\\u0007": query name contains control character U+0007 at index 3',
    ]);
  });

  it(`refuses more than ${EVENT_LIMITS.maxHandlers} handlers and commands over ${EVENT_LIMITS.maxCommandBytes} bytes`, () => {
    const many = Array.from({ length: EVENT_LIMITS.maxHandlers + 1 }, (_, i) => `q${i}=echo`);
    expect(parseQueryHandlers(many, 'flag')).toMatchObject({ ok: false, errors: [`${EVENT_LIMITS.maxHandlers + 1} query handlers (at most ${EVENT_LIMITS.maxHandlers})`] });
    expect(parseQueryHandlers([`q=${'x'.repeat(EVENT_LIMITS.maxCommandBytes + 1)}`], 'flag')).toMatchObject({
      ok: false,
      errors: [`q: the command is longer than ${EVENT_LIMITS.maxCommandBytes} bytes`],
    });
  });
});
