import { lookup } from 'node:dns/promises';
import { isIP, isIPv6 } from 'node:net';
import { parseAddress } from '../config/address.js';
import { addressKey, type Address } from '../protocol/types.js';

/** Every address a host name resolves to (A and AAAA, as the system resolver answers). */
export type LookupAll = (host: string) => Promise<readonly string[]>;

/** The system resolver (getaddrinfo: /etc/hosts, DNS…), all addresses. */
export const systemLookupAll: LookupAll = async (host) => (await lookup(host, { all: true })).map((entry) => entry.address);

export interface ResolvedSeeds {
  /** Deduplicated, in the order resolved. */
  readonly seeds: Address[];
  /** Seeds that gave no usable address, one line each. */
  readonly problems: string[];
}

/**
 * Turns "host:port" seeds into addresses. A name stands for every address it resolves to (a
 * DNS name with several A records, a Kubernetes headless service), so all of them are
 * contacted. Addresses of the other IP family than our socket's are left out: an IPv4 socket
 * cannot send to them (`localhost` often resolves to ::1 as well). A seed that does not
 * resolve is reported, not fatal, while other seeds remain. Throws only on a malformed seed.
 */
export async function resolveSeeds(addrs: readonly string[], lookupAll: LookupAll, socketHost: string): Promise<ResolvedSeeds> {
  const ipv4Only = !isIPv6(socketHost);
  const parsed = addrs.map((text) => {
    const result = parseAddress(text, { minPort: 1 });
    if (!result.ok) throw new Error(`bad seed address ${result.errors.join('; ')}`);
    return result.value;
  });
  const answers = await Promise.all(parsed.map((seed) => resolveOne(seed, lookupAll)));
  const seen = new Set<string>();
  const seeds: Address[] = [];
  const problems: string[] = [];
  for (const [index, answer] of answers.entries()) {
    const seed = addressKey(parsed[index] ?? { host: '', port: 0 });
    if (typeof answer === 'string') {
      problems.push(`cannot resolve seed ${seed}: ${answer}`);
      continue;
    }
    const usable = answer.filter((address) => !ipv4Only || isIP(address.host) === 4);
    if (usable.length === 0) problems.push(`seed ${seed} resolves to no IPv4 address (${answer.map((a) => a.host).join(', ') || 'none'})`);
    for (const address of usable) {
      const key = addressKey(address);
      if (seen.has(key)) continue;
      seen.add(key);
      seeds.push(address);
    }
  }
  return { seeds, problems };
}

/** The seed's addresses, or why it has none. */
async function resolveOne(seed: Address, lookupAll: LookupAll): Promise<Address[] | string> {
  if (isIP(seed.host) !== 0) return [seed];
  try {
    const hosts = await lookupAll(seed.host);
    return hosts.map((host) => ({ host, port: seed.port }));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
