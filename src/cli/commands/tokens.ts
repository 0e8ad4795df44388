// `distillguard tokens create|list|revoke`: scoped admin tokens (read, act, keys) for the admin API,
// the sidecar and metrics. The secret is printed once; the store keeps only its keyed hash.
import type { Command } from 'commander';
import { DistillGuardError, keyHashSecretVariable } from '../../core/index.js';
import {
  AdminTokens,
  adminScopes,
  loadKeyHashSecret,
  parseAdminScopes,
} from '../../gateway/index.js';
import { defaultDatabasePath } from '../options.js';
import { openStore, storeConfigDescription, storeName } from '../open-store.js';

interface TokensOptions {
  db: string;
  config?: string;
  keyHashSecretFile?: string;
}

async function withTokens<T>(options: TokensOptions, work: (tokens: AdminTokens) => T): Promise<T> {
  const store = await openStore(options);
  try {
    return await work(
      new AdminTokens(
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

export function registerTokens(program: Command): void {
  const tokens = program
    .command('tokens')
    .description(
      `manage scoped admin tokens (${adminScopes.join(', ')}) of the gateway, stored as keyed hashes only`,
    );
  const common = (command: Command) =>
    command
      .option('--db <file>', 'SQLite store', defaultDatabasePath)
      .option('--config <file>', storeConfigDescription)
      .option(
        '--key-hash-secret-file <file>',
        `file holding the key-hashing secret (else env ${keyHashSecretVariable}, else <db>.key-hash-secret)`,
      );
  common(tokens.command('create').description('create an admin token and print its secret once'))
    .requiredOption(
      '--scope <scopes>',
      `comma-separated: read (assessment, decisions, key list, metrics), act (decide, ingest, assess, accounts import), keys (create and revoke API keys)`,
    )
    .option('--label <text>', 'a note to tell tokens apart')
    .option('--json', 'print {token_id, scopes, secret} as JSON')
    .action(async (options: TokensOptions & { scope: string; label?: string; json?: boolean }) => {
      const scopes = parseAdminScopes(options.scope);
      const created = await withTokens(options, (store) =>
        store.create(scopes, options.label ?? null),
      );
      if (options.json)
        process.stdout.write(
          `${JSON.stringify({ token_id: created.tokenId, scopes: created.scopes, secret: created.secret })}\n`,
        );
      else
        process.stdout.write(
          `admin token ${created.tokenId} (${created.scopes.join(', ')})\nsecret (shown once, store it now): ${created.secret}\n`,
        );
    });
  common(tokens.command('list').description('list admin tokens (never their secrets)')).action(
    async (options: TokensOptions) => {
      const rows = await withTokens(options, (store) => store.list());
      if (rows.length === 0) process.stdout.write('no admin tokens\n');
      for (const row of rows) {
        process.stdout.write(
          `${row.tokenId}\t${row.scopes}\t${row.createdAt}\t${row.revokedAt ? `revoked ${row.revokedAt}` : 'active'}${row.label ? `\t${row.label}` : ''}\n`,
        );
      }
    },
  );
  common(
    tokens
      .command('revoke')
      .description('revoke an admin token (a running gateway stops accepting it within seconds)'),
  )
    .argument('<token-id>', 'the token id printed by `tokens create` or `tokens list`')
    .action(async (tokenId: string, options: TokensOptions) => {
      const revoked = await withTokens(options, (store) => store.revoke(tokenId));
      if (!revoked)
        throw new DistillGuardError(
          'usage',
          `no admin token '${tokenId}' in ${storeName(options)}. List them with \`distillguard tokens list\`.`,
        );
      process.stdout.write(`revoked ${tokenId}\n`);
    });
}
