// What retention leaves of an interaction once its text is due: the record reduced to its
// metadata (who, when, which API and model, status, token counts, the decision), no prompt or answer.
import { formatTimestamp, isJsonObject, type JsonObject } from '../core/index.js';
import type { InteractionRow } from './store.js';

/** The stored columns of an interaction, for rows whose raw record is not in the store (pointers). */
export type InteractionColumns = Pick<
  InteractionRow,
  | 'id'
  | 'tsMs'
  | 'accountId'
  | 'keyId'
  | 'api'
  | 'model'
  | 'clientIp'
  | 'clientAsn'
  | 'clientCountry'
  | 'userAgent'
  | 'status'
  | 'inputTokens'
  | 'outputTokens'
  | 'latencyMs'
>;

const responseMetadata = ['status', 'usage', 'latency_ms', 'finish_reason'];

/**
 * The record in the contract format without its text: from `raw` when the store holds it (request
 * parameters that are numbers or booleans, such as max_tokens, temperature, n and stream, are
 * kept; so are the gateway's decision and watermark), else from the stored columns.
 * `text_pruned_at` says when and why the rest is gone.
 */
export function metadataRecord(
  raw: string | null,
  columns: InteractionColumns,
  prunedAtMs: number,
): string {
  const prunedAt = formatTimestamp(prunedAtMs);
  const parsed = raw === null ? null : parseObject(raw);
  if (parsed) {
    const { request, response, ...rest } = parsed;
    const kept: JsonObject = { ...rest, request: parameters(request) };
    if (isJsonObject(response)) kept.response = pick(response, responseMetadata);
    kept.text_pruned_at = prunedAt;
    return JSON.stringify(kept);
  }
  const client = dropNulls({
    ip: columns.clientIp,
    asn: columns.clientAsn,
    country: columns.clientCountry,
    user_agent: columns.userAgent,
  });
  const usage = dropNulls({
    input_tokens: columns.inputTokens,
    output_tokens: columns.outputTokens,
  });
  const response = dropNulls({ status: columns.status, latency_ms: columns.latencyMs });
  return JSON.stringify({
    id: columns.id,
    ts: formatTimestamp(columns.tsMs),
    account_id: columns.accountId,
    ...(columns.keyId !== null ? { key_id: columns.keyId } : {}),
    ...(Object.keys(client).length > 0 ? { client } : {}),
    api: columns.api,
    model: columns.model,
    request: {},
    ...(Object.keys(response).length > 0 || Object.keys(usage).length > 0
      ? { response: { ...response, ...(Object.keys(usage).length > 0 ? { usage } : {}) } }
      : {}),
    text_pruned_at: prunedAt,
  });
}

function parseObject(raw: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(raw);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

function parameters(request: unknown): JsonObject {
  const kept: JsonObject = {};
  if (!isJsonObject(request)) return kept;
  for (const [name, value] of Object.entries(request))
    if (typeof value === 'number' || typeof value === 'boolean') kept[name] = value;
  return kept;
}

function pick(object: JsonObject, names: readonly string[]): JsonObject {
  const kept: JsonObject = {};
  for (const name of names) if (object[name] !== undefined) kept[name] = object[name];
  return kept;
}

function dropNulls(
  object: Record<string, string | number | null>,
): Record<string, string | number> {
  const kept: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(object)) if (value !== null) kept[name] = value;
  return kept;
}
