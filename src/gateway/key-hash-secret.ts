// The secret API keys and admin tokens are hashed under (HMAC-SHA256), kept outside the database:
// from the environment, a file, or a file created beside the database on first use. The store
// keeps an HMAC of a constant under it, so a changed or lost secret stops the start with what to
// do, instead of quietly turning every key into a 401 (review L1).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { DistillGuardError, keyHashSecretVariable } from '../core/index.js';
import type { Store } from '../store/index.js';

const minimumLength = 16;
/** The setting holding HMAC(secret, checkConstant). */
const checkSetting = 'key_hash_check';
const checkConstant = 'distillguard key-hash secret check v1';

export interface KeyHashSecretOptions {
  databasePath: string;
  /** --key-hash-secret-file: must exist. */
  file?: string;
  /** The store the keys live in: the secret is checked against it (and the check stored on first use). */
  store?: Store;
}

function tooShort(origin: string): DistillGuardError {
  return new DistillGuardError(
    'usage',
    `the key-hashing secret in ${origin} is shorter than ${minimumLength} characters. Use at least 32 random bytes (for example: openssl rand -base64 32).`,
  );
}

async function heldCredentials(store: Store | undefined): Promise<number> {
  return store
    ? (await store.listApiKeys()).length +
        (await store.listAdminTokens()).length +
        (await store.designation.listUsers()).length
    : 0;
}

/**
 * Creates `file` with a new random secret, atomically (written aside, then linked into place): of
 * two processes starting at once, one creates it and the other reads what it wrote (review L12).
 */
export function createSecretFile(file: string): void {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(aside, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(aside);
  }
}

/** Tightens the file to 0600 when this user owns it; a file another user owns is left as it is. */
function restrictMode(file: string): void {
  const stat = statSync(file);
  const owner = process.getuid?.();
  if ((stat.mode & 0o077) !== 0 && (owner === undefined || owner === stat.uid))
    chmodSync(file, 0o600);
}

async function readSecret(
  options: KeyHashSecretOptions,
): Promise<{ secret: Buffer; origin: string }> {
  const fromEnvironment = process.env[keyHashSecretVariable];
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    if (fromEnvironment.length < minimumLength) throw tooShort(keyHashSecretVariable);
    return { secret: Buffer.from(fromEnvironment, 'utf8'), origin: keyHashSecretVariable };
  }
  const file =
    options.file ??
    (options.databasePath === ':memory:' ? null : `${options.databasePath}.key-hash-secret`);
  if (file === null)
    return { secret: randomBytes(32), origin: 'a random secret (in-memory store)' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new DistillGuardError(
        'usage',
        `cannot read the key-hashing secret file '${file}': ${(error as Error).message}`,
      );
    if (options.file)
      throw new DistillGuardError(
        'usage',
        `key-hashing secret file '${file}' does not exist. Create it with at least 32 random bytes or leave the option out.`,
      );
    const held = await heldCredentials(options.store);
    if (held > 0) {
      throw new DistillGuardError(
        'usage',
        `the key-hashing secret file '${file}' is missing, but '${options.databasePath}' holds ${held} API keys, admin tokens and user tokens made with it: a new secret would make every one of them fail. Restore the file (from the backup of this store), or set ${keyHashSecretVariable} to the secret they were made with.`,
      );
    }
    createSecretFile(file);
    text = readFileSync(file, 'utf8');
  }
  restrictMode(file);
  const secret = text.trim();
  if (secret.length < minimumLength) throw tooShort(`'${file}'`);
  return { secret: Buffer.from(secret, 'utf8'), origin: `'${file}'` };
}

/**
 * The key-hashing secret (env, else `file`, else `<db>.key-hash-secret`, created 0600 on first use
 * unless the store already holds keys). With `store`, it must be the secret the store's keys were
 * made with. It is never logged.
 * @throws DistillGuardError('usage') when it is too short, missing while keys exist, or changed.
 */
export async function loadKeyHashSecret(options: KeyHashSecretOptions): Promise<Buffer> {
  const { secret, origin } = await readSecret(options);
  if (options.store) {
    const check = createHmac('sha256', secret).update(checkConstant).digest('base64url');
    const stored = await options.store.writeSettingOnce(checkSetting, check);
    if (
      stored.length !== check.length ||
      !timingSafeEqual(Buffer.from(stored), Buffer.from(check))
    ) {
      throw new DistillGuardError(
        'usage',
        `the key-hashing secret from ${origin} is not the one the API keys and admin tokens in '${options.databasePath}' were made with: every one of them would be refused. Start with the original secret (the ${keyHashSecretVariable} or --key-hash-secret-file it ran with, or the file '${options.databasePath}.key-hash-secret' from the backup of this store).`,
      );
    }
  }
  return secret;
}
