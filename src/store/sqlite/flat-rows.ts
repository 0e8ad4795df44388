// Interaction rows as one flat array of column values: far cheaper to post to the write worker
// than an array of objects, and it binds straight to the insert statement.
import type { InteractionRow } from '../store.js';

export type FlatValue = string | number | null;

/**
 * Values per row, in insert order (import and source ids are added by the writer), then the
 * pointed raw text, which the writer hashes but does not store.
 */
export const interactionColumns = 19;

export function encodeInteractionRows(rows: readonly InteractionRow[]): FlatValue[] {
  const values: FlatValue[] = new Array(rows.length * interactionColumns);
  let index = 0;
  for (const row of rows) {
    values[index++] = row.id;
    values[index++] = row.tsMs;
    values[index++] = row.accountId;
    values[index++] = row.keyId;
    values[index++] = row.api;
    values[index++] = row.model;
    values[index++] = row.clientIp;
    values[index++] = row.clientAsn;
    values[index++] = row.clientCountry;
    values[index++] = row.userAgent;
    values[index++] = row.status;
    values[index++] = row.inputTokens;
    values[index++] = row.outputTokens;
    values[index++] = row.latencyMs;
    values[index++] = row.line;
    values[index++] = row.byteOffset;
    values[index++] = row.byteLength;
    values[index++] = row.raw;
    values[index++] = row.pointedRaw ?? null;
  }
  return values;
}
