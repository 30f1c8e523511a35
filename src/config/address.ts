import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { Address } from '../protocol/types.js';
import { MAX_HOST_NAME_BYTES } from './limits.js';
import { show, type Parsed } from './parsed.js';
import { invalid, valid } from '../result.js';

export interface AddressRules {
  /** 0 where "pick a free port" makes sense (bind, http), 1 where we must send to the port. */
  readonly minPort: 0 | 1;
  /** Host used for ":7946"; when absent the host is required. */
  readonly defaultHost?: string;
  /** Addresses gossiped to others must mean the same thing on every host: an IP, not 0.0.0.0. */
  readonly requireSpecificIp?: boolean;
  /** Port shown in "needs a port (e.g. host:7946)" hints. Default 7946, the gossip port. */
  readonly examplePort?: number;
}

const PORT = /^\d{1,5}$/;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);
const ALL_NUMERIC = /^[\d.]+$/;

/** Parses "host:port", "[v6]:port" and, with a default host, ":port". */
export function parseAddress(text: string, rules: AddressRules): Parsed<Address> {
  const split = splitHostPort(text.trim(), rules.examplePort ?? 7946);
  if (!split.ok) return invalid(`${show(text)} ${split.errors.join('; ')}`);
  const { host: givenHost, port: portText, bracketed } = split.value;
  const host = givenHost === '' ? rules.defaultHost : givenHost;
  if (host === undefined) return invalid(`${show(text)} has no host (use host:port, e.g. 10.0.0.1:${rules.examplePort ?? 7946})`);
  const hostProblem = checkHost(host, bracketed, rules);
  if (hostProblem !== null) return invalid(`${show(text)}: ${hostProblem}`);
  const port = Number(portText);
  if (!PORT.test(portText) || port < rules.minPort || port > 65535) {
    return invalid(`${show(text)}: port must be a number in ${rules.minPort}..65535`);
  }
  return valid({ host, port });
}

interface HostPort {
  readonly host: string;
  readonly port: string;
  readonly bracketed: boolean;
}

function splitHostPort(text: string, examplePort: number): Parsed<HostPort> {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return invalid('has an unclosed "["');
    if (text[close + 1] !== ':') return invalid(`needs a port after "]" (e.g. [::1]:${examplePort})`);
    return valid({ host: text.slice(1, close), port: text.slice(close + 2), bracketed: true });
  }
  const colon = text.lastIndexOf(':');
  if (colon === -1) return invalid(`needs a port (e.g. ${text === '' ? '127.0.0.1' : text}:${examplePort})`);
  const host = text.slice(0, colon);
  if (host.includes(':')) return invalid(`looks like an IPv6 address: put it in brackets (e.g. [::1]:${examplePort})`);
  return valid({ host, port: text.slice(colon + 1), bracketed: false });
}

function checkHost(host: string, bracketed: boolean, rules: AddressRules): string | null {
  if (bracketed && !isIPv6(host)) return `${show(host)} is not an IPv6 address`;
  if (!bracketed && !isIPv4(host)) {
    if (ALL_NUMERIC.test(host)) return `${show(host)} is not an IPv4 address`;
    if (!HOST_NAME.test(host) || Buffer.byteLength(host) > MAX_HOST_NAME_BYTES) {
      return `${show(host)} is not a host name or IP address`;
    }
  }
  if (rules.requireSpecificIp === true) {
    if (isIP(host) === 0) return 'must be an IP address that other members can reach, not a host name';
    if (host === '0.0.0.0' || host === '::') return 'cannot advertise an unspecified address (0.0.0.0 or ::)';
  }
  return null;
}
