import { describe, expect, it } from 'vitest';
import { configSummary, resolveConfig, type AgentConfig, type ConfigSources } from '../../src/config.js';
import { parseAddress } from '../../src/config/address.js';
import { parseDuration } from '../../src/config/duration.js';
import { PROFILE_NAMES, PROFILES } from '../../src/protocol/options.js';

/** A valid key (base64 of 32 bytes), as `gossipd keygen` prints one. */
const KEY_A = Buffer.alloc(32, 1).toString('base64');

interface Input {
  readonly flags?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  /** Contents of "gossipd.json"; the file is used when GOSSIPD_CONFIG or --config names it. */
  readonly file?: string | Record<string, unknown>;
}

function sources(input: Input): ConfigSources {
  const fileText = typeof input.file === 'string' ? input.file : JSON.stringify(input.file);
  const env: Record<string, string> = { ...input.env };
  if (input.file !== undefined && input.flags?.['config'] === undefined) env['GOSSIPD_CONFIG'] ??= 'gossipd.json';
  return {
    flags: input.flags ?? {},
    env,
    readFile: (path) => {
      if (path !== 'gossipd.json') throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return fileText;
    },
    hostname: 'host-a',
  };
}

function resolveOk(input: Input): AgentConfig {
  const result = resolveConfig(sources(input));
  if (!result.ok) throw new Error(`expected a config, got errors:\n${result.errors.join('\n')}`);
  return result.value;
}

function resolveErrors(input: Input): readonly string[] {
  const result = resolveConfig(sources(input));
  if (result.ok) throw new Error('expected errors, got a config');
  return result.errors;
}

describe('resolveConfig defaults', () => {
  it('uses the host name, the default addresses and the tolerance profile (3 s)', () => {
    expect(resolveOk({})).toEqual({
      ...PROFILES.tolerance,
      name: 'host-a',
      bind: { host: '0.0.0.0', port: 7946 },
      advertise: null,
      join: [],
      http: { host: '127.0.0.1', port: 7947 },
      tags: {},
      cluster: 'default',
      profile: 'tolerance',
      logLevel: 'info',
      dataDir: null,
      encrypt: null,
      keyringFile: null,
      httpToken: null,
      onEvent: [],
      onQuery: [],
      hookTimeoutMs: 30_000,
      webhooks: [],
    });
  });

  it.each(PROFILE_NAMES)('takes every timing default from profile %s, from any source', (profile) => {
    for (const input of [{ flags: { profile } }, { env: { GOSSIPD_PROFILE: profile } }, { file: { profile } }]) {
      const config = resolveOk(input);
      expect(config.profile).toBe(profile);
      expect(config).toMatchObject(PROFILES[profile]);
    }
  });
});

describe('resolveConfig precedence: flag > env > file > profile', () => {
  const flag = { flags: { probeInterval: '1500ms' } };
  const env = { env: { GOSSIPD_PROBE_INTERVAL: '2s' } };
  const file = { file: { probeInterval: '3s' } };
  it.each([
    ['flag over env and file', { ...flag, ...env, ...file }, 1500],
    ['env over file', { ...env, ...file }, 2000],
    ['file over profile', file, 3000],
    ['profile when nothing is given', {}, PROFILES.lan.probeIntervalMs],
  ])('%s', (_case, input: Input, expectedMs) => {
    expect(resolveOk(input).probeIntervalMs).toBe(expectedMs);
  });

  it('applies overrides on top of a profile chosen in a lower source', () => {
    const config = resolveOk({ file: { profile: 'wan', gossipFanout: 7 }, env: { GOSSIPD_PROBE_TIMEOUT: '1s' } });
    expect(config).toMatchObject({ profile: 'wan', probeIntervalMs: 5000, probeTimeoutMs: 1000, gossipFanout: 7 });
  });

  it('lets a profile flag beat a profile in the file', () => {
    expect(resolveOk({ flags: { profile: 'local' }, file: { profile: 'wan' } }).probeTimeoutMs).toBe(200);
  });

  it('replaces lists and tags as a whole rather than merging them', () => {
    const config = resolveOk({
      flags: { tag: ['zone=b'] },
      env: { GOSSIPD_JOIN: 'a:1,b:2' },
      file: { join: ['c:3'], tags: { role: 'web', zone: 'a' } },
    });
    expect(config.join).toEqual(['a:1', 'b:2']);
    expect(config.tags).toEqual({ zone: 'b' });
  });

  it('treats an empty environment variable as unset', () => {
    expect(resolveOk({ env: { GOSSIPD_NAME: '', GOSSIPD_CONFIG: '' } }).name).toBe('host-a');
  });

  it('reads --config before GOSSIPD_CONFIG', () => {
    const errors = resolveErrors({ flags: { config: 'missing.json' }, env: { GOSSIPD_CONFIG: 'gossipd.json' } });
    expect(errors).toEqual([
      `--config: cannot read "missing.json": ENOENT: no such file or directory, open 'missing.json'`,
    ]);
  });
});

