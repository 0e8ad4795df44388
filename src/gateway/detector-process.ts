// The live detector: a process of its own beside the gateway (forked by LiveDetection). It tails the
// store's interactions in arrival order, the event log of the embedded deployment, folds each into
// the streaming detection pipeline, and answers the gateway's requests for an assessment over IPC.
// Per-account state and the benchmark index live here, not in the gateway's memory. A stored row
// it cannot read or parse is skipped and reported, never retried: the tail always moves on.
import { getHeapStatistics } from 'node:v8';
import { parseTimestamp, type Interaction } from '../core/index.js';
import {
  BenchmarkIndex,
  DetectionPipeline,
  liveAssessment,
  type AccountFacts,
  type LiveReply,
  type LiveRequest,
  type PartnerIndicatorSet,
  type PipelineBounds,
} from '../detect/index.js';
import { SqliteStoreReader } from '../store/index.js';
import { loadPartnerIndicators } from '../intel/index.js';
import { detectorInBackground } from '../runtime/index.js';

export interface DetectorProcessArgs {
  databasePath: string;
  /** How often the tail looks for newly stored exchanges, in ms. */
  pollMs: number;
  /** Rows read per page. */
  pageSize: number;
  /** Bounds on the detector's state (defaults: detect/pipeline.ts). */
  bounds?: Partial<PipelineBounds>;
  /** Count partners' keyed indicators the store holds (with their community keys) as evidence. */
  partnerSignal?: boolean;
}

// once the gateway is gone there is nobody to tell (a send on a closed channel would throw)
const send = (reply: LiveReply) => {
  if (process.connected) process.send?.(reply);
};
const args = JSON.parse(process.argv[2] ?? '{}') as DetectorProcessArgs;
if (typeof process.send !== 'function') {
  process.stderr.write(
    'detector-process is started by the gateway (LiveDetection), not by hand.\n',
  );
  process.exit(2);
}

// every thread of the detector yields to the gateway's request handling on a shared core (src/runtime/)
detectorInBackground();

const reader = SqliteStoreReader.open(args.databasePath);
const pipeline = new DetectionPipeline(
  BenchmarkIndex.builtInWith(reader.readBenchmarkItems()),
  args.bounds,
);
// Assessments wait until the tail has read everything the store held at this start (the warm
// start): an assessment of half the history would drop verdicts the gateway already acts on. The
// mark is the store's newest row at this start, not "a page that is not full": under steady load
// every page is full and the detector would never assess.
const warmThrough = reader.lastInteractionSeq();
let warm = warmThrough === 0;
let facts = new Map<string, AccountFacts>();
const readFacts = () => {
  const next = new Map<string, AccountFacts>();
  for (const { accountId, record: _record, ...known } of reader.readAccounts())
    next.set(accountId, known);
  facts = next;
};
readFacts();
// partners' indicators (intel import or pull into the same store) and the community keys to match
// them, read with the account facts
let partners: PartnerIndicatorSet | null = null;
const readPartners = async () => {
  if (!args.partnerSignal) return;
  const loaded = await loadPartnerIndicators(reader);
  partners = loaded.indicators.length > 0 ? loaded : null;
};
await readPartners();
// `distillguard accounts import` into the same store, while the gateway runs, is seen within a minute
// (POST /v1/admin/accounts at once)
// (a failed read ends this process, as a failed read of the facts does; the gateway restarts it)
const factsTimer = setInterval(() => {
  readFacts();
  void readPartners();
}, 60_000);
factsTimer.unref();

let through = 0;
let interactions = 0;
let skipped = 0;
let waiting: { seq: number; upTo: number }[] = [];
let wake: (() => void) | null = null;
let closing = false;

/** Folds one stored row in; throws when it is not an interaction the pipeline can read. */
function foldIn(raw: string): void {
  const record = JSON.parse(raw) as Interaction;
  if (typeof record !== 'object' || record === null)
    throw new TypeError('the stored row is not a JSON object');
  const tsMs = parseTimestamp(record.ts);
  if (!Number.isFinite(tsMs)) throw new TypeError(`ts '${String(record.ts)}' is not a time`);
  pipeline.observe(record, tsMs);
}

/** Folds in what was stored since the last page; true when the page was full (more may be waiting). */
async function readPage(): Promise<boolean> {
  let first: { seq: number; reason: string } | null = null;
  let count = 0;
  const skip = (seq: number, reason: string) => {
    first ??= { seq, reason };
    count += 1;
  };
  const page = await reader.interactionsAfter(through, args.pageSize, undefined, (seq, path) =>
    skip(seq, `it points into '${path}', which can no longer be read`),
  );
  for (const { seq, raw } of page.interactions) {
    // per row: one row that does not parse must not hold back the rows after it
    try {
      foldIn(raw);
      interactions += 1;
    } catch (error) {
      // V8's JSON.parse message quotes the start of the text: log its length, never its content (L4)
      skip(
        seq,
        error instanceof SyntaxError
          ? `the stored record is not valid JSON (${raw.length} characters)`
          : (error as Error).message,
      );
    }
  }
  const full = page.through - through >= args.pageSize;
  through = page.through;
  if (!full || through >= warmThrough) warm = true;
  if (first) {
    skipped += count;
    const { seq, reason } = first;
    send({ op: 'skipped', seq, reason, count });
  }
  return full;
}

function answerWaiting(): void {
  if (!warm) return;
  const ready = waiting.filter((entry) => entry.upTo <= through);
  if (ready.length === 0) return;
  waiting = waiting.filter((entry) => entry.upTo > through);
  // one assessment answers every request it covers
  const assessment = liveAssessment(pipeline, facts, interactions, through, partners);
  for (const entry of ready) send({ op: 'assessment', seq: entry.seq, assessment });
}

// how far the tail has read and what the detector holds, for the gateway's /health and metrics
const heapLimitBytes = getHeapStatistics().heap_size_limit;
const statusTimer = setInterval(() => {
  const memory = process.memoryUsage();
  send({
    op: 'status',
    through,
    interactions,
    skipped,
    evictedAccounts: pipeline.evictedAccounts,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapLimitBytes,
  });
}, 1_000);
statusTimer.unref();

async function tail(): Promise<void> {
  while (!closing) {
    let full = false;
    try {
      full = await readPage();
      answerWaiting();
    } catch (error) {
      send({ op: 'failed', message: (error as Error).stack ?? String(error) });
    }
    if (full) await new Promise((resolve) => setImmediate(resolve));
    else
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, args.pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    wake = null;
  }
}

process.on('message', (request: LiveRequest) => {
  if (request.op === 'facts') {
    readFacts();
    void readPartners();
  } else if (request.op === 'assess') {
    waiting.push({ seq: request.seq, upTo: request.upTo });
    wake?.();
  } else {
    closing = true;
    wake?.();
  }
});
// the gateway is gone (or closed the channel): nothing is left to answer
process.on('disconnect', () => {
  closing = true;
  wake?.();
});

await tail();
clearInterval(statusTimer);
reader.close();
process.disconnect?.();
