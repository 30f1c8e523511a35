import type { Address } from '../protocol/types.js';

/** Carries datagrams for one agent. The daemon uses UDP; tests may plug in something else. */
export interface Transport {
  /** The address actually bound (port 0 resolved). */
  readonly local: Address;
  send(to: Address, bytes: Uint8Array): void;
  close(): Promise<void>;
}

export type DatagramHandler = (bytes: Uint8Array, from: Address, receivedAtMs: number) => void;