describe('values from each source', () => {
  it('reads every key from flags', () => {
    const config = resolveOk({
      flags: {
        name: 'node-1',
        bind: ':8000',
        advertise: '10.0.0.5:8000',
        join: ['10.0.0.6:7946', '10.0.0.7:7946,10.0.0.6:7946'],
        http: ':0',
        tag: ['role=web', 'note=a=b,c'],
        cluster: 'prod',
        logLevel: 'debug',
        probeInterval: '2s',
        probeTimeout: '1s',
        indirectChecks: '0',
        suspicionMult: '5',
        suspicionMaxTimeoutMult: '3',
        gossipInterval: '100ms',
        gossipFanout: '2',
        retransmitMult: '3',
        pushPullInterval: '1m',
        gossipToTheDeadTime: '0s',
        awarenessMaxMultiplier: '1',
        maxPacketSize: '9216',
        reapTimeout: '1h',
        reconnectInterval: '10s',
        reconnectTimeout: '2h',
        probeSchedule: 'round-robin',
        coordinates: 'off',
        pauseTolerance: '5s',
        dataDir: '/var/lib/gossipd',
        encrypt: ` ${KEY_A}\n`,
        httpToken: 'a-token-of-16-ch',
      },
    });
    expect(config).toEqual({
      name: 'node-1',
      bind: { host: '0.0.0.0', port: 8000 },
      advertise: { host: '10.0.0.5', port: 8000 },
      join: ['10.0.0.6:7946', '10.0.0.7:7946'],
      http: { host: '127.0.0.1', port: 0 },
      tags: { role: 'web', note: 'a=b,c' },
      cluster: 'prod',
      profile: 'tolerance',
      logLevel: 'debug',
      dataDir: '/var/lib/gossipd',
      encrypt: KEY_A,
      keyringFile: null,
      httpToken: 'a-token-of-16-ch',
      onEvent: [],
      onQuery: [],
      hookTimeoutMs: 30_000,
      webhooks: [],
      probeIntervalMs: 2000,
      probeTimeoutMs: 1000,
      indirectChecks: 0,
      suspicionMult: 5,
      suspicionMaxTimeoutMult: 3,
      gossipIntervalMs: 100,
      gossipFanout: 2,
      retransmitMult: 3,
      pushPullIntervalMs: 60_000,
      gossipToTheDeadTimeMs: 0,
      awarenessMaxMultiplier: 1,
      maxPacketBytes: 9216,
      reapTimeoutMs: 3_600_000,
      reconnectIntervalMs: 10_000,
      reconnectTimeoutMs: 7_200_000,
      probeSchedule: 'round-robin',
      coordinates: false,
      pauseToleranceMs: 5000,
    });
  });

  it('reads SCREAMING_SNAKE environment variables, lists comma-separated', () => {
    const config = resolveOk({
      env: {
        GOSSIPD_JOIN: 'a:1, b:2,',
        GOSSIPD_TAGS: 'role=web,zone=a',
        GOSSIPD_MAX_PACKET_SIZE: '1200',
        GOSSIPD_GOSSIP_TO_THE_DEAD_TIME: '45s',
        GOSSIPD_SUSPICION_MAX_TIMEOUT_MULT: '4',
        GOSSIPD_LOG_LEVEL: 'warn',
        GOSSIPD_DATA_DIR: '/var/lib/gossipd',
        GOSSIPD_RECONNECT_TIMEOUT: '6h',
      },
    });
    expect(config).toMatchObject({
      dataDir: '/var/lib/gossipd',
      reconnectTimeoutMs: 6 * 3_600_000,
      join: ['a:1', 'b:2'],
      tags: { role: 'web', zone: 'a' },
      maxPacketBytes: 1200,
      gossipToTheDeadTimeMs: 45_000,
      suspicionMaxTimeoutMult: 4,
      logLevel: 'warn',
    });
  });

  it('reads JSON types from the file: bare numbers are milliseconds', () => {
    const config = resolveOk({
      file: {
        probeInterval: 800,
        probeTimeout: '300ms',
        join: ['[::1]:7946'],
        tags: { role: 'db' },
        advertise: null,
        maxPacketSize: 1000,
      },
    });
    expect(config).toMatchObject({
      probeIntervalMs: 800,
      probeTimeoutMs: 300,
      join: ['[::1]:7946'],
      tags: { role: 'db' },
      advertise: null,
      maxPacketBytes: 1000,
    });
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1.1s', 1100],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['24h', 86_400_000],
    ['0s', 0],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text, 'flag', { minMs: 0 })).toEqual({ ok: true, value: ms });
  });

  it.each([
    ['fast', '"fast" is not a duration (use e.g. 500ms, 2s)'],
    ['200', '"200" needs a unit (e.g. 200ms or 200s)'],
    ['1.5ms', '"1.5ms" is not a whole number of milliseconds'],
    ['-1s', '"-1s" is not a duration (use e.g. 500ms, 2s)'],
    ['2 s', '"2 s" is not a duration (use e.g. 500ms, 2s)'],
    ['', '"" is not a duration (use e.g. 500ms, 2s)'],
    ['1000h', '"1000h" is too long (at most 596h31m23s647ms, Node\'s longest timer)'],
  ])('refuses %j on the command line', (text, error) => {
    expect(parseDuration(text, 'flag', { minMs: 0 })).toEqual({ ok: false, errors: [error] });
  });

  it('takes a bare number as milliseconds only in the file', () => {
    expect(parseDuration(250, 'file', { minMs: 1 })).toEqual({ ok: true, value: 250 });
    expect(parseDuration(2.5, 'file', { minMs: 1 }).ok).toBe(false);
    expect(parseDuration(250, 'env', { minMs: 1 }).ok).toBe(false);
  });

  it('enforces the minimum', () => {
    expect(resolveErrors({ flags: { gossipInterval: '0s' } })).toEqual(['--gossip-interval: "0s" is too short (at least 1ms)']);
  });
});

