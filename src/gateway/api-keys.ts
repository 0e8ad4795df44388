// Managed API keys: the secret is shown once and stored only as HMAC-SHA256 under a key-hashing
// secret that lives outside the database (key-hash-secret.ts), so a stolen database yields no usable key.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DistillGuardError } from '../core/index.js';
import type { ApiKeyRow, Store } from '../store/index.js';
import { SecretLookupCache } from './secret-lookup-cache.js';

export interface CreatedKey {
  keyId: string;
  accountId: string;
  /** Shown once; only its keyed hash is stored. */
  secret: string;
}

export class ApiKeys {
  private readonly store: Store;
  private readonly hashSecret: Buffer;
  /**
   * Recently seen hashes → key. Entries expire after cacheMs so that keys revoked by another
   * process (the `keys revoke` command) stop working soon.
   */
  static readonly cacheMs = 5_000;
  private readonly cache = new SecretLookupCache<ApiKeyRow>({
    known: 50_000,
    unknown: 4_096,
    ttlMs: ApiKeys.cacheMs,
  });

  constructor(store: Store, hashSecret: Buffer) {
    this.store = store;
    this.hashSecret = hashSecret;
  }

  hash(secret: string): string {
    return createHmac('sha256', this.hashSecret).update(secret).digest('base64url');
  }

  async create(accountId: string, label: string | null = null): Promise<CreatedKey> {
    if (!accountId)
      throw new DistillGuardError(
        'usage',
        'an account id is required to create a key (--account ID).',
      );
    const keyId = `key_${randomBytes(9).toString('base64url')}`;
    const secret = `dg-${randomBytes(30).toString('base64url')}`;
    await this.store.addApiKey({
      keyId,
      accountId,
      secretHash: this.hash(secret),
      label,
      createdAt: new Date().toISOString(),
      revokedAt: null,
    });
    this.cache.clear();
    return { keyId, accountId, secret };
  }

  async revoke(keyId: string): Promise<boolean> {
    const revoked = await this.store.revokeApiKey(keyId, new Date().toISOString());
    this.cache.clear();
    return revoked;
  }

  list(accountId?: string): Promise<ApiKeyRow[]> {
    return this.store.listApiKeys(accountId);
  }

  /** The live key for `secret`, or null when unknown or revoked. */
  async authenticate(secret: string): Promise<ApiKeyRow | null> {
    const hash = this.hash(secret);
    const now = Date.now();
    let key = this.cache.get(hash, now);
    if (key === undefined) {
      key = await this.store.findApiKey(hash);
      this.cache.set(hash, key, now);
    }
    if (!key || key.revokedAt !== null) return null;
    // the lookup was by hash; compare again in constant time so timing says nothing about near misses
    return timingSafeEqual(Buffer.from(key.secretHash), Buffer.from(hash)) ? key : null;
  }

  /** Forgets cached lookups (after keys change in another process). */
  refresh(): void {
    this.cache.clear();
  }
}
