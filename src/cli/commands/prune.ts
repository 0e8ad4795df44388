// `distillguard prune`: retention by hand. Deletes stored exchanges older than a duration, or with
// --text-only strips their prompts and answers and keeps the rest (rows, counts, decisions).
import { existsSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { DistillGuardError } from '../../core/index.js';
import type { PruneTally } from '../../store/index.js';
import { defaultDatabasePath } from '../options.js';
import {
  openStoreAt,
  storeConfigDescription,
  storeLocation,
  type StoreOptions,
} from '../open-store.js';

interface PruneCommandOptions extends StoreOptions {
  olderThan: number;
  textOnly?: boolean;
}

const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration such as `30d`, `12h`, `90m` or `45s` into milliseconds. */
export function parseDuration(value: string): number {
  const found = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim());
  const ms = found ? Number(found[1]) * unitMs[found[2]] : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0)
    throw new InvalidArgumentError('expected a duration such as 30d, 12h, 90m or 45s.');
  return ms;
}

/** One line saying what a prune removed. */
export function describePrune(tally: PruneTally, what: string): string {
  const count = (n: number) => n.toLocaleString('en-US');
  return (
    `pruned ${what}: ${count(tally.rowsDeleted)} exchanges deleted, ${count(tally.textPruned)} reduced to their metadata, ` +
    `text of ${count(tally.rejectedTextPruned)} rejected lines emptied (${count(tally.batches)} write batches)`
  );
}

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description(
      'delete stored exchanges older than a duration (or, with --text-only, only their prompt and answer text)',
    )
    .requiredOption(
      '--older-than <duration>',
      'age of the exchanges to prune: 30d, 12h, 90m',
      parseDuration,
    )
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .option(
      '--text-only',
      'keep the rows and their metadata (account, time, model, status, tokens, decision); remove the text',
    )
    .action(async (options: PruneCommandOptions) => {
      const location = storeLocation(options);
      if (location.kind === 'sqlite' && !existsSync(options.db))
        throw new DistillGuardError(
          'usage',
          `no store at '${options.db}'. Pass the --db that serve or ingest wrote.`,
        );
      const before = Date.now() - options.olderThan;
      const store = await openStoreAt(location);
      try {
        const tally = await store.prune(
          options.textOnly ? { textBeforeMs: before } : { rowsBeforeMs: before },
        );
        process.stdout.write(
          `${describePrune(tally, `exchanges before ${new Date(before).toISOString()}`)}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