describe('addresses', () => {
  it.each([
    ['10.0.0.1:7946', { minPort: 1 } as const, { host: '10.0.0.1', port: 7946 }],
    ['[::1]:7946', { minPort: 1 } as const, { host: '::1', port: 7946 }],
    ['[fe80::1]:1', { minPort: 1 } as const, { host: 'fe80::1', port: 1 }],
    ['seed-1.example.com:7946', { minPort: 1 } as const, { host: 'seed-1.example.com', port: 7946 }],
    [':7946', { minPort: 0, defaultHost: '0.0.0.0' } as const, { host: '0.0.0.0', port: 7946 }],
    ['127.0.0.1:0', { minPort: 0 } as const, { host: '127.0.0.1', port: 0 }],
  ])('reads %s', (text, rules, address) => {
    expect(parseAddress(text, rules)).toEqual({ ok: true, value: address });
  });

  it.each([
    ['::1:7946', 'looks like an IPv6 address: put it in brackets'],
    ['[::1]', 'needs a port after "]"'],
    ['[10.0.0.1]:7946', 'is not an IPv6 address'],
    ['10.0.0.1', 'needs a port (e.g. 10.0.0.1:7946)'],
    ['10.0.0.1:70000', 'port must be a number in 1..65535'],
    ['10.0.0.1:0', 'port must be a number in 1..65535'],
    ['10.0.0.1:http', 'port must be a number in 1..65535'],
    ['999.1.1.1:7946', '"999.1.1.1" is not an IPv4 address'],
    ['bad host:7946', 'is not a host name or IP address'],
    [':7946', 'has no host'],
  ])('refuses %s', (text, fragment) => {
    const parsed = parseAddress(text, { minPort: 1 });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.join()).toContain(fragment);
  });

  it('allows port 0 for bind and http but not for join and advertise', () => {
    expect(resolveOk({ flags: { bind: '127.0.0.1:0', http: '127.0.0.1:0' } }).bind.port).toBe(0);
    expect(resolveErrors({ flags: { join: ['10.0.0.1:0'], advertise: '10.0.0.1:0' } })).toEqual([
      '--advertise: "10.0.0.1:0": port must be a number in 1..65535',
      '--join: "10.0.0.1:0": port must be a number in 1..65535',
    ]);
  });

  it('advertises only a specific IP address', () => {
    expect(resolveErrors({ flags: { advertise: '0.0.0.0:7946' } })[0]).toContain('cannot advertise an unspecified address');
    expect(resolveErrors({ env: { GOSSIPD_ADVERTISE: 'myhost:7946' } })[0]).toContain('must be an IP address');
  });
});

