import type { MemberView } from '../agent/api.js';
import { addressKey } from '../protocol/types.js';
import { errorReply, jsonReply, type Reply } from './reply.js';
import { matchesTags, parseTagFilter } from './tag-query.js';

/** One target group of Prometheus HTTP service discovery. */
export interface TargetGroup {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/** The tag that holds each member's metrics port unless `?port_tag=` names another. */
export const DEFAULT_PORT_TAG = 'metrics_port';

const LABEL_PREFIX = '__meta_gossipd_';
const PORT = /^[0-9]{1,5}$/;

/**
 * GET /v1/sd[?port_tag=metrics_port][&tag=key:value…]: the alive members as Prometheus HTTP
 * SD target groups, one per member: `host:port` from the member's address and the port in
 * its port tag. Members without that tag, or whose tag is not a port, are left out: they do
 * not export metrics (or not there).
 */
export function serviceDiscoveryReply(members: readonly MemberView[], query: URLSearchParams): Reply {
  const portTags = query.getAll('port_tag');
  if (portTags.length > 1) return errorReply(400, 'port_tag: give it once');
  const portTag = portTags[0] ?? DEFAULT_PORT_TAG;
  if (portTag === '') return errorReply(400, `port_tag: name the tag that holds the metrics port (default ${DEFAULT_PORT_TAG})`);
  const filter = parseTagFilter(query);
  if (!filter.ok) return errorReply(400, filter.error);
  const conditions = filter.value;
  const groups = [...members]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .filter((member) => member.status === 'alive' && matchesTags(member.tags, conditions))
    .flatMap((member) => {
      const group = targetGroup(member, portTag);
      return group === null ? [] : [group];
    });
  return jsonReply(200, groups);
}

export function targetGroup(member: MemberView, portTag: string): TargetGroup | null {
  const portText = member.tags[portTag];
  if (portText === undefined || !PORT.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  const labels: Record<string, string> = {
    [`${LABEL_PREFIX}name`]: member.name,
    [`${LABEL_PREFIX}status`]: member.status,
    [`${LABEL_PREFIX}address`]: addressKey({ host: member.addr, port: member.port }),
  };
  // Sorted, so that when two keys sanitize to the same label name the same one always wins.
  for (const key of Object.keys(member.tags).sort()) {
    const label = `${LABEL_PREFIX}tag_${sanitizeLabelName(key)}`;
    const value = member.tags[key];
    if (value !== undefined && !Object.hasOwn(labels, label)) labels[label] = value;
  }
  return { targets: [addressKey({ host: member.addr, port })], labels };
}

/** Prometheus label names are [a-zA-Z_][a-zA-Z0-9_]*: every other character becomes "_". */
export function sanitizeLabelName(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}
