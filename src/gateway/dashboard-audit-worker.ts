// The thread a dashboard audit runs on (dashboard-audits.ts): reads the prompts, derives the cohort
// keys from the gateway's master key, asks the suspect and scores its answers (src/audit/), and
// posts the evidence back. Off the gateway's event loop: tokenizing the answers and scoring the
// tape under 1,000 wrong keys takes seconds of CPU.
import { parentPort, workerData } from 'node:worker_threads';
import { readAuditPrompts, runAudit, type AuditEvidence } from '../audit/index.js';
import { suspectApiKeyVariable } from '../core/index.js';
import { deriveCohortKey, type WatermarkKey } from '../watermark/index.js';

/** What one audit asks for: everything is plain data, the keys included (they stay in this process). */
export interface AuditJob {
  master: WatermarkKey;
  /** Cohort keys 0 to cohorts-1 are scored (Holm), so the leaking cohort is named. */
  cohorts: number;
  /** The cohort whose key gives the verdict. */
  cohort: number;
  promptsPath: string;
  /** The first this many usable prompts of the file are asked. */
  promptCount: number;
  suspectUrl: string;
  model: string;
  samplesPerPrompt: number;
  maxTokens: number;
  concurrency: number;
  rate: number;
  answersPath: string;
}

export type AuditThreadMessage =
  | { kind: 'progress'; message: string }
  | { kind: 'done'; evidence: AuditEvidence }
  | { kind: 'failed'; message: string };

async function audit(job: AuditJob): Promise<AuditEvidence> {
  const { prompts, rejected } = await readAuditPrompts(job.promptsPath);
  const cohortKeys = Array.from({ length: job.cohorts }, (_, cohort) =>
    deriveCohortKey(job.master, String(cohort)),
  );
  return runAudit({
    key: cohortKeys[job.cohort],
    cohortKeys: job.cohorts > 1 ? cohortKeys : undefined,
    prompts: prompts.slice(0, job.promptCount),
    rejectedLines: rejected,
    baseUrl: job.suspectUrl,
    model: job.model,
    concurrency: job.concurrency,
    rate: job.rate,
    maxTokens: job.maxTokens,
    samplesPerPrompt: job.samplesPerPrompt,
    apiKey: process.env[suspectApiKeyVariable],
    answersPath: job.answersPath,
    resume: false,
    onProgress: (message) =>
      parentPort?.postMessage({ kind: 'progress', message } satisfies AuditThreadMessage),
  });
}

audit(workerData as AuditJob).then(
  (evidence) => parentPort?.postMessage({ kind: 'done', evidence } satisfies AuditThreadMessage),
  (error: unknown) =>
    parentPort?.postMessage({
      kind: 'failed',
      message: error instanceof Error ? error.message : String(error),
    } satisfies AuditThreadMessage),
);
