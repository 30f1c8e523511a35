import { LIMITS } from '../codec/limits.js';

/** Bounds on configuration values, in one place. Wire bounds come from the codec's LIMITS, so a value we accept is never dropped by a peer. */

/** The cluster name is in every packet header, so it is kept short. */
export const MAX_CLUSTER_BYTES = 64;
/** Member names travel in every message. */
export const MAX_NAME_BYTES = LIMITS.maxNameBytes;
/** IPv4's minimum reassembly size: every path carries a datagram this big. */
export const MIN_PACKET_BYTES = 576;
/** Peers drop datagrams above the codec's limit, so we never send bigger ones. */
export const MAX_PACKET_BYTES = LIMITS.maxDatagramBytes;
/** Node's timers overflow (and fire at once) above 2^31 − 1 ms, so no duration may exceed it. */
export const MAX_DURATION_MS = 2 ** 31 - 1;
/** Longest directory path accepted: PATH_MAX on Linux. */
export const MAX_PATH_BYTES = 4096;
/** A DNS name: the codec's host limit. */
export const MAX_HOST_NAME_BYTES = LIMITS.maxHostChars;
