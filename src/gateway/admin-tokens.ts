// Scoped admin tokens for the admin API, the sidecar and metrics: `read` (assessment, decisions,
// key list, metrics), `act` (decide, ingest, assess, accounts import), `keys` (create and revoke
// API keys). Stored like API keys, as HMACs under the key-hashing secret; the bootstrap token
// (DISTILLGUARD_ADMIN_TOKEN or --admin-token-file) holds every scope.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DistillGuardError, nearestName } from '../core/index.js';
import type { AdminTokenRow, Store } from '../store/index.js';
import { SecretLookupCache } from './secret-lookup-cache.js';

export const adminScopes = ['read', 'act', 'keys'] as const;
export type AdminScope = (typeof adminScopes)[number];

/** Who holds a presented admin token: its id (`bootstrap` for the configured one) and scopes. */
export interface AdminIdentity {
  tokenId: string;
  scopes: readonly AdminScope[];
}

export interface CreatedAdminToken {
  tokenId: string;
  scopes: AdminScope[];
  /** Shown once; only its keyed hash is stored. */
  secret: string;
}

/**
 * Parses `read,act` (commas or spaces) into scopes, in their canonical order.
 * @throws DistillGuardError('usage') naming an unknown scope and the nearest known one.
 */
export function parseAdminScopes(text: string): AdminScope[] {
  const names = text.split(/[\s,]+/).filter((name) => name.length > 0);
  if (names.length === 0)
    throw new DistillGuardError(
      'usage',
      `no scope given: pass --scope with one or more of ${adminScopes.join(', ')}.`,
    );
  for (const name of names) {
    if (!(adminScopes as readonly string[]).includes(name)) {
      const near = nearestName(name, adminScopes);
      throw new DistillGuardError(
        'usage',
        `unknown scope '${name}'${near ? `: did you mean '${near}'?` : ''} Scopes: ${adminScopes.join(', ')}.`,
      );
    }
  }
  return adminScopes.filter((scope) => names.includes(scope));
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export class AdminTokens {
  private readonly store: Store;
  private readonly hashSecret: Buffer;
  private readonly bootstrapDigest: Buffer | null;
  private readonly cache = new SecretLookupCache<AdminIdentity>({
    known: 1_024,
    unknown: 1_024,
    ttlMs: 5_000,
  });

  /** `bootstrapToken`: the configured token with every scope, or null. */
  constructor(store: Store, hashSecret: Buffer, bootstrapToken: string | null = null) {
    this.store = store;
    this.hashSecret = hashSecret;
    this.bootstrapDigest = bootstrapToken ? digest(bootstrapToken) : null;
  }

  private hash(secret: string): string {
    return createHmac('sha256', this.hashSecret)
      .update(`admin-token:${secret}`)
      .digest('base64url');
  }

  async create(
    scopes: readonly AdminScope[],
    label: string | null = null,
  ): Promise<CreatedAdminToken> {
    const canonical = adminScopes.filter((scope) => scopes.includes(scope));
    if (canonical.length === 0)
      throw new DistillGuardError(
        'usage',
        `an admin token needs at least one scope (${adminScopes.join(', ')}).`,
      );
    const tokenId = `tok_${randomBytes(9).toString('base64url')}`;
    const secret = `dga-${randomBytes(30).toString('base64url')}`;
    await this.store.addAdminToken({
      tokenId,
      scopes: canonical.join(','),
      secretHash: this.hash(secret),
      label,
      createdAt: new Date().toISOString(),
      revokedAt: null,
    });
    this.cache.clear();
    return { tokenId, scopes: canonical, secret };
  }

  list(): Promise<AdminTokenRow[]> {
    return this.store.listAdminTokens();
  }

  async revoke(tokenId: string): Promise<boolean> {
    const revoked = await this.store.revokeAdminToken(tokenId, new Date().toISOString());
    this.cache.clear();
    return revoked;
  }

  /** The holder of `secret`, or null when it is no live admin token. */
  async authenticate(secret: string): Promise<AdminIdentity | null> {
    // the bootstrap token: compared in constant time over digests of equal length
    if (this.bootstrapDigest && timingSafeEqual(digest(secret), this.bootstrapDigest))
      return { tokenId: 'bootstrap', scopes: adminScopes };
    const hash = this.hash(secret);
    const now = Date.now();
    const cached = this.cache.get(hash, now);
    if (cached !== undefined) return cached;
    const row = await this.store.findAdminToken(hash);
    const identity =
      row &&
      row.revokedAt === null &&
      timingSafeEqual(Buffer.from(row.secretHash), Buffer.from(hash))
        ? {
            tokenId: row.tokenId,
            scopes: adminScopes.filter((scope) => row.scopes.split(',').includes(scope)),
          }
        : null;
    this.cache.set(hash, identity, now);
    return identity;
  }
}
