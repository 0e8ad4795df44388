// TAXII partner secrets as the store keeps them: keyed hashes under the store's key-hashing
// secret (the one API keys and admin tokens use), never the secret itself.
import { loadKeyHashSecret } from '../gateway/index.js';
import { partnerSecretHash } from '../intel/index.js';
import type { Store } from '../store/index.js';

export async function partnerSecretHasher(
  store: Store,
  databasePath: string,
  file?: string,
): Promise<(secret: string) => string> {
  const key = await loadKeyHashSecret({ databasePath, file, store });
  return (secret) => partnerSecretHash(key, secret);
}
