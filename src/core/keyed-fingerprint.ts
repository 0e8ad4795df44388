// Keyed fingerprints, defined once for the two sides that must agree byte for byte: intel/ makes
// them when it exports indicators, detect/ makes them from its own traffic to match a partner's.
// HMAC-SHA-256 of 'dg1:KIND:CANONICAL VALUE' under a community key (32 bytes, base64url).
import { createHmac } from 'node:crypto';

/** What a fingerprint is of; part of the hashed text, so kinds never collide. */
export const fingerprintKinds = [
  'template',
  'template-band',
  'payment',
  'email-domain',
  'account',
  'client-address',
] as const;
export type FingerprintKind = (typeof fingerprintKinds)[number];

/** Version of the canonical forms below: a change to them (or to the template skeleton) bumps it. */
export const canonicalVersion = 'dg1';

/** The canonical form of a value before keying: trimmed, lower-case where case carries nothing. */
export function canonicalValue(kind: FingerprintKind, value: string | number): string {
  const text = String(value).trim();
  switch (kind) {
    case 'email-domain':
      return text.toLowerCase().replace(/^.*@/, '').replace(/\.$/, '');
    case 'client-address':
      return text.toLowerCase();
    default:
      return text;
  }
}

/** HMAC-SHA-256 of `dg1:KIND:VALUE` under `secret` (base64url), lower-case hex. */
export function keyedFingerprint(
  secret: string,
  kind: FingerprintKind,
  value: string | number,
): string {
  return createHmac('sha256', Buffer.from(secret, 'base64url'))
    .update(`${canonicalVersion}:${kind}:${canonicalValue(kind, value)}`)
    .digest('hex');
}
