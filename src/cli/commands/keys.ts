// `distillguard keys create|list|revoke`: managed API keys. The secret is printed once; the store
// keeps only its keyed hash.
import type { Command } from 'commander';
import { DistillGuardError, keyHashSecretVariable } from '../../core/index.js';
import { ApiKeys, loadKeyHashSecret } from '../../gateway/index.js';
import { defaultDatabasePath } from '../options.js';
import { openStore, storeConfigDescription, storeName } from '../open-store.js';

interface KeysOptions {
  db: string;
  config?: string;
  keyHashSecretFile?: string;
}

async function withKeys<T>(
  options: KeysOptions,
  work: (keys: ApiKeys) => T | Promise<T>,
): Promise<T> {
  const store = await openStore(options);
  try {
    return await work(
      new ApiKeys(
        store,
        await loadKeyHashSecret({
          databasePath: options.db,
          file: options.keyHashSecretFile,
          store,
        }),
      ),
    );
  } finally {
    await store.close();
  }
}

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('manage API keys of the gateway (stored as keyed hashes only)');
  const common = (command: Command) =>
    command
      .option('--db <file>', 'SQLite store', defaultDatabasePath)
      .option('--config <file>', storeConfigDescription)
      .option(
        '--key-hash-secret-file <file>',
        `file holding the key-hashing secret (else env ${keyHashSecretVariable}, else <db>.key-hash-secret)`,
      );
  common(
    keys.command('create').description('create a key for an account and print its secret once'),
  )
    .requiredOption('--account <id>', 'account the key belongs to')
    .option('--label <text>', 'a note to tell keys apart')
    .option('--json', 'print {key_id, account_id, secret} as JSON')
    .action(async (options: KeysOptions & { account: string; label?: string; json?: boolean }) => {
      const created = await withKeys(options, (store) =>
        store.create(options.account, options.label ?? null),
      );
      if (options.json)
        process.stdout.write(
          `${JSON.stringify({ key_id: created.keyId, account_id: created.accountId, secret: created.secret })}\n`,
        );
      else
        process.stdout.write(
          `key ${created.keyId} for account ${created.accountId}\nsecret (shown once, store it now): ${created.secret}\n`,
        );
    });
  common(keys.command('list').description('list keys (never their secrets)'))
    .option('--account <id>', "only this account's keys")
    .action(async (options: KeysOptions & { account?: string }) => {
      const rows = await withKeys(options, (store) => store.list(options.account));
      if (rows.length === 0) process.stdout.write('no keys\n');
      for (const row of rows) {
        process.stdout.write(
          `${row.keyId}\t${row.accountId}\t${row.createdAt}\t${row.revokedAt ? `revoked ${row.revokedAt}` : 'active'}${row.label ? `\t${row.label}` : ''}\n`,
        );
      }
    });
  common(
    keys
      .command('revoke')
      .description('revoke a key (a running gateway stops accepting it within seconds)'),
  )
    .argument('<key-id>', 'the key id printed by `keys create` or `keys list`')
    .action(async (keyId: string, options: KeysOptions) => {
      const revoked = await withKeys(options, (store) => store.revoke(keyId));
      if (!revoked)
        throw new DistillGuardError(
          'usage',
          `no key '${keyId}' in ${storeName(options)}. List keys with \`distillguard keys list\`.`,
        );
      process.stdout.write(`revoked ${keyId}\n`);
    });
}
