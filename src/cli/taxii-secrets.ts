// TAXII partner secrets as the store keeps them: keyed hashes under the store's key-hashing
// secret (the one API keys and admin tokens use), never the secret itself.
import { loadKeyHashSecret } from '../gateway/index.js';
import { partnerSecretHash } from '../intel/index.js';
import type { SqliteStore } from '../store/index.js';

export function partnerSecretHasher(
  store: SqliteStore,
  databasePath: string,
  file?: string,
): (secret: string) => string {
  const key = loadKeyHashSecret({ databasePath, file, store });
  return (secret) => partnerSecretHash(key, secret);
}
