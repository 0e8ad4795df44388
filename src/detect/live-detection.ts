// Live detection for the gateway: the streaming pipeline on a worker thread, fed every recorded
// exchange, re-assessed on a schedule. The latest assessment is what enforcement reads.
import { Worker } from 'node:worker_threads';
import type { AccountFacts } from './account-facts.js';
import type { DetectionWorkerData } from './detection-protocol.js';
import type { LiveAccountState, LiveAssessment, LiveCampaignState, LiveReply, LiveRequest } from './live-protocol.js';

export interface LiveDetectionOptions extends DetectionWorkerData {
  /** How often the account graph is re-clustered, in ms (default 5 s). */
  assessEveryMs?: number;
  onAssessment?: (assessment: LiveAssessment) => void;
  onError?: (message: string) => void;
}

export class LiveDetection {
  private readonly worker: Worker;
  private readonly timer: NodeJS.Timeout;
  private readonly options: LiveDetectionOptions;
  private latest: LiveAssessment | null = null;
  private accounts = new Map<string, LiveAccountState>();
  private campaigns = new Map<string, LiveCampaignState>();
  private reasons = new Map<string, string>();
  private waiting: { seq: number; resolve: (assessment: LiveAssessment) => void }[] = [];
  private assessing = false;
  private nextSeq = 1;

  constructor(options: LiveDetectionOptions) {
    this.options = options;
    this.worker = new Worker(new URL('./live-detection-worker.js', import.meta.url), { workerData: { addedBenchmarks: options.addedBenchmarks } });
    this.worker.unref();
    this.worker.on('message', (reply: LiveReply) => this.receive(reply));
    this.worker.on('error', (error) => options.onError?.(error.message));
    this.timer = setInterval(() => this.requestAssessment(), options.assessEveryMs ?? 5_000);
    this.timer.unref();
  }

  /** Folds recorded exchanges (raw JSON, each a first sighting) into the pipeline. */
  observe(records: string[]): void {
    if (records.length > 0) this.worker.postMessage({ op: 'observe', records } satisfies LiveRequest);
  }

  setFacts(facts: Map<string, AccountFacts>): void {
    this.worker.postMessage({ op: 'facts', facts: [...facts] } satisfies LiveRequest);
  }

  /** Re-assesses now; resolves with the assessment that covers everything observed so far. */
  assessNow(): Promise<LiveAssessment> {
    // the worker handles messages in order: an assessment asked for now covers every observe sent before
    const seq = this.nextSeq++;
    const done = new Promise<LiveAssessment>((resolve) => this.waiting.push({ seq, resolve }));
    this.assessing = true;
    this.worker.postMessage({ op: 'assess', seq } satisfies LiveRequest);
    return done;
  }

  account(accountId: string): LiveAccountState | undefined {
    return this.accounts.get(accountId);
  }

  campaign(campaignId: string): LiveCampaignState | undefined {
    return this.campaigns.get(campaignId);
  }

  reasonFor(accountId: string): string | undefined {
    return this.reasons.get(accountId);
  }

  get assessment(): LiveAssessment | null {
    return this.latest;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.worker.terminate();
  }

  private requestAssessment(): void {
    if (this.assessing) return; // one at a time: a slow graph never queues up behind itself
    this.assessing = true;
    this.worker.postMessage({ op: 'assess', seq: this.nextSeq++ } satisfies LiveRequest);
  }

  private receive(reply: LiveReply): void {
    if (reply.op === 'failed') {
      this.assessing = false;
      this.options.onError?.(reply.message);
      return;
    }
    this.assessing = false;
    const assessment = reply.assessment;
    this.latest = assessment;
    this.accounts = new Map(assessment.accounts);
    this.campaigns = new Map(assessment.campaigns.map((campaign) => [campaign.id, campaign]));
    this.reasons = new Map(assessment.reasons);
    this.options.onAssessment?.(assessment);
    const ready = this.waiting.filter((entry) => entry.seq <= reply.seq);
    this.waiting = this.waiting.filter((entry) => entry.seq > reply.seq);
    for (const entry of ready) entry.resolve(assessment);
  }
}
