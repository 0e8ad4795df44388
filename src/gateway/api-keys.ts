// Managed API keys: the secret is shown once and stored only as HMAC-SHA256 under a key-hashing
// secret that lives outside the database (env or file), so a stolen database yields no usable key.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { DistillGuardError } from '../core/index.js';
import type { ApiKeyRow, Store } from '../store/index.js';

export const keyHashSecretVariable = 'DISTILLGUARD_KEY_HASH_SECRET';

/**
 * The key-hashing secret: from the environment, else from `file`, else a file created beside the
 * database (mode 0600) on first use. It is never logged.
 */
export function loadKeyHashSecret(options: { databasePath: string; file?: string }): Buffer {
  const fromEnvironment = process.env[keyHashSecretVariable];
  if (fromEnvironment) return Buffer.from(fromEnvironment, 'utf8');
  const file = options.file ?? (options.databasePath === ':memory:' ? null : `${options.databasePath}.key-hash-secret`);
  if (file === null) return randomBytes(32);
  if (!existsSync(file)) {
    if (options.file) throw new DistillGuardError('usage', `key-hashing secret file '${file}' does not exist. Create it with at least 32 random bytes or leave the option out.`);
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 16) throw new DistillGuardError('usage', `key-hashing secret in '${file}' is shorter than 16 characters. Put at least 32 random bytes in it.`);
  return Buffer.from(secret, 'utf8');
}

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
   * Recently seen hashes → key, so a request costs one HMAC, not a query. Entries expire after
   * cacheMs so that keys revoked by another process (the `keys revoke` command) stop working soon.
   */
  private readonly cache = new Map<string, { key: ApiKeyRow | null; until: number }>();
  private static readonly cacheLimit = 50_000;
  static readonly cacheMs = 5_000;

  constructor(store: Store, hashSecret: Buffer) {
    this.store = store;
    this.hashSecret = hashSecret;
  }

  hash(secret: string): string {
    return createHmac('sha256', this.hashSecret).update(secret).digest('base64url');
  }

  async create(accountId: string, label: string | null = null): Promise<CreatedKey> {
    if (!accountId) throw new DistillGuardError('usage', 'an account id is required to create a key (--account ID).');
    const keyId = `key_${randomBytes(9).toString('base64url')}`;
    const secret = `dg-${randomBytes(30).toString('base64url')}`;
    await this.store.addApiKey({ keyId, accountId, secretHash: this.hash(secret), label, createdAt: new Date().toISOString(), revokedAt: null });
    this.cache.clear();
    return { keyId, accountId, secret };
  }

  async revoke(keyId: string): Promise<boolean> {
    const revoked = await this.store.revokeApiKey(keyId, new Date().toISOString());
    this.cache.clear();
    return revoked;
  }

  list(accountId?: string): ApiKeyRow[] {
    return this.store.listApiKeys(accountId);
  }

  /** The live key for `secret`, or null when unknown or revoked. */
  authenticate(secret: string): ApiKeyRow | null {
    const hash = this.hash(secret);
    const now = Date.now();
    let cached = this.cache.get(hash);
    if (cached === undefined || cached.until < now) {
      cached = { key: this.store.findApiKey(hash), until: now + ApiKeys.cacheMs };
      if (this.cache.size >= ApiKeys.cacheLimit) this.cache.clear();
      this.cache.set(hash, cached);
    }
    const key = cached.key;
    if (!key || key.revokedAt !== null) return null;
    // the lookup was by hash; compare again in constant time so timing says nothing about near misses
    return timingSafeEqual(Buffer.from(key.secretHash), Buffer.from(hash)) ? key : null;
  }

  /** Forgets cached lookups (after keys change in another process). */
  refresh(): void {
    this.cache.clear();
  }
}
