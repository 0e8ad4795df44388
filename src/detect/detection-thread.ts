// Runs the detection pipeline on a worker thread. As an ingest observer it computes each record's
// tier-1 signals where the record was parsed, ships each batch's signals encoded as soon as the
// batch is complete (so nothing is held on the parsing thread while the store writes), and tells
// the worker which of them were first sightings once the store has answered.
import { Worker } from 'node:worker_threads';
import { DistillGuardError } from '../core/index.js';
import type { AccountFacts } from './account-facts.js';
import type {
  DetectionReply,
  DetectionRequest,
  DetectionWorkerData,
} from './detection-protocol.js';
import type { Findings } from './findings.js';
import { encodeSignals } from './signal-codec.js';
import { requestSignals, type RequestSignals } from './signals/request-signals.js';
import type { Interaction } from '../core/index.js';

export class DetectionThread {
  private readonly worker: Worker;
  private pending: RequestSignals[] = [];
  private failure: Error | null = null;

  constructor(data: DetectionWorkerData = { addedBenchmarks: [] }) {
    this.worker = new Worker(new URL('./detection-worker.js', import.meta.url), {
      workerData: data,
    });
    this.worker.on('error', (error) => {
      this.failure = error;
    });
  }

  add(record: Interaction, tsMs: number): void {
    this.pending.push(requestSignals(record, tsMs));
  }

  endBatch(): void {
    const batch = encodeSignals(this.pending);
    this.pending = [];
    this.worker.postMessage({ op: 'stage', batch } satisfies DetectionRequest, [
      batch.numbers.buffer as ArrayBuffer,
    ]);
  }

  stored(flags: Uint8Array): void {
    this.worker.postMessage({ op: 'commit', flags } satisfies DetectionRequest);
  }

  /** Builds the findings on the worker (after every committed batch) and stops it. */
  async finish(facts: Map<string, AccountFacts>): Promise<Findings> {
    if (this.failure)
      throw new DistillGuardError('internal', `detection failed: ${this.failure.message}`);
    const reply = new Promise<DetectionReply>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
    });
    this.worker.postMessage({ op: 'finish', facts: [...facts] } satisfies DetectionRequest);
    try {
      const result = await reply;
      if (!result.ok)
        throw new DistillGuardError('internal', `detection failed: ${result.message}`);
      return result.findings;
    } finally {
      await this.worker.terminate();
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
