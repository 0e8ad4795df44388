// The live detector: a process of its own beside the gateway (forked by LiveDetection). It tails the
// store's interactions in arrival order, the event log of the embedded deployment, folds each into
// the streaming detection pipeline, and answers the gateway's requests for an assessment over IPC.
// Per-account state and the benchmark index live here, not in the gateway's memory.
import { parseTimestamp, type Interaction } from '../core/index.js';
import { BenchmarkIndex, DetectionPipeline, liveAssessment, type AccountFacts, type LiveReply, type LiveRequest } from '../detect/index.js';
import { SqliteStoreReader } from '../store/index.js';
import { detectorInBackground } from '../runtime/index.js';

export interface DetectorProcessArgs {
  databasePath: string;
  /** How often the tail looks for newly stored exchanges, in ms. */
  pollMs: number;
  /** Rows read per page. */
  pageSize: number;
}

const send = (reply: LiveReply) => process.send?.(reply);
const args = JSON.parse(process.argv[2] ?? '{}') as DetectorProcessArgs;
if (typeof process.send !== 'function') {
  process.stderr.write('detector-process is started by the gateway (LiveDetection), not by hand.\n');
  process.exit(2);
}

// every thread of the detector yields to the gateway's request handling on a shared core (src/runtime/)
detectorInBackground();

const reader = SqliteStoreReader.open(args.databasePath);
const pipeline = new DetectionPipeline(BenchmarkIndex.builtInWith(reader.readBenchmarkItems()));
let facts = new Map<string, AccountFacts>();
const readFacts = () => {
  const next = new Map<string, AccountFacts>();
  for (const { accountId, record: _record, ...known } of reader.readAccounts()) next.set(accountId, known);
  facts = next;
};
readFacts();
// `distillguard accounts import` into the same store, while the gateway runs, is seen within a minute
// (POST /v1/admin/accounts at once)
const factsTimer = setInterval(readFacts, 60_000);
factsTimer.unref();

let through = 0;
let interactions = 0;
let waiting: { seq: number; upTo: number }[] = [];
let wake: (() => void) | null = null;
let closing = false;

/** Folds in what was stored since the last page; true when the page was full (more may be waiting). */
async function readPage(): Promise<boolean> {
  const page = await reader.interactionsAfter(through, args.pageSize, undefined, (seq, path) => send({ op: 'skipped', seq, path }));
  for (const { raw } of page.interactions) {
    const record = JSON.parse(raw) as Interaction;
    pipeline.observe(record, parseTimestamp(record.ts));
    interactions += 1;
  }
  const full = page.through - through >= args.pageSize;
  through = page.through;
  return full;
}

function answerWaiting(): void {
  const ready = waiting.filter((entry) => entry.upTo <= through);
  if (ready.length === 0) return;
  waiting = waiting.filter((entry) => entry.upTo > through);
  // one assessment answers every request it covers
  const assessment = liveAssessment(pipeline, facts, interactions);
  for (const entry of ready) send({ op: 'assessment', seq: entry.seq, assessment });
}

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
    else await new Promise<void>((resolve) => {
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
  if (request.op === 'facts') readFacts();
  else if (request.op === 'assess') {
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
reader.close();
process.disconnect?.();
