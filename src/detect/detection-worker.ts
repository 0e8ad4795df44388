// Worker thread running the detection pipeline, so that benchmark probing, profiles and the
// campaign graph use the second core while the main thread parses input.
import { parentPort, workerData } from 'node:worker_threads';
import { BenchmarkIndex } from './benchmarks/benchmark-index.js';
import type {
  DetectionReply,
  DetectionRequest,
  DetectionWorkerData,
} from './detection-protocol.js';
import { buildFindings } from './findings.js';
import { DetectionPipeline } from './pipeline.js';
import { decodeSignals, type EncodedSignals } from './signal-codec.js';

const port = parentPort;
if (!port) throw new Error('detection-worker must run as a worker thread');
const { addedBenchmarks, partners } = workerData as DetectionWorkerData;
const pipeline = new DetectionPipeline(BenchmarkIndex.builtInWith(addedBenchmarks));
const staged: EncodedSignals[] = [];

port.on('message', (request: DetectionRequest) => {
  try {
    if (request.op === 'stage') {
      staged.push(request.batch);
      return;
    }
    if (request.op === 'commit') {
      const batch = staged.shift();
      if (!batch) throw new Error('commit without a staged batch');
      const signals = decodeSignals(batch);
      for (let index = 0; index < signals.length; index += 1)
        if (request.flags[index] === 1) pipeline.observeSignals(signals[index]);
      return;
    }
    const findings = buildFindings(pipeline.observed, new Map(request.facts), partners ?? null);
    port.postMessage({ ok: true, findings } satisfies DetectionReply);
  } catch (error) {
    port.postMessage({
      ok: false,
      message: (error as Error).stack ?? String(error),
    } satisfies DetectionReply);
  }
});
