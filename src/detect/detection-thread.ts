// Runs the detection pipeline on a worker thread: observe() takes tier-1 signals computed where
// the records were parsed, batches them, and finish() returns the findings.
import { Worker } from 'node:worker_threads';
import { DistillGuardError } from '../core/index.js';
import type { AccountFacts } from './account-facts.js';
import type { DetectionReply, DetectionRequest, DetectionWorkerData } from './detection-protocol.js';
import type { Findings } from './findings.js';
import { encodeSignals } from './signal-codec.js';
import type { RequestSignals } from './signals/request-signals.js';

const batchSize = 4096;

export class DetectionThread {
  private readonly worker: Worker;
  private pending: RequestSignals[] = [];
  private failure: Error | null = null;

  constructor(data: DetectionWorkerData = { addedBenchmarks: [] }) {
    this.worker = new Worker(new URL('./detection-worker.js', import.meta.url), { workerData: data });
    this.worker.on('error', (error) => {
      this.failure = error;
    });
  }

  observe(signals: RequestSignals): void {
    this.pending.push(signals);
    if (this.pending.length >= batchSize) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = encodeSignals(this.pending);
    this.pending = [];
    this.worker.postMessage({ op: 'observe', batch } satisfies DetectionRequest, [batch.numbers.buffer as ArrayBuffer]);
  }

  /** Sends what is left, builds the findings on the worker and stops it. */
  async finish(facts: Map<string, AccountFacts>): Promise<Findings> {
    this.flush();
    if (this.failure) throw new DistillGuardError('internal', `detection failed: ${this.failure.message}`);
    const reply = new Promise<DetectionReply>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
    });
    this.worker.postMessage({ op: 'finish', facts: [...facts] } satisfies DetectionRequest);
    try {
      const result = await reply;
      if (!result.ok) throw new DistillGuardError('internal', `detection failed: ${result.message}`);
      return result.findings;
    } finally {
      await this.worker.terminate();
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
