// `distillguard export`: every stored exchange back out as an interaction log (contract format).
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import type { Command } from 'commander';
import { DistillGuardError } from '../../core/index.js';
import { defaultDatabasePath, parseNonNegativeInteger } from '../options.js';
import { openStore, storeConfigDescription } from '../open-store.js';
import { checkOutputPath } from '../write-output.js';
import { SkippedRows } from '../skipped-rows.js';

/** The tracer cohort an exchange was served under, from its record's `watermark` field. */
function servedCohort(raw: string): number | null {
  if (!raw.includes('"watermark"')) return null;
  const record = JSON.parse(raw) as { watermark?: { cohort?: unknown } };
  return typeof record.watermark?.cohort === 'number' ? record.watermark.cohort : null;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'write every stored interaction (gateway exchanges and imports) as JSON Lines in the contract format',
    )
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .requiredOption('--out <file>', "where to write the log ('-' for stdout)")
    .option(
      '--cohort <n>',
      'only exchanges served under tracer cohort N (their watermark.cohort): the --served file of an audit',
      parseNonNegativeInteger,
    )
    .action(async (options: { db: string; config?: string; out: string; cohort?: number }) => {
      const toStdout = options.out === '-';
      if (!toStdout) await checkOutputPath(options.out, '--out');
      const store = await openStore(options);
      const temporary = `${options.out}.${process.pid}.tmp`;
      const output = toStdout ? process.stdout : createWriteStream(temporary, { mode: 0o600 });
      let count = 0;
      const skipped = new SkippedRows();
      try {
        for await (const raw of store.exportInteractions({
          onUnreadable: (seq, path, reason) => skipped.add(seq, path, reason),
        })) {
          if (options.cohort !== undefined && servedCohort(raw) !== options.cohort) continue;
          if (!output.write(`${raw}\n`)) await once(output, 'drain');
          count += 1;
        }
        if (!toStdout) {
          output.end();
          await once(output, 'finish');
          await rename(temporary, options.out);
          const which =
            options.cohort !== undefined ? ` served under tracer cohort ${options.cohort}` : '';
          process.stderr.write(
            `exported ${count.toLocaleString('en-US')} interactions${which} to ${options.out}\n`,
          );
        }
        // the rows that were written are good; the ones left out make the export incomplete
        if (skipped.count > 0) throw new DistillGuardError('input_unreadable', skipped.describe());
      } catch (error) {
        if (error instanceof DistillGuardError && skipped.count > 0) throw error;
        if (!toStdout) {
          (output as NodeJS.WritableStream & { destroy(): void }).destroy();
          await unlink(temporary).catch(() => undefined);
        }
        if (error instanceof DistillGuardError) throw error;
        throw new DistillGuardError(
          'output_unwritable',
          `export to '${options.out}' failed: ${(error as Error).message}`,
        );
      } finally {
        await store.close();
      }
    });
}
