// The fingerprint of a raw record kept beside each stored interaction: a read through a pointer
// into an imported file must give back the same line, and a re-import of an id must bring the same record.
import { hash } from 'node:crypto';

/** Bytes kept of the SHA-256 of the record's text: 128 bits, enough to tell any two records apart. */
const keptBytes = 16;

/** The hash of a raw record's text (its UTF-8 encoding), as stored in `interactions.raw_hash`. */
export function rawHash(raw: string): Buffer {
  return hash('sha256', raw, 'buffer').subarray(0, keptBytes);
}