describe('validation: every problem at once, each named', () => {
  it('collects errors from flags, env and the file together', () => {
    const errors = resolveErrors({
      flags: { probeInterval: 'fast', maxPacketSize: '100', logLevel: 'loud', tag: ['role'] },
      env: { GOSSIPD_GOSSIP_FANOUT: '0', GOSSIPD_PROFILE: 'moon' },
      file: { suspicionMult: 'four', probeIntervall: '1s', cluster: 'x'.repeat(65) },
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        '--probe-interval: "fast" is not a duration (use e.g. 500ms, 2s)',
        '--max-packet-size: 100 is out of range (576..9216 bytes)',
        '--log-level: "loud" is not a log level (use fatal, error, warn, info, debug, trace or silent)',
        '--tag: "role" is not key=value (e.g. role=web)',
        'GOSSIPD_GOSSIP_FANOUT: 0 must be at least 1',
        'GOSSIPD_PROFILE: "moon" is not a profile (use tolerance, lan, wan or local)',
        'gossipd.json: suspicionMult: "four" is not a whole number',
        'gossipd.json: unknown key "probeIntervall" (did you mean "probeInterval"?)',
        `gossipd.json: cluster: "${'x'.repeat(65)}" is 65 bytes long (at most 64)`,
      ]),
    );
    expect(errors).toHaveLength(9);
  });

  it.each([
    [{ indirectChecks: '-1' }, '--indirect-checks: -1 must be at least 0'],
    [{ suspicionMult: '0' }, '--suspicion-mult: 0 must be at least 1'],
    [{ suspicionMaxTimeoutMult: '0' }, '--suspicion-max-timeout-mult: 0 must be at least 1'],
    [{ awarenessMaxMultiplier: '0' }, '--awareness-max-multiplier: 0 must be at least 1'],
    [{ retransmitMult: '0' }, '--retransmit-mult: 0 must be at least 1'],
    [{ gossipFanout: '1.5' }, '--gossip-fanout: "1.5" is not a whole number'],
    [{ maxPacketSize: '9217' }, '--max-packet-size: 9217 is out of range (576..9216 bytes)'],
    [{ name: '' }, '--name: must not be empty'],
    [{ name: 'n'.repeat(129) }, `--name: "${'n'.repeat(129)}" is 129 bytes long (at most 128)`],
    [{ name: 'a\u0007b' }, '--name: "a\\u0007b" contains control characters'],
    [{ cluster: '' }, '--cluster: must not be empty'],
    [{ join: ['a:1', 'b'] }, '--join: "b" needs a port (e.g. b:7946)'],
  ])('refuses %j', (flags, error) => {
    expect(resolveErrors({ flags })).toEqual([error]);
  });

  it('accepts the boundaries', () => {
    const config = resolveOk({ flags: { name: 'é'.repeat(64), cluster: 'c'.repeat(64), maxPacketSize: '576', indirectChecks: '0' } });
    expect(config.maxPacketBytes).toBe(576);
  });

  it('checks tags against the codec limits', () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_unused, index) => [`k${index}`, 'v']));
    expect(resolveErrors({ file: { tags: many } })).toEqual(['gossipd.json: tags: tags has 65 keys (max 64)']);
    expect(resolveErrors({ flags: { tag: [`big=${'v'.repeat(600)}`] } })[0]).toMatch(/^--tag: .*max 512/);
    expect(resolveErrors({ file: { tags: { role: 1 } } })).toEqual(['gossipd.json: tags: tag "role": 1 is not a string']);
  });

  it('checks probeTimeout < probeInterval across sources, naming both origins', () => {
    expect(resolveErrors({ flags: { probeTimeout: '2s' }, env: { GOSSIPD_PROBE_INTERVAL: '1s' } })).toEqual([
      '--probe-timeout: probe timeout 2s must be shorter than the probe interval 1s (from GOSSIPD_PROBE_INTERVAL)',
    ]);
    expect(resolveErrors({ flags: { probeInterval: '500ms' } })).toEqual([
      'profile tolerance: probe timeout 500ms must be shorter than the probe interval 500ms (from --probe-interval)',
    ]);
  });

  it('skips a cross-field rule whose input was already refused', () => {
    expect(resolveErrors({ flags: { probeInterval: 'soon' } })).toEqual([
      '--probe-interval: "soon" is not a duration (use e.g. 500ms, 2s)',
    ]);
  });

  it('reports a bad value even where a higher source overrides it', () => {
    expect(resolveErrors({ flags: { gossipFanout: '2' }, env: { GOSSIPD_GOSSIP_FANOUT: 'many' } })).toEqual([
      'GOSSIPD_GOSSIP_FANOUT: "many" is not a whole number',
    ]);
  });

  it.each([
    ['{"probeInterval": ', /^gossipd\.json: not valid JSON: /],
    ['[1, 2]', /^gossipd\.json: must hold a JSON object of settings, not an array$/],
    [{ join: '10.0.0.1:7946' }, /^gossipd\.json: join: "10\.0\.0\.1:7946" is not an array of "host:port" strings$/],
    [{ probeInterval: true }, /^gossipd\.json: probeInterval: true is not a duration string like "500ms" or a number of milliseconds$/],
    [{ maxPacketSize: '1400' }, /^gossipd\.json: maxPacketSize: "1400" is not a whole number$/],
    [{ dataDir: '' }, /^gossipd\.json: dataDir: must not be empty$/],
    [{ datadir: '/var/lib/gossipd' }, /^gossipd\.json: unknown key "datadir" \(did you mean "dataDir"\?\)$/],
  ])('refuses the file %j', (file, pattern) => {
    const errors = resolveErrors({ file });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(pattern);
  });

  it('refuses an unreadable file, naming the source of its path', () => {
    expect(resolveErrors({ env: { GOSSIPD_CONFIG: 'nope.json' } })[0]).toMatch(/^GOSSIPD_CONFIG: cannot read "nope\.json": ENOENT/);
  });

  it('refuses a host name that is not a valid member name', () => {
    const result = resolveConfig({ ...sources({}), hostname: '' });
    expect(result).toEqual({ ok: false, errors: ['host name must not be empty; set --name'] });
  });
});

describe('configSummary', () => {
  it('shows addresses as host:port', () => {
    const config = resolveOk({ flags: { bind: '[::]:7000', join: ['a:1'] } });
    expect(configSummary(config)).toEqual({
      cluster: 'default',
      profile: 'tolerance',
      bind: '[::]:7000',
      advertise: '[::]:7000',
      http: '127.0.0.1:7947',
      join: ['a:1'],
      probeIntervalMs: 1000,
      probeTimeoutMs: 500,
      pauseToleranceMs: 3000,
      suspicionMult: 4,
      gossipIntervalMs: 200,
      maxPacketBytes: 1400,
      encrypted: false,
    });
    expect(configSummary(config, { host: '10.0.0.9', port: 7000 }).advertise).toBe('10.0.0.9:7000');
  });
});
