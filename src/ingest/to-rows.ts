// Maps validated contract records to the store's rows: the fields detection needs, plus a pointer
// to the raw line (or the line itself when the input cannot be read again).
import { parseTimestamp, type Account, type Interaction } from '../core/index.js';
import type { AccountRow, InteractionRow } from '../store/index.js';

export function toInteractionRow(
  record: Interaction,
  line: number,
  byteOffset: number,
  byteLength: number,
  raw: string | null,
  /** `record.ts` in ms, when the caller already has it (the gateway formats `ts` from it). */
  tsMs: number = parseTimestamp(record.ts),
): InteractionRow {
  const client = record.client;
  const response = record.response;
  return {
    id: record.id,
    tsMs,
    accountId: record.account_id,
    keyId: record.key_id ?? null,
    api: record.api,
    model: record.model,
    clientIp: client?.ip ?? null,
    clientAsn: client?.asn ?? null,
    clientCountry: client?.country ?? null,
    userAgent: client?.user_agent ?? null,
    status: response?.status ?? null,
    inputTokens: response?.usage?.input_tokens ?? null,
    outputTokens: response?.usage?.output_tokens ?? null,
    latencyMs: response?.latency_ms ?? null,
    line,
    byteOffset,
    byteLength,
    raw,
  };
}

export function toAccountRow(record: Account, text: string): AccountRow {
  return {
    accountId: record.account_id,
    createdAtMs: record.created_at ? parseTimestamp(record.created_at) : null,
    verification: record.verification ?? null,
    orgId: record.org_id ?? null,
    emailDomain: record.email_domain ?? null,
    paymentFingerprint: record.payment_fingerprint ?? null,
    country: record.country ?? null,
    signupIp: record.signup_ip ?? null,
    record: text,
  };
}
