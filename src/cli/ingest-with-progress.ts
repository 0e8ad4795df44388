// Runs an ingest with the CLI's conventions: each rejected line printed to stderr (up to a cap,
// all of them kept in the store), a progress bar on a terminal.
import {
  formatRejection,
  ingest,
  openInput,
  type IngestOptions,
  type IngestResult,
} from '../ingest/index.js';
import type { ImportKind, Store } from '../store/index.js';
import { createProgressBar } from './progress.js';

const maxPrintedRejections = 1000;

export async function ingestWithProgress(
  kind: ImportKind,
  path: string,
  store: Store,
  options: Pick<IngestOptions, 'maxRejected' | 'observer'>,
): Promise<IngestResult> {
  const source = await openInput(path);
  const bar = createProgressBar(`ingest ${source.label}`);
  let printed = 0;
  try {
    return await ingest(kind, source, store, {
      maxRejected: options.maxRejected,
      observer: options.observer,
      onRejected: (rejection) => {
        printed += 1;
        if (printed <= maxPrintedRejections) {
          bar.finish();
          process.stderr.write(`rejected ${formatRejection(source.label, rejection)}\n`);
        } else if (printed === maxPrintedRejections + 1) {
          process.stderr.write(
            `rejected: more than ${maxPrintedRejections} lines; the rest are not printed but are kept in the store (table rejected_lines)\n`,
          );
        }
      },
      onProgress: (progress) => {
        const megabytes = (progress.bytesConsumed / 1e6).toFixed(0);
        bar.update(
          progress.bytesConsumed,
          progress.totalBytes,
          `${progress.lines.toLocaleString('en-US')} lines, ${megabytes} MB`,
        );
      },
    });
  } finally {
    bar.finish();
  }
}
