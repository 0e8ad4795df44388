// Who is calling: a managed key (Authorization: Bearer or x-api-key), or, behind an existing auth
// layer that proves itself with a shared secret, an account id in a trusted header. Scoped admin
// tokens guard the admin and sidecar routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { proxySecretHeader } from '../core/index.js';
import { ApiError } from './api-error.js';
import type { ApiKeys } from './api-keys.js';
import type { AdminScope, AdminTokens } from './admin-tokens.js';

/** `--trust-account-header`: the header naming the account, and the secret that proves the proxy set it. */
export interface TrustedAccountHeader {
  /** Lower-case header name. */
  name: string;
  /** SHA-256 of the shared secret (compared in constant time). */
  secretDigest: Buffer;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The trusted header from its name and the shared secret. */
export function trustedAccountHeader(name: string, secret: string): TrustedAccountHeader {
  return { name: name.toLowerCase(), secretDigest: digest(secret) };
}

export interface Caller {
  accountId: string;
  keyId: string | null;
}

function presentedSecret(headers: IncomingHttpHeaders): string | null {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.toLowerCase().startsWith('bearer '))
    return authorization.slice(7).trim() || null;
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : null;
}

export async function authenticateCaller(
  headers: IncomingHttpHeaders,
  keys: ApiKeys,
  trustAccountHeader: TrustedAccountHeader | null,
): Promise<Caller> {
  if (trustAccountHeader) {
    // without the proxy's secret, the header could come from anyone who reaches the port (review M10)
    const proof = headers[proxySecretHeader];
    if (
      typeof proof !== 'string' ||
      !timingSafeEqual(digest(proof), trustAccountHeader.secretDigest)
    ) {
      throw new ApiError(
        401,
        'invalid_api_key',
        `This gateway only serves requests from its auth proxy: the '${proxySecretHeader}' header is missing or wrong.`,
      );
    }
    const value = headers[trustAccountHeader.name];
    if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
      throw new ApiError(
        401,
        'missing_api_key',
        `Missing account: this gateway expects the account id in the '${trustAccountHeader.name}' header, set by the auth layer in front of it.`,
      );
    }
    return { accountId: value, keyId: null };
  }
  const secret = presentedSecret(headers);
  if (!secret)
    throw new ApiError(
      401,
      'missing_api_key',
      'Missing API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
    );
  const key = await keys.authenticate(secret);
  if (!key)
    throw new ApiError(
      401,
      'invalid_api_key',
      'Invalid API key: it is unknown or was revoked. Ask your administrator for a key (distillguard keys create).',
    );
  return { accountId: key.accountId, keyId: key.keyId };
}

/**
 * The admin identity presented with a request, checked for `scope`.
 * @throws ApiError 401 without a live admin token, 403 naming the missing scope.
 */
export async function requireScope(
  headers: IncomingHttpHeaders,
  tokens: AdminTokens,
  scope: AdminScope,
): Promise<void> {
  const presented = presentedSecret(headers);
  if (!presented)
    throw new ApiError(
      401,
      'admin_token_required',
      'This route needs an admin token as "Authorization: Bearer <token>" (distillguard tokens create, or the DISTILLGUARD_ADMIN_TOKEN serve was started with).',
    );
  const identity = await tokens.authenticate(presented);
  if (!identity)
    throw new ApiError(
      401,
      'admin_token_required',
      'The admin token is unknown or was revoked. Create one with `distillguard tokens create --scope ...`.',
    );
  if (!identity.scopes.includes(scope)) {
    throw new ApiError(
      403,
      'insufficient_scope',
      `This route needs an admin token with the '${scope}' scope; this token has ${identity.scopes.join(', ')}. Create one with \`distillguard tokens create --scope ${scope}\`.`,
    );
  }
}
