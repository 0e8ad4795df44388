// Deterministic STIX identifiers and canonical JSON: the same finding gets the same id in every
// export (UUIDv5 over the content that identifies it), and a version's content is compared by the
// SHA-256 of its canonical form (keys sorted, no spaces).
import { createHash } from 'node:crypto';

/** The namespace the STIX 2.1 specification gives for deterministic SCO ids (section 2.9). */
export const scoNamespace = '00abedb4-aa42-466c-9c01-fed23315a9b7';
/** DistillGuard's namespace for the ids of the objects it makes (a fixed, random UUID). */
export const distillguardNamespace = '5f3c8a2e-9b71-4d06-8e3f-2a1d7c4b9e60';

/** A JSON value with sorted keys and no insignificant whitespace (RFC 8785's key order). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** RFC 4122 (9562) version 5: SHA-1 of the namespace and the name, version and variant bits set. */
export function uuidV5(namespace: string, name: string): string {
  const digest = createHash('sha1')
    .update(uuidBytes(namespace))
    .update(Buffer.from(name, 'utf8'))
    .digest();
  digest[6] = (digest[6] & 0x0f) | 0x50;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of a DistillGuard-made object of `type` identified by `identity` (canonicalised). */
export function stixId(type: string, identity: unknown): string {
  return `${type}--${uuidV5(distillguardNamespace, canonicalJson(identity))}`;
}

/** The deterministic id of an SCO from its id-contributing properties (specification 2.9). */
export function scoId(type: string, contributing: Record<string, unknown>): string {
  return `${type}--${uuidV5(scoNamespace, canonicalJson(contributing))}`;
}

/** STIX timestamps: UTC with milliseconds, e.g. 2026-02-02T00:00:00.000Z. */
export function stixTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
