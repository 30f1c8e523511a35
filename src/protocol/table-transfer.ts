import type { NodeContext } from './context.js';
import { PROTOCOL_LIMITS } from './limits.js';
import type { Membership } from './membership.js';
import type { MemberState, Message, State } from './messages.js';
import type { Address } from './types.js';

/**
 * Sends member entries in packet-sized `state` chunks: every table slot `include` accepts (all
 * of them when it is null). Entries are read from the table's columns one by one: a whole
 * table at 10,000 members answered ten thousand times in a join storm is too much garbage to
 * build each answer's rows as Member objects first. `full` marks the first chunk as a
 * whole-table answer (or one covering at least half the buckets), which is what the simulator
 * counts as a full-state transfer.
 * `lead` rides in the first datagram, before the first chunk, so that the peer gets both or
 * neither; at least one datagram goes out (an empty `state` when nothing is included), so an
 * answer always arrives.
 */
export function sendEntries(ctx: NodeContext, to: Address, include: ((slot: number) => boolean) | null, full: boolean, lead: readonly Message[] = []): number {
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
  // One state message of one entry, reused to size each entry.
  const sizing: MemberState[] = [];
  const sizingState: State = { type: 'state', full: false, members: sizing };
  const table = ctx.table;
  for (let slot = 0; slot < table.size; slot++) {
    if (include !== null && !include(slot)) continue;
    const entry = entryAt(table, slot);
    sizing[0] = entry;
    const bytes = messageSize(sizingState) - emptySize;
    if (chunk.length > 0 && (used + bytes > budget || chunk.length >= PROTOCOL_LIMITS.maxStateMembersPerPacket)) flush();
    chunk.push(entry);
    used += bytes;
    sent++;
  }
  if (chunk.length > 0 || first) flush();
  ctx.stats.statesSent++;
  return sent;
}

/** A slot's entry as a `state` message carries it, read from the columns (no Member object in between). */
function entryAt(table: Membership, slot: number): MemberState {
  return { name: table.nameAt(slot), addr: table.addrAt(slot), incarnation: table.incarnationAt(slot), status: table.statusAt(slot), tags: table.tagsAt(slot) };
}
