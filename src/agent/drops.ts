import { DROP_REASONS } from '../codec/codec.js';
import { ENVELOPE_DROP_REASONS, type PacketDropReason } from '../crypto/keyring.js';

/** Why the agent dropped a datagram; `rate-limited`: over its source's budget (dropped unopened, or opened only for the acks and nacks of a member's address). */
export type AgentDropReason = PacketDropReason | 'rate-limited';
export const AGENT_DROP_REASONS: readonly AgentDropReason[] = [...DROP_REASONS, ...ENVELOPE_DROP_REASONS, 'rate-limited'];
