// Worker thread running the detection pipeline, so that benchmark probing, profiles and the
// campaign graph use the second core while the main thread parses input.
import { parentPort, workerData } from 'node:worker_threads';
import { BenchmarkIndex } from './benchmarks/benchmark-index.js';
import type { DetectionReply, DetectionRequest, DetectionWorkerData } from './detection-protocol.js';
import { buildFindings } from './findings.js';
import { DetectionPipeline } from './pipeline.js';
import { decodeSignals } from './signal-codec.js';

const port = parentPort;
if (!port) throw new Error('detection-worker must run as a worker thread');
const { addedBenchmarks } = workerData as DetectionWorkerData;
const benchmarks = BenchmarkIndex.builtIn();
for (const item of addedBenchmarks) benchmarks.addHashedItem(item.suite, item.shingles);
const pipeline = new DetectionPipeline(benchmarks);

port.on('message', (request: DetectionRequest) => {
  try {
    if (request.op === 'observe') {
      for (const signals of decodeSignals(request.batch)) pipeline.observeSignals(signals);
      return;
    }
    const findings = buildFindings(pipeline.observed, new Map(request.facts));
    port.postMessage({ ok: true, findings } satisfies DetectionReply);
  } catch (error) {
    port.postMessage({ ok: false, message: (error as Error).stack ?? String(error) } satisfies DetectionReply);
  }
});
