import { networkInterfaces } from 'node:os';
import type { Address } from '../protocol/types.js';

/**
 * The address other members should reach us at. A wildcard bind (0.0.0.0, ::) cannot be
 * advertised (peers would probe themselves), so the first non-internal IPv4 is used instead.
 */
export function chooseAdvertiseAddress(
  configured: Address | null,
  bound: Address,
  warn: (message: string) => void,
): Address {
  if (configured !== null) return configured;
  if (bound.host !== '0.0.0.0' && bound.host !== '::') return bound;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const info of addresses ?? []) {
      if (info.family === 'IPv4' && !info.internal) return { host: info.address, port: bound.port };
    }
  }
  warn('no non-loopback IPv4 address found; advertising 127.0.0.1 (set --advertise to reach other hosts)');
  return { host: '127.0.0.1', port: bound.port };
}
