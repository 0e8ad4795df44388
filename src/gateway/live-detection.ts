// Live detection for the gateway: the detector runs as a process of its own (detector-process.ts)
// that tails the store, so its per-account state never sits in the gateway's memory and its
// re-clustering never takes the gateway's event loop. The latest assessment is what enforcement reads.
import { fork, type ChildProcess } from 'node:child_process';
import type { LiveAccountState, LiveAssessment, LiveCampaignState, LiveReply, LiveRequest } from '../detect/index.js';
import type { DetectorProcessArgs } from './detector-process.js';

export interface LiveDetectionOptions {
  /** The store the gateway records into; the detector opens it read-only. */
  databasePath: string;
  /** How often the account graph is re-assessed, in ms (default 5 s). */
  assessEveryMs?: number;
  /** How often the detector looks for newly stored exchanges, in ms (default 100). */
  pollMs?: number;
  onAssessment?: (assessment: LiveAssessment) => void;
  onError?: (message: string) => void;
}

export class LiveDetection {
  private readonly child: ChildProcess;
  private readonly timer: NodeJS.Timeout;
  private readonly options: LiveDetectionOptions;
  private readonly exited: Promise<void>;
  private latest: LiveAssessment | null = null;
  private accounts = new Map<string, LiveAccountState>();
  private campaigns = new Map<string, LiveCampaignState>();
  private reasons = new Map<string, string>();
  private waiting: { seq: number; resolve: (assessment: LiveAssessment) => void; reject: (error: Error) => void }[] = [];
  /** The scheduled assessment in flight, if any. */
  private scheduled: number | null = null;
  private nextSeq = 1;
  private gone: Error | null = null;

  constructor(options: LiveDetectionOptions) {
    this.options = options;
    const args: DetectorProcessArgs = { databasePath: options.databasePath, pollMs: options.pollMs ?? 100, pageSize: 2_000 };
    this.child = fork(new URL('./detector-process.js', import.meta.url), [JSON.stringify(args)], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (reply: LiveReply) => this.receive(reply));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => {
      this.gone = new Error(`the live detector exited (${signal ?? `code ${code}`})`);
      for (const entry of this.waiting) entry.reject(this.gone);
      this.waiting = [];
      resolve();
    }));
    this.child.on('error', (error) => options.onError?.(error.message));
    // the detector never keeps the gateway alive by itself
    this.child.unref();
    this.child.channel?.unref();
    this.timer = setInterval(() => this.requestAssessment(), options.assessEveryMs ?? 5_000);
    this.timer.unref();
  }

  /** The accounts table changed: the detector reads it again. */
  refreshFacts(): void {
    this.post({ op: 'facts' });
  }

  /**
   * Re-assesses once every exchange stored up to sequence number `upTo` has been folded in (the
   * store's `lastInteractionSeq()` after the recorder drained: everything recorded so far).
   */
  assessNow(upTo: number): Promise<LiveAssessment> {
    if (this.gone) return Promise.reject(this.gone);
    const seq = this.nextSeq++;
    const done = new Promise<LiveAssessment>((resolve, reject) => this.waiting.push({ seq, resolve, reject }));
    this.post({ op: 'assess', seq, upTo });
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
    if (this.gone) return;
    this.post({ op: 'close' });
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timeout);
  }

  private post(request: LiveRequest): void {
    if (!this.gone && this.child.connected) this.child.send(request);
  }

  private requestAssessment(): void {
    if (this.scheduled !== null || this.gone) return; // one at a time: a slow graph never queues up behind itself
    this.scheduled = this.nextSeq++;
    this.post({ op: 'assess', seq: this.scheduled, upTo: 0 });
  }

  private receive(reply: LiveReply): void {
    if (reply.op === 'failed') {
      this.scheduled = null;
      this.options.onError?.(reply.message);
      return;
    }
    if (reply.op === 'skipped') {
      this.options.onError?.(`stored interaction ${reply.seq} points into '${reply.path}', which can no longer be read; live detection skipped it.`);
      return;
    }
    if (reply.seq === this.scheduled) this.scheduled = null;
    const assessment = reply.assessment;
    if (!this.latest || assessment.at >= this.latest.at) {
      this.latest = assessment;
      this.accounts = new Map(assessment.accounts);
      this.campaigns = new Map(assessment.campaigns.map((campaign) => [campaign.id, campaign]));
      this.reasons = new Map(assessment.reasons);
      this.options.onAssessment?.(assessment);
    }
    const index = this.waiting.findIndex((entry) => entry.seq === reply.seq);
    if (index >= 0) this.waiting.splice(index, 1)[0].resolve(assessment);
  }
}
