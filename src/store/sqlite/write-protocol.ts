// Messages between the SQLite store and its write worker.
import type { AccountRow, DecisionRow, RejectedLineRow } from '../store.js';
import type { FlatValue } from './flat-rows.js';
import type { BookkeepingRequest } from './bookkeeping-writer.js';

export type WriteRequest =
  | { seq: number; op: 'interactions'; importId: number; values: FlatValue[] }
  | { seq: number; op: 'accounts'; importId: number; rows: AccountRow[] }
  | { seq: number; op: 'rejections'; importId: number; rows: RejectedLineRow[] }
  | { seq: number; op: 'decisions'; rows: DecisionRow[] }
  | { seq: number; op: 'bookkeeping'; request: BookkeepingRequest }
  | { seq: number; op: 'close' };

export type WriteReply =
  | { seq: number; ok: true; result: number; flags?: Uint8Array }
  | { seq: number; ok: false; message: string };

/** The worker's first message: its kernel thread id (for the store's writerThread hook). */
export interface WriterThreadInfo {
  thread: number | null;
}
