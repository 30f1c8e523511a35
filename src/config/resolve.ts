import { PROFILES, profileTiming } from '../protocol/options.js';
import { invalid, valid } from '../result.js';
import { AGENT_DEFAULTS } from './defaults.js';
import { KEY_SPECS, keyNamesList } from './keys.js';
import { checkCrossRules } from './rules.js';
import { checkSecurity } from './security.js';
import { envLayer, fileLayer, flagLayer, type Layer } from './sources.js';
import type { AgentConfig, ConfigResult, ConfigSources } from './types.js';

/**
 * Resolves flag > GOSSIPD_* env > JSON file > profile > defaults into a full AgentConfig,
 * or returns every problem found, each naming its flag, variable or file key.
 */
export function resolveConfig(sources: ConfigSources): ConfigResult {
  const errors: string[] = [];
  const file = fileLayer(sources, keyNamesList(), errors);
  const layers: Layer[] = [flagLayer(sources.flags), envLayer(sources.env)];
  if (file !== null) layers.push(file);

  const origins = new Map<keyof AgentConfig, string>();
  const invalidFields = new Set<keyof AgentConfig>();

  function pick<F extends keyof AgentConfig>(field: F, fallback: AgentConfig[F], fallbackOrigin: string): AgentConfig[F] {
    const spec = KEY_SPECS[field];
    let chosen: { readonly value: AgentConfig[F] } | undefined;
    let decided = false;
    // Lower layers are parsed too, although they lose: a bad value anywhere is reported.
    for (const layer of layers) {
      const raw = layer.lookup(spec);
      if (raw === undefined) continue;
      const parsed = spec.parse(raw.value, layer.syntax);
      if (!parsed.ok) errors.push(...parsed.errors.map((error) => `${raw.origin}: ${error}`));
      if (decided) continue;
      decided = true;
      origins.set(field, raw.origin);
      if (parsed.ok) chosen = { value: parsed.value };
      else invalidFields.add(field);
    }
    if (!decided) origins.set(field, fallbackOrigin);
    return chosen === undefined ? fallback : chosen.value;
  }

  const profile = pick('profile', AGENT_DEFAULTS.profile, 'default');
  const fromProfile = `profile ${profile}`;
  const pauseToleranceMs = pick('pauseToleranceMs', PROFILES[profile].pauseToleranceMs, fromProfile);
  // The tolerance profile's timing is derived from the tolerance; the others are memberlist's.
  const timing = profileTiming(profile, pauseToleranceMs);
  const config: AgentConfig = {
    name: pick('name', sources.hostname, 'host name'),
    bind: pick('bind', AGENT_DEFAULTS.bind, 'default'),
    advertise: pick('advertise', AGENT_DEFAULTS.advertise, 'default'),
    join: pick('join', AGENT_DEFAULTS.join, 'default'),
    http: pick('http', AGENT_DEFAULTS.http, 'default'),
    tags: pick('tags', AGENT_DEFAULTS.tags, 'default'),
    cluster: pick('cluster', AGENT_DEFAULTS.cluster, 'default'),
    profile,
    logLevel: pick('logLevel', AGENT_DEFAULTS.logLevel, 'default'),
    dataDir: pick('dataDir', AGENT_DEFAULTS.dataDir, 'default'),
    encrypt: pick('encrypt', AGENT_DEFAULTS.encrypt, 'default'),
    keyringFile: pick('keyringFile', AGENT_DEFAULTS.keyringFile, 'default'),
    httpToken: pick('httpToken', AGENT_DEFAULTS.httpToken, 'default'),
    onEvent: pick('onEvent', AGENT_DEFAULTS.onEvent, 'default'),
    onQuery: pick('onQuery', AGENT_DEFAULTS.onQuery, 'default'),
    hookTimeoutMs: pick('hookTimeoutMs', AGENT_DEFAULTS.hookTimeoutMs, 'default'),
    webhooks: pick('webhooks', AGENT_DEFAULTS.webhooks, 'default'),
    probeIntervalMs: pick('probeIntervalMs', timing.probeIntervalMs, fromProfile),
    probeTimeoutMs: pick('probeTimeoutMs', timing.probeTimeoutMs, fromProfile),
    indirectChecks: pick('indirectChecks', timing.indirectChecks, fromProfile),
    suspicionMult: pick('suspicionMult', timing.suspicionMult, fromProfile),
    suspicionMaxTimeoutMult: pick('suspicionMaxTimeoutMult', timing.suspicionMaxTimeoutMult, fromProfile),
    gossipIntervalMs: pick('gossipIntervalMs', timing.gossipIntervalMs, fromProfile),
    gossipFanout: pick('gossipFanout', timing.gossipFanout, fromProfile),
    retransmitMult: pick('retransmitMult', timing.retransmitMult, fromProfile),
    pushPullIntervalMs: pick('pushPullIntervalMs', timing.pushPullIntervalMs, fromProfile),
    gossipToTheDeadTimeMs: pick('gossipToTheDeadTimeMs', timing.gossipToTheDeadTimeMs, fromProfile),
    awarenessMaxMultiplier: pick('awarenessMaxMultiplier', timing.awarenessMaxMultiplier, fromProfile),
    maxPacketBytes: pick('maxPacketBytes', timing.maxPacketBytes, fromProfile),
    reapTimeoutMs: pick('reapTimeoutMs', timing.reapTimeoutMs, fromProfile),
    reconnectIntervalMs: pick('reconnectIntervalMs', timing.reconnectIntervalMs, fromProfile),
    reconnectTimeoutMs: pick('reconnectTimeoutMs', timing.reconnectTimeoutMs, fromProfile),
    probeSchedule: pick('probeSchedule', timing.probeSchedule, fromProfile),
    pauseToleranceMs,
    coordinates: pick('coordinates', timing.coordinates, 'default'),
  };
  errors.push(...checkHostName(config, origins.get('name')));
  errors.push(...checkCrossRules(config, (field) => origins.get(field) ?? 'default', invalidFields));
  errors.push(...checkSecurity(config, (field) => origins.get(field) ?? 'default', invalidFields, sources.readFile));
  return errors.length === 0 ? valid(config) : invalid(...errors);
}

/** The host name is only a default, but it must still be a valid member name. */
function checkHostName(config: AgentConfig, origin: string | undefined): string[] {
  if (origin !== 'host name') return [];
  const parsed = KEY_SPECS.name.parse(config.name, 'flag');
  return parsed.ok ? [] : parsed.errors.map((error) => `host name ${error}; set ${KEY_SPECS.name.flag}`);
}
