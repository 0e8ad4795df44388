// `distillguard accounts import`: account metadata (contract format) for the gateway and analysis.
import type { Command } from 'commander';
import { ingestWithProgress } from '../ingest-with-progress.js';
import { openStore, storeConfigDescription, type StoreOptions } from '../open-store.js';
import { defaultDatabasePath, parseNonNegativeInteger } from '../options.js';

interface AccountsImportOptions extends StoreOptions {
  maxRejected?: number;
}

export function registerAccounts(program: Command): void {
  const accounts = program
    .command('accounts')
    .description('account metadata (account.schema.json)');
  accounts
    .command('import')
    .description(
      'import account records (.jsonl, .jsonl.gz or - for stdin); the latest record for an id wins',
    )
    .argument('<file>', "account records (.jsonl, .jsonl.gz, or '-' for stdin)")
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .option(
      '--max-rejected <n>',
      'stop with an error after more than N rejected lines (default: unlimited)',
      parseNonNegativeInteger,
    )
    .action(async (file: string, options: AccountsImportOptions) => {
      const store = await openStore(options);
      try {
        const result = await ingestWithProgress('accounts', file, store, options);
        process.stdout.write(
          `accounts: ${result.distinct.toLocaleString('en-US')} stored, ${result.rejected} lines rejected\n`,
        );
      } finally {
        await store.close();
      }
    });
}
