import type { KeyOpReport } from '../agent/api.js';

/**
 * One key in the HTTP key report: its id and counts, never the key. Whoever reads
 * GET /v1/keys (a local user, a hook, a web page through DNS rebinding) learns which keys
 * exist, not what they are.
 */
export interface PublicKeyView {
  /** The key id: the first 8 bytes of SHA-256("gossipd key id\0" ‖ key bytes), 16 hex digits (src/crypto/keys.ts). */
  readonly id: string;
  /** Whether this agent (the one answering) holds the key. */
  readonly held: boolean;
  /** Whether it is this agent's primary key, the one it encrypts with. */
  readonly primaryHere: boolean;
  /** Members, among those that answered, whose primary key it is. */
  readonly primary: number;
  /** Members, among those that answered, that hold it. */
  readonly installed: number;
}

export type PublicKeyReport = Omit<KeyOpReport, 'keys'> & { readonly keys: readonly PublicKeyView[] };

/**
 * The agent's key report as it may leave the process: every field is rebuilt from a list of
 * allowed ones, so a key added to the agent's report later cannot slip out by default.
 */
export function publicKeyReport(report: KeyOpReport, localPrimaryId: string | undefined): PublicKeyReport {
  return {
    op: report.op,
    ok: report.ok,
    members: report.members,
    responded: report.responded,
    keys: report.keys.map((key) => ({
      id: key.id,
      held: key.key !== null,
      primaryHere: key.id === localPrimaryId,
      primary: key.primary,
      installed: key.installed,
    })),
    nodes: report.nodes.map((node) => ({
      name: node.name,
      ok: node.ok,
      ...(node.error === undefined ? {} : { error: node.error }),
      keyIds: [...node.keyIds],
      ...(node.mode === undefined ? {} : { mode: node.mode }),
    })),
  };
}
