// The text of a transparency log checkpoint (https://c2sp.org/tlog-checkpoint): origin, tree size
// and root hash, a line each, then optional extension lines.
import { DistillGuardError } from '../core/index.js';

/** A log's tree head as the checkpoint's note text states it. */
export interface Checkpoint {
  /** Names the log; the signing key's name should match it. */
  origin: string;
  treeSize: number;
  /** The RFC 6962 root of the first `treeSize` entries. */
  rootHash: Buffer;
  /** Opaque lines after the root, in order (none unless a log adds them). */
  extensions: string[];
}

/** What a checkpoint's text gets wrong, in words that say which line. */
export class CheckpointError extends DistillGuardError {
  constructor(message: string) {
    super('input_invalid', message);
    this.name = 'CheckpointError';
  }
}

/**
 * The note text of a checkpoint, ending in a newline, ready to sign.
 * @example formatCheckpoint({ origin: 'example.com/log', treeSize: 3, rootHash: root })
 *   // 'example.com/log\n3\n<base64 root>\n'
 */
export function formatCheckpoint(checkpoint: {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  extensions?: readonly string[];
}): string {
  const { origin, treeSize, rootHash } = checkpoint;
  const extensions = checkpoint.extensions ?? [];
  if (origin === '' || origin.includes('\n'))
    throw new CheckpointError(`the origin '${origin}' must be one non-empty line`);
  if (!Number.isSafeInteger(treeSize) || treeSize < 0)
    throw new CheckpointError(`the tree size ${treeSize} is not a whole number of entries`);
  if (rootHash.length !== 32)
    throw new CheckpointError(`the root hash has ${rootHash.length} bytes; a SHA-256 root has 32`);
  if (extensions.some((line) => line === '' || line.includes('\n')))
    throw new CheckpointError('each extension line must be one non-empty line');
  const root = Buffer.from(rootHash).toString('base64');
  return `${[origin, String(treeSize), root, ...extensions].join('\n')}\n`;
}

/**
 * Reads a checkpoint's note text (the part a signature covers, final newline included).
 * @throws CheckpointError naming the line that breaks the format
 */
export function parseCheckpoint(bodyText: string): Checkpoint {
  if (!bodyText.endsWith('\n'))
    throw new CheckpointError('a checkpoint must end with a newline after its last line');
  const lines = bodyText.slice(0, -1).split('\n');
  if (lines.length < 3)
    throw new CheckpointError(
      `a checkpoint has at least three lines (origin, tree size, root hash); this one has ${lines.length}`,
    );
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin === '') throw new CheckpointError('the checkpoint has an empty origin line');
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeLine))
    throw new CheckpointError(
      `the tree size line '${sizeLine}' is not a decimal number without leading zeros`,
    );
  const treeSize = Number(sizeLine);
  if (!Number.isSafeInteger(treeSize))
    throw new CheckpointError(`the tree size ${sizeLine} is larger than this log can hold`);
  const rootHash = Buffer.from(rootLine, 'base64');
  // Node's decoder skips what it cannot read; only canonical standard base64 comes back the same.
  if (rootHash.toString('base64') !== rootLine)
    throw new CheckpointError(`the root hash line '${rootLine}' is not standard base64`);
  if (rootHash.length !== 32)
    throw new CheckpointError(`the root hash has ${rootHash.length} bytes; a SHA-256 root has 32`);
  const empty = extensions.indexOf('');
  if (empty >= 0)
    throw new CheckpointError(`extension line ${empty + 1} is empty; extension lines must not be`);
  return { origin, treeSize, rootHash, extensions };
}
