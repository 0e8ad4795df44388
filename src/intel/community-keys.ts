// Keyed indicators: values that would identify users or reveal prompts (template skeleton keys,
// payment fingerprints, email domains, account ids, client addresses) are shared only as
// HMAC-SHA-256 under a community key that partners hold, named by its key id. A partner with the
// key computes the same fingerprint from its own traffic and matches; anyone else learns nothing.
import { randomBytes } from 'node:crypto';
import { DistillGuardError, keyedFingerprint, type FingerprintKind } from '../core/index.js';
import type { IntelKeyRow, IntelStore } from '../store/index.js';

/** The fingerprint of `value` under a community key (core/keyed-fingerprint.ts). */
export function fingerprintUnder(
  key: IntelKeyRow,
  kind: FingerprintKind,
  value: string | number,
): string {
  return keyedFingerprint(key.secret, kind, value);
}

const keyIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A new community key (32 random bytes); the id defaults to ck-YYYYMMDD-xxxxxx. */
export function newIntelKey(keyId?: string, now = new Date()): IntelKeyRow {
  const id =
    keyId ??
    `ck-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
  checkKeyId(id);
  return {
    keyId: id,
    secret: randomBytes(32).toString('base64url'),
    createdAt: now.toISOString(),
    retiredAt: null,
    origin: 'created',
  };
}

export function checkKeyId(keyId: string): void {
  if (!keyIdPattern.test(keyId))
    throw new DistillGuardError(
      'usage',
      `key id '${keyId}' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.`,
    );
}

/** A community key received out of band: its secret as base64url (43 characters, 32 bytes). */
export function receivedIntelKey(keyId: string, secret: string, now = new Date()): IntelKeyRow {
  checkKeyId(keyId);
  const text = secret.trim();
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== 32 || bytes.toString('base64url') !== text)
    throw new DistillGuardError(
      'input_invalid',
      'the community key must be 32 bytes in base64url (43 characters), as `intel keys create` prints it.',
    );
  return { keyId, secret: text, createdAt: now.toISOString(), retiredAt: null, origin: 'added' };
}

/** The key new indicators are made with: the newest active one. */
export async function activeIntelKey(store: IntelStore): Promise<IntelKeyRow> {
  const active = (await store.listIntelKeys()).filter((key) => key.retiredAt === null);
  const newest = active[active.length - 1];
  if (!newest)
    throw new DistillGuardError(
      'usage',
      "no community key: create one with `distillguard intel keys create` (or add the community's with `intel keys add`) before exporting.",
    );
  return newest;
}
