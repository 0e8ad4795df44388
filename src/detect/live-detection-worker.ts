// Worker thread of live detection: folds each recorded exchange into the streaming pipeline and,
// when asked, re-clusters the account graph and answers with every listed account's verdict.
import { parentPort, workerData } from 'node:worker_threads';
import { parseTimestamp, type Interaction } from '../core/index.js';
import type { AccountFacts } from './account-facts.js';
import { BenchmarkIndex } from './benchmarks/benchmark-index.js';
import type { DetectionWorkerData } from './detection-protocol.js';
import { buildFindings } from './findings.js';
import type { LiveAccountState, LiveCampaignState, LiveReply, LiveRequest } from './live-protocol.js';
import { DetectionPipeline } from './pipeline.js';

const port = parentPort;
if (!port) throw new Error('live-detection-worker must run as a worker thread');
const { addedBenchmarks } = workerData as DetectionWorkerData;
const pipeline = new DetectionPipeline(BenchmarkIndex.builtInWith(addedBenchmarks));
const facts = new Map<string, AccountFacts>();
let interactions = 0;

function assess(seq: number): LiveReply {
  const started = performance.now();
  const findings = buildFindings(pipeline.observed, facts);
  const accounts: [string, LiveAccountState][] = findings.accounts.map((account) => [
    account.account_id, { verdict: account.verdict, risk: account.risk, campaignId: account.campaign_id ?? null },
  ]);
  const verdicts = new Map(accounts);
  const campaigns: LiveCampaignState[] = findings.campaigns.map((campaign) => ({
    id: campaign.campaign_id,
    risk: campaign.risk,
    accounts: campaign.accounts,
    verdict: campaign.accounts.some((id) => verdicts.get(id)?.verdict === 'extraction') ? 'extraction' : null,
  }));
  const reasons: [string, string][] = findings.accounts.map((account) => [account.account_id, account.reasons.map((reason) => reason.detail).join(' ')]);
  return {
    op: 'assessment',
    seq,
    assessment: { at: Date.now(), interactions, observedAccounts: pipeline.observed.profiles.size, accounts, campaigns, reasons, elapsedMs: performance.now() - started },
  };
}

port.on('message', (request: LiveRequest) => {
  try {
    if (request.op === 'observe') {
      for (const text of request.records) {
        const record = JSON.parse(text) as Interaction;
        pipeline.observe(record, parseTimestamp(record.ts));
        interactions += 1;
      }
    } else if (request.op === 'facts') {
      for (const [accountId, known] of request.facts) facts.set(accountId, known);
    } else port.postMessage(assess(request.seq));
  } catch (error) {
    port.postMessage({ op: 'failed', message: (error as Error).stack ?? String(error) } satisfies LiveReply);
  }
});
