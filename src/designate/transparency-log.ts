// The append-only transparency log of designation: entries (canonical JSON) hashed into an RFC 6962
// Merkle tree, signed checkpoints (C2SP tlog-checkpoint as a signed note), inclusion and
// consistency proofs. Appends run inside the caller's transaction; a checkpoint is signed after.
import { canonicalJson } from '../intel/index.js';
import type { CheckpointRow, DesignationStore } from '../store/index.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { DistillGuardError } from '../core/index.js';
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { consistencyProof, inclusionProof, leafHash, nodeHash, treeRoot } from './merkle.js';
import type { LogSigner } from './log-signer.js';
import { openNote, signNote } from './signed-note.js';

/** What every entry holds; the rest depends on `kind`. */
export interface LogEntryBody {
  kind: string;
  at: string;
  actor: string;
  role: string;
  [field: string]: unknown;
}

/** The bytes an entry is hashed as: version 1, canonical JSON (keys sorted), UTF-8. */
export function entryBytes(body: LogEntryBody): Buffer {
  return Buffer.from(canonicalJson({ v: 1, ...body }), 'utf8');
}

/**
 * Roots of every prefix of a list of leaf hashes, in one pass: a stack of perfect subtrees (the
 * compact range of RFC 9162 §2.1.2), folded right to left for each size asked.
 */
export class PrefixRoots {
  private readonly stack: { size: number; hash: Buffer }[] = [];
  private count = 0;

  push(leaf: Buffer): void {
    let node = { size: 1, hash: leaf };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].size === node.size) {
      const left = this.stack.pop() as { size: number; hash: Buffer };
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) };
    }
    this.stack.push(node);
    this.count += 1;
  }

  get size(): number {
    return this.count;
  }

  /** The root of the leaves pushed so far. */
  root(): Buffer {
    if (this.stack.length === 0) return treeRoot([]);
    let hash = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i -= 1) hash = nodeHash(this.stack[i].hash, hash);
    return hash;
  }
}

export class TransparencyLog {
  readonly store: DesignationStore;
  readonly signer: LogSigner;

  constructor(store: DesignationStore, signer: LogSigner) {
    this.store = store;
    this.signer = signer;
  }

  /** Appends an entry (call inside the transaction that makes the change it records). */
  async append(body: LogEntryBody): Promise<number> {
    const bytes = entryBytes(body);
    return this.store.appendLogEntry(bytes, leafHash(bytes));
  }

  /**
   * Signs the current tree unless its size is already signed; returns the latest checkpoint. In one
   * transaction (no append lands between reading the size and the leaves), and only over a log
   * that still matches what was signed before: every leaf recomputed from its entry, the stored
   * latest checkpoint and the head kept beside the key must be prefixes of it.
   * @throws DistillGuardError('store_failed') naming what no longer matches; nothing is signed
   */
  async checkpoint(now = new Date()): Promise<CheckpointRow> {
    return this.store.atomically(async () => {
      const latest = await this.store.latestCheckpoint();
      const entries = await this.store.readLogEntries();
      const size = entries.length;
      if (latest && latest.treeSize === size) return latest;
      const signed = [latest?.note, this.readHead()].flatMap((note) =>
        note ? [{ note, checkpoint: this.openOwn(note) }] : [],
      );
      const prefix = new PrefixRoots();
      const check = () => {
        for (const { checkpoint } of signed)
          if (checkpoint.treeSize === prefix.size && !checkpoint.rootHash.equals(prefix.root()))
            this.refuse(
              `its first ${prefix.size} entries no longer hash to the root signed for them`,
            );
      };
      check();
      entries.forEach((row, index) => {
        if (row.index !== index) this.refuse(`entry ${index} is missing`);
        const leaf = leafHash(row.entry);
        if (!leaf.equals(row.leafHash))
          this.refuse(`entry ${index} no longer hashes to its recorded leaf`);
        prefix.push(leaf);
        check();
      });
      for (const { checkpoint } of signed)
        if (checkpoint.treeSize > size)
          this.refuse(
            `a checkpoint of ${checkpoint.treeSize} entries was signed, the log holds ${size}`,
          );
      const body = formatCheckpoint({
        origin: this.signer.origin,
        treeSize: size,
        rootHash: prefix.root(),
      });
      const row = {
        treeSize: size,
        note: signNote(body, [this.signer.signer]),
        createdAt: now.toISOString(),
      };
      await this.store.saveCheckpoint(row);
      if (this.signer.headFile) writeFileSync(this.signer.headFile, row.note, { mode: 0o600 });
      return row;
    });
  }

  private readHead(): string | null {
    if (!this.signer.headFile) return null;
    try {
      return readFileSync(this.signer.headFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  private openOwn(note: string): Checkpoint {
    return parseCheckpoint(openNote(note, [this.signer.signer]).text);
  }

  private refuse(what: string): never {
    throw new DistillGuardError(
      'store_failed',
      `the log no longer matches what was signed: ${what}. Nothing was signed; run \`distillguard log verify\` to see where, and restore the store from a backup.`,
    );
  }

  /** The inclusion proof of entry `index` in the tree of `treeSize` entries. */
  async prove(index: number, treeSize: number): Promise<{ leafHash: Buffer; proof: Buffer[] }> {
    const leaves = (await this.store.readLeafHashes()).slice(0, treeSize);
    return { leafHash: leaves[index], proof: inclusionProof(leaves, index, treeSize) };
  }

  /** The consistency proof between the trees of `size1` and `size2` entries. */
  async proveConsistency(size1: number, size2: number): Promise<Buffer[]> {
    const leaves = (await this.store.readLeafHashes()).slice(0, size2);
    return consistencyProof(leaves, size1, size2);
  }
}

export { parseCheckpoint };
