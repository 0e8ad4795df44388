// `distillguard benchmarks`: list the benchmark suites the recognizer knows, and add your own
// evaluation sets (stored in the store as keyed shingle hashes, never as text).
import type { Command } from 'commander';
import { DistillGuardError } from '../../core/index.js';
import { BenchmarkIndex } from '../../detect/index.js';
import { openInput, readLineBatches } from '../../ingest/index.js';
import type { BenchmarkItemRow, Store } from '../../store/index.js';
import { defaultDatabasePath } from '../options.js';
import { openStore, storeConfigDescription, storeName } from '../open-store.js';

/** The benchmark index for analysis: the shipped one plus the items added to `store`. */
export async function benchmarkIndexWith(store: Store): Promise<BenchmarkIndex> {
  return BenchmarkIndex.builtInWith(await store.readBenchmarkItems());
}

function itemText(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const text = [record.text, record.question, record.prompt, record.input].find(
    (field) => typeof field === 'string' && field.trim().length > 0,
  ) as string | undefined;
  if (!text) return null;
  const choices = Array.isArray(record.choices)
    ? record.choices.filter((choice) => typeof choice === 'string')
    : [];
  return choices.length > 0 ? `${text}\n${choices.join('\n')}` : text;
}

export function registerBenchmarks(program: Command): void {
  const benchmarks = program
    .command('benchmarks')
    .description('the public benchmark items whose evaluation runs are protected');
  benchmarks
    .command('list')
    .description('list the known suites and their item counts')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .action(async (options: { db: string; config?: string }) => {
      const store = await openStore(options);
      try {
        const sizes = (await benchmarkIndexWith(store)).suiteSizes();
        for (const [suite, items] of [...sizes].sort())
          process.stdout.write(
            `${suite.padEnd(24)} ${items.toLocaleString('en-US').padStart(8)} items\n`,
          );
      } finally {
        await store.close();
      }
    });
  benchmarks
    .command('add')
    .description(
      'add an evaluation set: JSON Lines with a "text" (or "question"/"prompt") field and optional "choices"',
    )
    .argument('<file>', "items (.jsonl, .jsonl.gz, or '-' for stdin)")
    .requiredOption('--suite <name>', 'name of the suite, shown in reasons')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .action(async (file: string, options: { suite: string; db: string; config?: string }) => {
      const source = await openInput(file);
      const store = await openStore(options);
      try {
        const index = BenchmarkIndex.builtIn();
        const items: BenchmarkItemRow[] = [];
        let rejected = 0;
        for await (const batch of readLineBatches(source.stream)) {
          batch.lines.forEach((line, offset) => {
            if (!line.trim()) return;
            let text: string | null = null;
            try {
              text = itemText(JSON.parse(line));
            } catch {
              text = null;
            }
            const hashes = text ? index.hashesOf(text) : new Uint32Array(0);
            if (hashes.length === 0) {
              rejected += 1;
              process.stderr.write(
                `rejected ${source.label}:${batch.firstLine + offset}: needs a JSON object with a "text", "question" or "prompt" field of at least six words\n`,
              );
              return;
            }
            items.push({ suite: options.suite, shingles: hashes });
          });
        }
        if (items.length === 0)
          throw new DistillGuardError(
            'input_invalid',
            `no usable items in '${source.label}'. Each line must be a JSON object with a "text" field.`,
          );
        await store.addBenchmarkItems(items);
        process.stdout.write(
          `added ${items.length.toLocaleString('en-US')} items to suite '${options.suite}' (${rejected} lines rejected); stored as keyed hashes in ${storeName(options)}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
