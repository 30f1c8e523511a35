// Its own module so that `gossipd join` can print it without loading the agent.

/** Why a join may get no answer at all; shared with `gossipd join`. */
export const NO_SEED_ANSWERED =
  'no seed answered: check the addresses and --cluster; an encrypted cluster (gossipd keys enforce) ' +
  'drops the datagrams of an agent without its key (give it --keyring-file or GOSSIPD_ENCRYPT)';
