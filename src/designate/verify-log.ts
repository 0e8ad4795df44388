// `log verify`: recomputes every leaf from its entry, every stored checkpoint's root from the
// leaves, checks every signature, and holds a saved checkpoint (a partner's copy) against the log.
// Each problem says where: the entry, or the range of entries between a checkpoint that holds
// and the first that does not.
import type { DesignationStore } from '../store/index.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { leafHash } from './merkle.js';
import {
  openNote,
  parseVerifierKey,
  type NoteSignature,
  type NoteVerifier,
} from './signed-note.js';
import { PrefixRoots } from './transparency-log.js';

export interface LogVerification {
  entries: number;
  checkpointsChecked: number;
  /** The saved checkpoints that hold, with the names of the keys that signed them. */
  savedChecked: { treeSize: number; signedBy: string[] }[];
  problems: string[];
}

export interface VerifyLogOptions {
  /** The log's verifier key (`log public-key`). */
  verifierKey: string;
  /** Checkpoints kept outside the store (a partner's copy, a package's). */
  saved?: { label: string; note: string }[];
  /** Cosigners' verifier keys; a saved checkpoint must carry each one's valid cosignature. */
  cosigners?: string[];
}

function b64(hash: Buffer): string {
  return hash.toString('base64');
}

function sameKey(signature: NoteSignature, key: NoteVerifier): boolean {
  return signature.name === key.name && signature.keyId === key.keyId;
}

function opened(
  note: string,
  verifiers: string[],
): { checkpoint: Checkpoint; signedBy: string[]; signed: NoteSignature[] } | { error: string } {
  try {
    const result = openNote(
      note,
      verifiers.map((key) => parseVerifierKey(key)),
    );
    return {
      checkpoint: parseCheckpoint(result.text),
      signedBy: result.verified.map((s) =>
        s.timestamp === undefined
          ? s.name
          : `${s.name} at ${new Date(s.timestamp * 1000).toISOString()}`,
      ),
      signed: result.verified,
    };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export async function verifyLog(
  store: DesignationStore,
  options: VerifyLogOptions,
): Promise<LogVerification> {
  // one snapshot: an append by another process while this reads is not a "removed entry"
  return store.snapshot(() => verifySnapshot(store, options));
}

async function verifySnapshot(
  store: DesignationStore,
  options: VerifyLogOptions,
): Promise<LogVerification> {
  const problems: string[] = [];
  const rows = await store.readLogEntries();
  const roots = new Map<number, Buffer>();
  const prefix = new PrefixRoots();
  roots.set(0, prefix.root());
  let expected = 0;
  for (const row of rows) {
    if (row.index !== expected) {
      problems.push(
        row.index > expected
          ? `${row.index - 1 > expected ? `entries ${expected}..${row.index - 1} are` : `entry ${expected} is`} missing: the log jumps from ${expected - 1} to ${row.index}`
          : `entry ${row.index} appears twice`,
      );
      expected = row.index;
    }
    const recomputed = leafHash(row.entry);
    if (!recomputed.equals(row.leafHash))
      problems.push(
        `entry ${row.index}: its content no longer hashes to its recorded leaf (${b64(row.leafHash)}); it was changed after it was written`,
      );
    prefix.push(recomputed);
    roots.set(prefix.size, prefix.root());
    expected += 1;
  }

  const checkpoints = await store.listCheckpoints();
  let lastGood = 0;
  let firstBad: number | null = null;
  for (const row of checkpoints) {
    const result = opened(row.note, [options.verifierKey]);
    if ('error' in result) {
      problems.push(`stored checkpoint of size ${row.treeSize}: ${result.error}`);
      continue;
    }
    const root = roots.get(result.checkpoint.treeSize);
    if (root === undefined) {
      problems.push(
        `stored checkpoint of size ${result.checkpoint.treeSize} (signed ${row.createdAt}) covers more entries than the log holds (${rows.length}): entries were removed`,
      );
      firstBad ??= result.checkpoint.treeSize;
    } else if (!root.equals(result.checkpoint.rootHash)) {
      firstBad ??= result.checkpoint.treeSize;
      problems.push(
        `stored checkpoint of size ${result.checkpoint.treeSize} (signed ${row.createdAt}) does not match the log: its first ${result.checkpoint.treeSize} entries hash to ${b64(root)}, the checkpoint says ${b64(result.checkpoint.rootHash)}`,
      );
    } else if (firstBad === null) lastGood = result.checkpoint.treeSize;
  }
  if (firstBad !== null)
    problems.push(
      `${firstBad - 1 === lastGood ? `entry ${lastGood} was changed` : `the log was changed between entry ${lastGood} and entry ${firstBad - 1}`}: ${lastGood > 0 ? `the checkpoint of size ${lastGood} still holds, ` : ''}the one of size ${firstBad} does not`,
    );

  const savedChecked: LogVerification['savedChecked'] = [];
  for (const saved of options.saved ?? []) {
    const result = opened(saved.note, [options.verifierKey, ...(options.cosigners ?? [])]);
    if ('error' in result) {
      problems.push(`${saved.label}: ${result.error}`);
      continue;
    }
    const logKey = parseVerifierKey(options.verifierKey);
    if (!result.signed.some((signature) => sameKey(signature, logKey)))
      problems.push(`${saved.label}: it is not signed by the log's key ${options.verifierKey}`);
    const missing = (options.cosigners ?? [])
      .map((key) => parseVerifierKey(key))
      .filter((key) => !result.signed.some((signature) => sameKey(signature, key)))
      .map((key) => key.name);
    if (missing.length > 0)
      problems.push(`${saved.label}: no valid cosignature from ${missing.join(', ')}`);
    const { treeSize, rootHash } = result.checkpoint;
    const root = roots.get(treeSize);
    if (root === undefined)
      problems.push(
        `${saved.label}: it covers ${treeSize} entries but the log holds ${rows.length}: entries were removed after it was signed`,
      );
    else if (!root.equals(rootHash))
      problems.push(
        `${saved.label}: history was rewritten after it was signed: the log's first ${treeSize} entries (0..${treeSize - 1}) hash to ${b64(root)}, the saved checkpoint says ${b64(rootHash)}; compare entries with a package's copies (log verify-proof) to find which`,
      );
    else savedChecked.push({ treeSize, signedBy: result.signedBy });
  }
  return { entries: rows.length, checkpointsChecked: checkpoints.length, savedChecked, problems };
}
