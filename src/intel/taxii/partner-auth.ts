// Who is asking: a TAXII partner by HTTP Basic (its name and secret) or Bearer (its secret). The
// secret is compared as a keyed hash (the store never holds it); a revoked partner is refused.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TaxiiPartnerRow, TaxiiStore } from '../../store/index.js';
import { TaxiiError } from './media.js';

const unauthorized = (why: string) =>
  new TaxiiError(
    401,
    'Authentication required',
    `${why} Send HTTP Basic with the partner name and secret, or 'Authorization: Bearer SECRET' (intel partners add prints the secret).`,
  );

function same(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export async function authenticatePartner(
  header: string | undefined,
  store: TaxiiStore,
  hashSecret: (secret: string) => string,
): Promise<TaxiiPartnerRow> {
  if (!header) throw unauthorized('No credentials.');
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  let partner: TaxiiPartnerRow | null = null;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw unauthorized('Malformed Basic credentials.');
    const found = await store.findPartner(decoded.slice(0, colon));
    if (found && same(found.secretHash, hashSecret(decoded.slice(colon + 1)))) partner = found;
  } else if (scheme.toLowerCase() === 'bearer') {
    partner = await store.findPartnerBySecretHash(hashSecret(value));
  } else throw unauthorized(`Unsupported authorization scheme '${scheme}'.`);
  if (!partner) throw unauthorized('Unknown partner or wrong secret.');
  if (partner.revokedAt) throw unauthorized('This partner was revoked.');
  return partner;
}

/** Whether a partner's list (ids, aliases or '*') covers a collection. */
export function allows(list: string[], collection: { id: string; alias: string | null }): boolean {
  return list.some(
    (item) =>
      item === '*' ||
      item === collection.id ||
      (collection.alias !== null && item === collection.alias),
  );
}

/** How a partner secret is stored: HMAC-SHA-256 under the store's key-hashing secret. */
export function partnerSecretHash(keyHashSecret: Buffer, secret: string): string {
  return createHmac('sha256', keyHashSecret).update(`taxii-partner:${secret}`).digest('base64url');
}
