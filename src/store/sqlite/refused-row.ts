// Which SQLite failures belong to one row (a constraint, a value SQLite will not bind) rather than
// to the store (disk full, read-only, locked), and the rejected_lines entry for such a row.
import type { RejectedLineRow } from '../store.js';
import type { FlatValue } from './flat-rows.js';

const rowCodes = new Set(['SQLITE_MISMATCH', 'SQLITE_TOOBIG', 'SQLITE_RANGE']);

/** True when `error` is about the row being written, so that retrying it can never succeed. */
export function refusedRow(error: unknown): boolean {
  // better-sqlite3 throws TypeError / RangeError for values it cannot bind (before SQLite sees them)
  if (error instanceof TypeError || error instanceof RangeError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CONSTRAINT') || rowCodes.has(code));
}

/** The contract field behind each interactions column SQLite names in its messages. */
const fieldOfColumn: Record<string, string> = {
  id: 'id',
  ts_ms: 'ts',
  account_id: 'account_id',
  key_id: 'key_id',
  api: 'api',
  model: 'model',
  client_ip: 'client.ip',
  client_asn: 'client.asn',
  client_country: 'client.country',
  user_agent: 'client.user_agent',
  status: 'response.status',
  input_tokens: 'response.usage.input_tokens',
  output_tokens: 'response.usage.output_tokens',
  latency_ms: 'response.latency_ms',
};

/** Longest text of a refused row kept in rejected_lines (as ingest keeps rejected lines). */
const maxKeptText = 1 << 20;

/** The rejection for the row starting at `start` in flat interaction values (flat-rows.ts order). */
export function rowRejection(
  error: Error,
  values: readonly FlatValue[],
  start: number,
): RejectedLineRow {
  const column = /interactions\.(\w+)/.exec(error.message)?.[1];
  const raw = values[start + 17];
  return {
    line: Number(values[start + 14]),
    field: (column && fieldOfColumn[column]) ?? '',
    reason: `could not be stored: ${error.message}`,
    text: typeof raw === 'string' ? raw.slice(0, maxKeptText) : '',
  };
}
