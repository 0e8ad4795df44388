// Proof documents a partner can check without the store: an entry, its inclusion proof and the
// signed checkpoint it leads to (`log prove`, evidence packages), and their check
// (`log verify-proof`), which needs only the log's verifier key.
import { DistillGuardError } from '../core/index.js';
import type { CheckpointRow } from '../store/index.js';
import { parseCheckpoint } from './checkpoint.js';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.js';
import { openNote, parseVerifierKey } from './signed-note.js';
import type { TransparencyLog } from './transparency-log.js';

export const proofFormat = 'distillguard-inclusion-proof/v1';

export interface InclusionProofDocument {
  format: typeof proofFormat;
  index: number;
  /** The entry as logged (canonical JSON). */
  entry: string;
  /** base64 */
  leaf_hash: string;
  tree_size: number;
  inclusion_proof: string[];
  /** The signed checkpoint (C2SP signed note) the proof leads to. */
  checkpoint: string;
}

/** The proof that entry `index` is in the tree of `checkpoint`. */
export async function proveEntry(
  log: TransparencyLog,
  index: number,
  checkpoint: CheckpointRow,
): Promise<InclusionProofDocument> {
  const size = checkpoint.treeSize;
  if (!Number.isInteger(index) || index < 0 || index >= size)
    throw new DistillGuardError(
      'usage',
      `--entry ${index} is not in the checkpoint's tree of ${size} entries (0..${size - 1}).`,
    );
  const [row] = await log.store.readLogEntries(index, index + 1);
  const { proof } = await log.prove(index, size);
  return {
    format: proofFormat,
    index,
    entry: row.entry.toString('utf8'),
    leaf_hash: leafHash(row.entry).toString('base64'),
    tree_size: size,
    inclusion_proof: proof.map((hash) => hash.toString('base64')),
    checkpoint: checkpoint.note,
  };
}

/**
 * Checks a proof document: the checkpoint's signature under `verifierKey`, the entry's leaf hash,
 * and the path from the leaf to the checkpoint's root.
 * @returns the parsed entry
 * @throws Error saying which part failed
 */
export function checkEntryProof(document: InclusionProofDocument, verifierKey: string): unknown {
  if (document.format !== proofFormat)
    throw new Error(
      `not an inclusion proof document (format '${String(document.format)}', expected '${proofFormat}')`,
    );
  const note = openNote(document.checkpoint, [parseVerifierKey(verifierKey)]);
  const checkpoint = parseCheckpoint(note.text);
  const leaf = leafHash(Buffer.from(document.entry, 'utf8'));
  if (leaf.toString('base64') !== document.leaf_hash)
    throw new Error('the entry text does not hash to the leaf hash given');
  if (checkpoint.treeSize !== document.tree_size)
    throw new Error(
      `the proof is for ${document.tree_size} entries, the checkpoint has ${checkpoint.treeSize}`,
    );
  verifyInclusion(
    leaf,
    document.index,
    checkpoint.treeSize,
    document.inclusion_proof.map((hash) => Buffer.from(hash, 'base64')),
    checkpoint.rootHash,
  );
  return JSON.parse(document.entry) as unknown;
}

export const consistencyFormat = 'distillguard-consistency-proof/v1';

/** That the log of an older checkpoint is a prefix of the log of a newer one. */
export interface ConsistencyProofDocument {
  format: typeof consistencyFormat;
  /** The checkpoint the partner kept (signed note). */
  old_checkpoint: string;
  /** The log's checkpoint now (signed note). */
  new_checkpoint: string;
  /** base64 */
  consistency_proof: string[];
}

/** The consistency proof from a checkpoint a partner kept to `latest`. */
export async function proveConsistencyFrom(
  log: TransparencyLog,
  oldNote: string,
  latest: CheckpointRow,
): Promise<ConsistencyProofDocument> {
  const old = parseCheckpoint(openNote(oldNote, [parseVerifierKey(log.signer.verifierKey)]).text);
  if (old.treeSize > latest.treeSize)
    throw new DistillGuardError(
      'input_invalid',
      `the saved checkpoint covers ${old.treeSize} entries, more than the log's ${latest.treeSize}: entries were removed.`,
    );
  return {
    format: consistencyFormat,
    old_checkpoint: oldNote,
    new_checkpoint: latest.note,
    consistency_proof:
      old.treeSize === 0 || old.treeSize === latest.treeSize
        ? []
        : (await log.proveConsistency(old.treeSize, latest.treeSize)).map((hash) =>
            hash.toString('base64'),
          ),
  };
}

/**
 * Checks both checkpoints' signatures and that the older tree is a prefix of the newer.
 * @returns the two sizes
 * @throws Error saying which part failed
 */
export function checkConsistencyProof(
  document: ConsistencyProofDocument,
  verifierKey: string,
  /** The checkpoint the partner kept: the proof must start from its size and root. */
  kept: string | null = null,
): { from: number; to: number } {
  const key = [parseVerifierKey(verifierKey)];
  const older = parseCheckpoint(openNote(document.old_checkpoint, key).text);
  if (kept !== null) {
    const mine = parseCheckpoint(openNote(kept, key).text);
    if (mine.treeSize !== older.treeSize || !mine.rootHash.equals(older.rootHash))
      throw new Error(
        `the proof starts from a checkpoint of ${older.treeSize} entries that is not the one you kept (${mine.treeSize} entries, root ${mine.rootHash.toString('base64')})`,
      );
  }
  const newer = parseCheckpoint(openNote(document.new_checkpoint, key).text);
  const proof = document.consistency_proof.map((hash) => Buffer.from(hash, 'base64'));
  if (older.treeSize === newer.treeSize) {
    if (!older.rootHash.equals(newer.rootHash))
      throw new Error(
        `two checkpoints of ${older.treeSize} entries with different roots: the log was forked`,
      );
  } else if (older.treeSize > 0)
    verifyConsistency(older.treeSize, newer.treeSize, proof, older.rootHash, newer.rootHash);
  return { from: older.treeSize, to: newer.treeSize };
}
