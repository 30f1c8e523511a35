import { isIP } from 'node:net';
import { isLoopbackHost } from '../config/loopback.js';

/**
 * DNS rebinding defence: a web page on evil.example can point its own name at 127.0.0.1 and
 * then talk to the agent as same-origin, but its requests still carry `Host: evil.example`.
 * A request is served only when its Host names this machine's loopback (localhost,
 * 127.0.0.0/8, ::1), the host the server was configured with (`--http`), or the address the
 * client actually connected to (an IP literal, which no DNS answer can stand in for; this is
 * what a client of a wildcard bind such as 0.0.0.0 sends).
 *
 * A request with no Host at all (HTTP/1.0; Node refuses HTTP/1.1 without one) is served:
 * browsers always send Host, so its absence means a non-browser client, which DNS
 * rebinding cannot drive.
 */
export function hostAllowed(hostHeader: string | undefined, configuredHost: string, localAddress: string | undefined): boolean {
  if (hostHeader === undefined) return true;
  const name = hostName(hostHeader);
  if (name === null) return false;
  if (isLoopbackHost(name)) return true;
  if (name === normalize(configuredHost)) return true;
  return localAddress !== undefined && isIP(name) !== 0 && name === normalize(localAddress);
}

/** The host part of a Host header ("name", "name:port", "[v6]", "[v6]:port"), lower-cased; null when malformed. */
export function hostName(header: string): string | null {
  const value = header.trim();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end === -1) return null;
    const rest = value.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    const inside = value.slice(1, end);
    return isIP(inside) === 6 ? normalize(inside) : null;
  }
  const colon = value.indexOf(':');
  if (colon !== -1 && !/^\d{1,5}$/.test(value.slice(colon + 1))) return null;
  const name = colon === -1 ? value : value.slice(0, colon);
  return name === '' ? null : normalize(name);
}

/** One spelling per host: lower case, no trailing root dot, IPv4-mapped IPv6 as IPv4. */
function normalize(host: string): string {
  let name = host.toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.startsWith('::ffff:') && isIP(name.slice(7)) === 4) name = name.slice(7);
  return name;
}
