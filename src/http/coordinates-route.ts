import type { MemberView } from '../agent/api.js';
import { validateName } from '../codec/index.js';
import { estimatedRttMs } from '../protocol/coordinates.js';
import { errorReply, jsonReply, type Reply } from './reply.js';
import type { RouteContext } from './route.js';

const COORDINATES_OFF = 'network coordinates are off on this agent (--coordinates off)';

/** GET /v1/coordinates: `[{"name", "coordinate": {"vec", "height", "adjustment", "error"}}]`, this agent first. */
export function getCoordinates({ api }: RouteContext): Reply {
  if (api.coordinates === undefined) return errorReply(501, 'this agent keeps no network coordinates');
  if (api.coordinatesOff === true) return errorReply(404, COORDINATES_OFF);
  return jsonReply(200, api.coordinates());
}

/** How `?near=NAME` orders a member listing, or the error reply when it cannot. */
export type NearOrder = { readonly ok: true; readonly sort: (members: MemberView[]) => MemberView[] } | { readonly ok: false; readonly reply: Reply };

/**
 * `?near=NAME` on GET /v1/members: members by estimated round trip from NAME's coordinate,
 * nearest first (NAME itself first, at 0); members whose coordinate this agent does not hold
 * last, by name. NAME must be one member this agent knows and holds a coordinate of.
 */
export function nearOrder({ api, query }: RouteContext, byName: (a: MemberView, b: MemberView) => number): NearOrder | undefined {
  const values = query.getAll('near');
  if (values.length === 0) return undefined;
  const near = values[0] ?? '';
  if (values.length > 1) return refuse(400, 'near: give one member name');
  const problem = validateName(near, 'near');
  if (problem !== null) return refuse(400, problem);
  if (api.coordinates === undefined) return refuse(501, 'this agent keeps no network coordinates: near is not supported');
  if (api.coordinatesOff === true) return refuse(404, `near: ${COORDINATES_OFF}`);
  if (api.member(near) === undefined) return refuse(404, `near: no member named ${JSON.stringify(near)}`);
  const coordinates = new Map(api.coordinates().map((entry) => [entry.name, entry.coordinate] as const));
  const origin = coordinates.get(near);
  if (origin === undefined) return refuse(404, `near: no network coordinate of ${JSON.stringify(near)} yet (it arrives on the ack of one of this agent's samples)`);
  const rttMs = (name: string): number => {
    const coordinate = coordinates.get(name);
    if (name === near) return 0;
    return coordinate === undefined ? Infinity : estimatedRttMs(origin, coordinate);
  };
  return {
    ok: true,
    sort: (members) => {
      const keyed = members.map((member) => ({ member, rtt: rttMs(member.name) }));
      keyed.sort((a, b) => (a.rtt === b.rtt ? byName(a.member, b.member) : a.rtt < b.rtt ? -1 : 1));
      return keyed.map(({ member }) => member);
    },
  };
}

function refuse(status: number, message: string): NearOrder {
  return { ok: false, reply: errorReply(status, message) };
}
