import type { NodeContext } from './context.js';
import { PROTOCOL_LIMITS } from './limits.js';
import type { Member } from './member.js';
import type { MemberState, Message, State } from './messages.js';
import type { Address } from './types.js';

/**
 * Sends member entries in packet-sized `state` chunks: every entry `include` accepts (all of
 * them when it is null). `full` marks the first chunk as a whole-table answer (or one covering
 * at least half the buckets), which is what the simulator counts as a full-state transfer.
 * `lead` rides in the first datagram, before the first chunk, so that the peer gets both or
 * neither; at least one datagram goes out (an empty `state` when nothing is included), so an
 * answer always arrives.
 */
export function sendEntries(ctx: NodeContext, to: Address, include: ((member: Member) => boolean) | null, full: boolean, lead: readonly Message[] = []): number {
  const { messageSize, packetOverheadBytes } = ctx.deps;
  const budget = ctx.options.maxPacketBytes - packetOverheadBytes - PROTOCOL_LIMITS.stateFramingBytes;
  const emptySize = messageSize({ type: 'state', full, members: [] });
  const leadBytes = lead.reduce((bytes, message) => bytes + messageSize(message), 0);
  let chunk: MemberState[] = [];
  let used = emptySize + leadBytes;
  let first = true;
  let sent = 0;
  const flush = (): void => {
    const state: State = { type: 'state', full: full && first, members: chunk };
    ctx.send(to, first ? [...lead, state] : [state]);
    first = false;
    chunk = [];
    used = emptySize;
  };
  for (const member of ctx.table.all()) {
    if (include !== null && !include(member)) continue;
    const entry = stateOf(member);
    const bytes = messageSize({ type: 'state', full: false, members: [entry] }) - emptySize;
    if (chunk.length > 0 && (used + bytes > budget || chunk.length >= PROTOCOL_LIMITS.maxStateMembersPerPacket)) flush();
    chunk.push(entry);
    used += bytes;
    sent++;
  }
  if (chunk.length > 0 || first) flush();
  ctx.stats.statesSent++;
  return sent;
}

function stateOf(member: Member): MemberState {
  return { name: member.name, addr: member.addr, incarnation: member.incarnation, status: member.status, tags: member.tags };
}
