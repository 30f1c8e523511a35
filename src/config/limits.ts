/** The cluster name is in every packet header, so it is kept short. */
export const MAX_CLUSTER_BYTES = 64;
