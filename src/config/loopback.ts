import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Whether `host` only reaches this machine: 127.0.0.0/8, ::1 (in any spelling, IPv4-mapped
 * forms included) or the name "localhost". Any other name counts as reachable from outside,
 * since it may resolve to anything.
 */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const loopback = new BlockList();
  loopback.addSubnet('127.0.0.0', 8, 'ipv4');
  loopback.addAddress('::1', 'ipv6');
  if (isIPv4(host)) return loopback.check(host, 'ipv4');
  if (isIPv6(host)) return loopback.check(host, 'ipv6');
  return false;
}
