// How a command acts as a user: `--as NAME` with the token in DISTILLGUARD_TOKEN or `--token-file`,
// checked against the store's keyed hash. The case desk it opens signs a checkpoint for whatever
// the command appended to the log, and lapses due designations first.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DistillGuardError, describeFileError, userTokenVariable } from '../core/index.js';
import {
  authenticateUser,
  expireDue,
  loadLogSigner,
  TransparencyLog,
  type Actor,
  type CaseDesk,
} from '../designate/index.js';
import { loadKeyHashSecret } from '../gateway/index.js';
import type { Store } from '../store/index.js';
import { defaultDatabasePath } from './options.js';
import { openStore, storeConfigDescription } from './open-store.js';

export interface DeskOptions {
  db: string;
  /** The gateway config whose `storage` block names the store (else the SQLite file of --db). */
  config?: string;
  as?: string;
  tokenFile?: string;
  keyHashSecretFile?: string;
  logKeyFile?: string;
}

/**
 * Adds --db, --config (unless the command has its own, the same gateway config), --as,
 * --token-file, --key-hash-secret-file and --log-key-file.
 */
export function deskOptions(command: Command): Command {
  command.option('--db <file>', 'SQLite store', defaultDatabasePath);
  if (!command.options.some((option) => option.long === '--config'))
    command.option('--config <file>', storeConfigDescription);
  return command
    .option('--as <name>', `act as this user (token in ${userTokenVariable} or --token-file)`)
    .option('--token-file <file>', "a file holding the user's token")
    .option(
      '--key-hash-secret-file <file>',
      'the secret tokens are hashed under (default: <db>.key-hash-secret)',
    )
    .option('--log-key-file <file>', "the log's signing key (default: <db>.log-key)");
}

export function readToken(options: { tokenFile?: string }): string | null {
  if (options.tokenFile) {
    try {
      return readFileSync(options.tokenFile, 'utf8').trim();
    } catch (error) {
      throw new DistillGuardError('input_unreadable', describeFileError(options.tokenFile, error));
    }
  }
  const fromEnvironment = process.env[userTokenVariable];
  return fromEnvironment && fromEnvironment.length > 0 ? fromEnvironment.trim() : null;
}

export async function actingUser(
  store: Store,
  keyHashSecret: Buffer,
  options: DeskOptions,
): Promise<Actor> {
  if (!options.as)
    throw new DistillGuardError(
      'usage',
      `say who acts: --as NAME, with the token 'users add' printed in ${userTokenVariable} or --token-file.`,
    );
  const token = readToken(options);
  if (token === null)
    throw new DistillGuardError(
      'usage',
      `no token for '${options.as}': set ${userTokenVariable} or pass --token-file.`,
    );
  return authenticateUser(store.designation, keyHashSecret, options.as, token);
}

export interface OpenDesk {
  store: Store;
  desk: CaseDesk;
  keyHashSecret: Buffer;
}

/**
 * Opens the store and the log, runs `work`, and signs a checkpoint over what it appended (also
 * when `work` throws after appending), then closes the store.
 */
export async function withDesk<T>(
  options: DeskOptions,
  work: (open: OpenDesk) => T | Promise<T>,
): Promise<T> {
  const store = await openStore(options);
  try {
    const keyHashSecret = await loadKeyHashSecret({
      databasePath: options.db,
      file: options.keyHashSecretFile,
      store,
    });
    const signer = await loadLogSigner({
      databasePath: options.db,
      file: options.logKeyFile,
      store,
    });
    const log = new TransparencyLog(store.designation, signer);
    const desk: CaseDesk = { store, log };
    try {
      await expireDue(desk);
      return await work({ store, desk, keyHashSecret });
    } finally {
      await log.checkpoint();
    }
  } finally {
    await store.close();
  }
}
