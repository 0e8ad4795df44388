// The log's Ed25519 signing key: a C2SP signer key in a file beside the store (0600, created on
// first use), outside the database like the key-hashing secret. The store keeps the verifier key,
// so a replaced or lost signing key stops the start instead of silently forking the log.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { chmodSync, linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { DistillGuardError } from '../core/index.js';
import type { Store } from '../store/index.js';
import { generateSignerKey, parseSignerKey, type NoteSigner } from './signed-note.js';

const verifierSetting = 'log_verifier_key';

export interface LogSigner {
  /** The log's origin line and key name. */
  origin: string;
  signer: NoteSigner;
  /** `name+hash+keydata`, what partners verify checkpoints with. */
  verifierKey: string;
  /**
   * Where the last signed checkpoint is kept outside the database (beside the key), so that a
   * store whose entries and checkpoints were both rewritten is not signed again; null in memory.
   */
  headFile: string | null;
}

export interface LogSignerOptions {
  databasePath: string;
  /** --log-key-file: must exist. */
  file?: string;
  /** The origin for a new log (default: `distillguard/<host>/<random>`). */
  origin?: string;
  store: Store;
}

function defaultOrigin(): string {
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '-') || 'localhost';
  return `${host}/distillguard-log/${randomBytes(4).toString('hex')}`;
}

function createKeyFile(file: string, origin: string): void {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(aside, `${generateSignerKey(origin).signerKey}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(aside);
  }
}

/**
 * The log's signer: from `file`, else `<db>.log-key` (created on first use while the log is
 * empty). It must match the verifier key the store recorded with its first checkpoint.
 * @throws DistillGuardError('usage') when the key is missing for a log that has entries, or changed.
 */
export async function loadLogSigner(options: LogSignerOptions): Promise<LogSigner> {
  if (options.databasePath === ':memory:' && !options.file) {
    // an in-memory store's log lives as long as the process: so does its key
    const parsed = parseSignerKey(generateSignerKey(options.origin ?? defaultOrigin()).signerKey);
    return {
      origin: parsed.signer.name,
      signer: parsed.signer,
      verifierKey: parsed.verifierKey,
      headFile: null,
    };
  }
  const file = options.file ?? `${options.databasePath}.log-key`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || options.file)
      throw new DistillGuardError(
        'usage',
        `cannot read the log's signing key '${file}': ${(error as Error).message}`,
      );
    const recorded = await options.store.readSetting(verifierSetting);
    if (recorded !== null || (await options.store.designation.logSize()) > 0)
      throw new DistillGuardError(
        'usage',
        `the log's signing key '${file}' is missing, but the log in '${options.databasePath}' was signed with ${recorded ?? 'a key'}: a new key would fork it. Restore the file from the backup of this store, or pass --log-key-file.`,
      );
    createKeyFile(file, options.origin ?? defaultOrigin());
    text = readFileSync(file, 'utf8');
  }
  // tightened when this user owns it (another user's file is left as it is)
  const stat = statSync(file);
  if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) chmodSync(file, 0o600);
  const parsed = parseSignerKey(text.trim());
  const recorded = await options.store.writeSettingOnce(verifierSetting, parsed.verifierKey);
  if (recorded !== parsed.verifierKey)
    throw new DistillGuardError(
      'usage',
      `the signing key in '${file}' (${parsed.verifierKey}) is not the key this log was signed with (${recorded}). Use the original key file.`,
    );
  return {
    origin: parsed.signer.name,
    signer: parsed.signer,
    verifierKey: parsed.verifierKey,
    headFile: `${file}.head`,
  };
}

/** The verifier key the store recorded, or null before the log's first signature. */
export async function recordedVerifierKey(store: {
  readSetting(name: string): Promise<string | null>;
}): Promise<string | null> {
  return store.readSetting(verifierSetting);
}
