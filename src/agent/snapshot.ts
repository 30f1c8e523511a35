/**
 * Restarts that remember (`--data-dir`). The agent keeps, in one JSON file, its last incarnation
 * and the members it knew. On restart it starts above that incarnation (so its new `alive` beats
 * whatever the cluster still holds about it, even within the same wall-clock second) and, given
 * no --join, contacts the remembered members as seeds. The file is only ever a hint: anything
 * wrong with it is reported and ignored, never fatal.
 *
 * Three parts: the pure format and its validation (snapshot-format.ts), the file in the data dir
 * (snapshot-file.ts), and the throttled writer (snapshot-writer.ts). This module gathers them.
 */
export {
  buildSnapshot,
  MAX_REJOIN_SEEDS,
  parseSnapshot,
  rejoinSeeds,
  SNAPSHOT_VERSION,
  startingIncarnation,
  type ParsedSnapshot,
  type RememberedMember,
  type Snapshot,
  type SnapshotOwner,
  type SnapshotRefusal,
} from './snapshot-format.js';
export {
  ensureDataDir,
  loadSnapshot,
  recallSnapshot,
  SNAPSHOT_FILE,
  snapshotPath,
  writeSnapshotFile,
  type Recalled,
  type SnapshotLoad,
} from './snapshot-file.js';
export { SNAPSHOT_MIN_INTERVAL_MS, SnapshotWriter, type SnapshotWriterOptions } from './snapshot-writer.js';
