import { isKeyId } from '../codec/fields.js';
import type { Keyring } from '../crypto/keyring.js';
import type { KeyOp } from '../protocol/messages.js';
import { failure, success, type Result } from '../result.js';
import type { KeyOpRefusalReason } from './api.js';

/**
 * What an operator passed to a key operation, made into the key text the operation needs.
 * `use` and `remove` also take a key id (as `gossipd keys list` shows it), resolved against
 * this agent's keyring: ids are public, so scripts and terminals need not handle the key to
 * rotate. `install` needs the key itself, since the id cannot be turned back into one.
 */
export function resolveKeyRef(
  op: KeyOp,
  ref: string | null,
  keyring: Keyring | null,
): Result<string | null, KeyOpRefusalReason> {
  if ((op !== 'use' && op !== 'remove') || ref === null || keyring === null) return success(ref);
  const id = ref.trim();
  if (!isKeyId(id)) return success(ref);
  const index = keyring.keyIds().indexOf(id);
  const key = keyring.keys()[index];
  if (index === -1 || key === undefined) {
    return failure('not-installed', `no key with id ${id} is installed on this agent (gossipd keys list shows the ids)`);
  }
  return success(key);
}
