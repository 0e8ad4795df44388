// TAXII partner secrets as the store keeps them: HMAC-SHA-256 under the store's key-hashing secret
// (the one API keys and admin tokens use), never the secret itself.
import { createHmac } from 'node:crypto';
import { loadKeyHashSecret } from '../gateway/index.js';
import type { SqliteStore } from '../store/index.js';

export function partnerSecretHasher(
  store: SqliteStore,
  databasePath: string,
  file?: string,
): (secret: string) => string {
  const key = loadKeyHashSecret({ databasePath, file, store });
  return (secret) =>
    createHmac('sha256', key).update(`taxii-partner:${secret}`).digest('base64url');
}
