// `distillguard ingest`: load interaction and account logs into the store without analysing them.
import type { Command } from 'commander';
import { DistillGuardError } from '../../core/index.js';
import { ingestWithProgress } from '../ingest-with-progress.js';
import { openStore, storeConfigDescription } from '../open-store.js';
import { defaultDatabasePath, parseNonNegativeInteger } from '../options.js';

interface IngestCommandOptions {
  interactions?: string;
  accounts?: string;
  db: string;
  config?: string;
  maxRejected?: number;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'load interaction and/or account logs into the store (an id imported twice counts once)',
    )
    .option('--interactions <file>', "interaction log (.jsonl, .jsonl.gz, or '-' for stdin)")
    .option('--accounts <file>', "account records (.jsonl, .jsonl.gz, or '-' for stdin)")
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .option(
      '--max-rejected <n>',
      'stop with an error after more than N rejected lines (default: unlimited)',
      parseNonNegativeInteger,
    )
    .action(async (options: IngestCommandOptions) => {
      if (!options.interactions && !options.accounts) {
        throw new DistillGuardError(
          'usage',
          'nothing to ingest: pass --interactions FILE and/or --accounts FILE.',
        );
      }
      const store = await openStore(options);
      try {
        if (options.accounts) {
          const result = await ingestWithProgress('accounts', options.accounts, store, options);
          process.stdout.write(
            `accounts: ${result.distinct.toLocaleString('en-US')} stored, ${result.rejected} lines rejected\n`,
          );
        }
        if (options.interactions) {
          const result = await ingestWithProgress(
            'interactions',
            options.interactions,
            store,
            options,
          );
          const summary = await store.summarizeInteractionImport(result.importId);
          process.stdout.write(
            `interactions: ${result.distinct.toLocaleString('en-US')} distinct (${summary.newRecords.toLocaleString('en-US')} new, ` +
              `${(result.distinct - summary.newRecords).toLocaleString('en-US')} already stored), ` +
              `${(result.accepted - result.distinct).toLocaleString('en-US')} repeated lines, ${result.rejected} lines rejected\n`,
          );
        }
      } finally {
        await store.close();
      }
    });
}
