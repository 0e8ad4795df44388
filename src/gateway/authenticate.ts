// Who is calling: a managed key (Authorization: Bearer or x-api-key), or, behind an existing auth
// layer, an account id in a trusted header. The admin token guards the admin and sidecar routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './api-error.js';
import type { ApiKeys } from './api-keys.js';

export interface Caller {
  accountId: string;
  keyId: string | null;
}

function presentedSecret(headers: IncomingHttpHeaders): string | null {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim() || null;
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : null;
}

export function authenticateCaller(headers: IncomingHttpHeaders, keys: ApiKeys, trustAccountHeader: string | null): Caller {
  if (trustAccountHeader) {
    const value = headers[trustAccountHeader];
    if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
      throw new ApiError(401, 'missing_api_key', `Missing account: this gateway expects the account id in the '${trustAccountHeader}' header, set by the auth layer in front of it.`);
    }
    return { accountId: value, keyId: null };
  }
  const secret = presentedSecret(headers);
  if (!secret) throw new ApiError(401, 'missing_api_key', 'Missing API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>".');
  const key = keys.authenticate(secret);
  if (!key) throw new ApiError(401, 'invalid_api_key', 'Invalid API key: it is unknown or was revoked. Ask your administrator for a key (distillguard keys create).');
  return { accountId: key.accountId, keyId: key.keyId };
}

/** Compares the presented admin token with the configured one in constant time. */
export function requireAdmin(headers: IncomingHttpHeaders, adminToken: string | null): void {
  if (!adminToken) throw new ApiError(401, 'admin_token_required', 'The admin API is disabled: start serve with DISTILLGUARD_ADMIN_TOKEN or --admin-token-file.');
  const presented = presentedSecret(headers);
  const digest = (value: string) => createHash('sha256').update(value).digest();
  if (!presented || !timingSafeEqual(digest(presented), digest(adminToken))) {
    throw new ApiError(401, 'admin_token_required', 'This route needs the admin token as "Authorization: Bearer <token>".');
  }
}
