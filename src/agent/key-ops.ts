import type { KeyOp, KeyRequest, KeyResponse } from '../protocol/messages.js';
import type { Address } from '../protocol/types.js';
import type { KeyOpOutcome } from './api.js';
import { KeyOpOriginator, type KeyOriginatorDeps } from './key-op-originator.js';
import { KeyOpResponder, type KeyRequestRefusals } from './key-op-responder.js';

/**
 * Cluster-wide keyring operations (`gossipd keys list|install|use|remove|enforce|relax`), run
 * by the agent the operator talks to. Like serf's `_serf_install-key` query, but point to
 * point: the origin applies the change locally, then sends a key-request straight to every
 * alive or suspect member, resends to the silent ones every retry interval, and after the
 * timeout reports what each member answered (its outcome, key ids and mode). Requests travel
 * encrypted like all gossip once a key is in use, so only a holder of an installed key can
 * send one; on a plaintext cluster only list, install and remove travel, from members'
 * addresses (see key-op-responder.ts and docs/encryption.md). Every operation is idempotent,
 * so resends and duplicates are harmless; a member applies each request once (remembered by
 * the sender's name in the payload and the id) and refuses requests older than
 * KEY_REQUEST_MAX_AGE_S, so a recorded request replayed later cannot undo a rotation.
 *
 * `use`, `remove` and `enforce` first ask every member for its keys, and are refused unless
 * every one answers and holds the key (use), no longer uses it as its primary key (remove),
 * or seals with this agent's primary key (enforce): each mistake would leave some members
 * unable to read the others, which is the downtime a switch-on or rotation must not have.
 *
 * Two parts: the originator (key-op-originator.ts) runs an operation and collects answers,
 * the responder (key-op-responder.ts) answers other members' requests. Time (setTimer) and
 * randomness (randomUint32) are injected.
 */

export { KEY_REQUEST_MAX_AGE_S } from './key-op-responder.js';
export { keyOpTimings } from './key-op-originator.js';
export type { KeyPeer, SetTimer } from './key-op-shared.js';

export type KeyOpsDeps = KeyOriginatorDeps;

/** One agent's key operations: the originator and the responder, fed by the agent's datagram pipeline. */
export class KeyOperations {
  private readonly originator: KeyOpOriginator;
  private readonly responder: KeyOpResponder;

  constructor(deps: KeyOpsDeps) {
    this.originator = new KeyOpOriginator(deps);
    this.responder = new KeyOpResponder(deps);
  }

  /** Runs one operation here and on every live member. */
  run(op: KeyOp, key: string | null): Promise<KeyOpOutcome> {
    return this.originator.run(op, key);
  }

  /** A member asks us to apply an operation; `encrypted`: it came in a datagram an installed key opened. */
  onRequest(request: KeyRequest, from: Address, encrypted: boolean): void {
    this.responder.onRequest(request, from, encrypted);
  }

  /** Requests refused without being applied (stale, replayed, plaintext when not allowed). */
  get refused(): Readonly<KeyRequestRefusals> {
    return this.responder.refused;
  }

  /** A member answers one of our requests. */
  onResponse(response: KeyResponse): void {
    this.originator.onResponse(response);
  }

  /** Ends every running operation now (with the answers so far), refuses new ones, ignores requests. */
  close(): void {
    this.originator.close();
    this.responder.close();
  }
}
