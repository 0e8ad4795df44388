// `distillguard export`: every stored exchange back out as an interaction log (contract format).
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import type { Command } from 'commander';
import { DistillGuardError } from '../../core/index.js';
import { SqliteStore } from '../../store/index.js';
import { defaultDatabasePath } from '../options.js';
import { checkOutputPath } from '../write-output.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write every stored interaction (gateway exchanges and imports) as JSON Lines in the contract format')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .requiredOption('--out <file>', "where to write the log ('-' for stdout)")
    .action(async (options: { db: string; out: string }) => {
      const toStdout = options.out === '-';
      if (!toStdout) await checkOutputPath(options.out, '--out');
      const store = SqliteStore.open(options.db);
      const temporary = `${options.out}.${process.pid}.tmp`;
      const output = toStdout ? process.stdout : createWriteStream(temporary);
      let count = 0;
      try {
        for await (const raw of store.exportInteractions()) {
          if (!output.write(`${raw}\n`)) await once(output, 'drain');
          count += 1;
        }
        if (!toStdout) {
          output.end();
          await once(output, 'finish');
          await rename(temporary, options.out);
          process.stderr.write(`exported ${count.toLocaleString('en-US')} interactions to ${options.out}\n`);
        }
      } catch (error) {
        if (!toStdout) {
          (output as NodeJS.WritableStream & { destroy(): void }).destroy();
          await unlink(temporary).catch(() => undefined);
        }
        if (error instanceof DistillGuardError) throw error;
        throw new DistillGuardError('output_unwritable', `export to '${options.out}' failed: ${(error as Error).message}`);
      } finally {
        await store.close();
      }
    });
}
