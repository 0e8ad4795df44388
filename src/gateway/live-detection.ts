// Live detection for the gateway: the detector runs as a process of its own (detector-process.ts)
// that tails the store, so its per-account state never sits in the gateway's memory and its
// re-clustering never takes the gateway's event loop. The latest assessment is what enforcement reads.
// The detector is supervised: an exit is logged with its cause and the detector restarted with
// backoff; it then reads the store again (warm start) while the last assessment stays in use, stale.
import { fork, type ChildProcess } from 'node:child_process';
import type {
  DetectorStatus,
  LiveAccountState,
  LiveAssessment,
  LiveCampaignState,
  LiveReply,
  LiveRequest,
  PipelineBounds,
} from '../detect/index.js';
import { ApiError } from './api-error.js';
import { detectorEnvironment } from './detector-environment.js';
import type { DetectorProcessArgs } from './detector-process.js';
import { FailureEpisode, type BackgroundLog } from './failure-episode.js';
import { RestartBackoff, type RestartBackoffOptions } from './restart-backoff.js';

export interface LiveDetectionOptions {
  /** The store the gateway records into; the detector opens it read-only. */
  databasePath: string;
  /** How often the account graph is re-assessed, in ms (default 5 s). */
  assessEveryMs?: number;
  /** How often the detector looks for newly stored exchanges, in ms (default 100). */
  pollMs?: number;
  onAssessment?: (assessment: LiveAssessment) => void;
  log?: BackgroundLog;
  /** The store's newest sequence number (SqliteStore.lastInteractionSeq), to measure how far behind the detector is. */
  storedThrough?: () => Promise<number>;
  /** An assessment older than this, or a detector further behind than this, is stale (ms; default 60 s). */
  staleAfterMs?: number;
  /** How long assessNow waits while the detector makes no progress toward it (ms; default 30 s). */
  assessTimeoutMs?: number;
  restart?: RestartBackoffOptions;
  /** Bounds on the detector's state (accounts, addresses, models). */
  bounds?: Partial<PipelineBounds>;
  /** Count partners' keyed indicators as evidence (config intel.partner_signal). */
  partnerSignal?: boolean;
  /** Heap in use, as a share of the detector's heap limit, that raises the memory alarm (default 0.75). */
  memoryAlarmShare?: number;
}

/** starting: forked, reading the store (warm start); up: answering; down: exited, restart pending. */
export type DetectorState = 'starting' | 'up' | 'down' | 'closed';

/** What /health, metrics and /v1/decide know of live detection. */
export interface DetectorHealth {
  state: DetectorState;
  /** Since when the detector has not been up after an exit (ms since the epoch), null when it is up or never exited. */
  downSinceMs: number | null;
  restarts: number;
  lastExit: { code: number | null; signal: string | null; atMs: number } | null;
  /** Seconds since the assessment in use was made; null before the first. */
  assessmentAgeS: number | null;
  /**
   * How far behind the detector is, in seconds: how long the oldest stored exchange it has not
   * folded in has been in the store (sampled each second); 0 when it has read everything.
   */
  behindS: number;
  /** Decisions rest on an assessment that is not current: detector not up, none yet, or older (or further behind) than staleAfterMs. */
  stale: boolean;
  staleAfterS: number;
  /** The store's sequence number the detector has read through. */
  through: number;
  /** Stored rows the detector could not read or parse, and skipped. */
  skippedRows: number;
  evictedAccounts: number;
  memory: {
    rssBytes: number;
    heapUsedBytes: number;
    heapLimitBytes: number;
    alarm: boolean;
  } | null;
  /** The latest failure of a whole page or assessment, while they fail. */
  failing: string | null;
}

interface Waiter {
  seq: number;
  sinceMs: number;
  timeoutMs: number;
  resolve: (assessment: LiveAssessment) => void;
  reject: (error: Error) => void;
}

const unavailable = (message: string) =>
  new ApiError(503, 'detector_unavailable', message, { headers: { 'retry-after': '5' } });
/** Samples of the store's newest sequence number kept while the detector is behind (one a second: hours). */
const maxStoredSamples = 10_000;
/** A minute without a new unreadable row ends an episode of them. */
const skipEpisodeQuietMs = 60_000;

export class LiveDetection {
  private readonly options: LiveDetectionOptions;
  private readonly log: BackgroundLog | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly watch: NodeJS.Timeout;
  private readonly backoff: RestartBackoff;
  private readonly staleAfterMs: number;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private state: DetectorState = 'starting';
  private upSinceMs: number | null = null;
  private downSinceMs: number | null = null;
  private restarts = 0;
  private lastExit: DetectorHealth['lastExit'] = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private closing = false;
  private latest: LiveAssessment | null = null;
  private accounts = new Map<string, LiveAccountState>();
  private campaigns = new Map<string, LiveCampaignState>();
  private reasons = new Map<string, string>();
  private waiting: Waiter[] = [];
  /** The scheduled assessment in flight, if any. */
  private scheduled: number | null = null;
  private nextSeq = 1;
  /** The current detector's latest status, and how far it has read. */
  private status: DetectorStatus | null = null;
  private through = 0;
  private lastProgressMs = Date.now();
  /** [store sequence number, when it was first seen] for exchanges stored but maybe not yet read. */
  private readonly storedSamples: [number, number][] = [];
  private lastStoredSeq = 0;
  /** A read of the store's sequence number is under way. */
  private sampling = false;
  private readonly pageFailures = new FailureEpisode();
  private readonly skips = new FailureEpisode();
  private lastSkipMs = 0;
  private highestSkippedSeq = 0;
  private skippedRows = 0;
  private readonly memoryAlarm = new FailureEpisode();

  constructor(options: LiveDetectionOptions) {
    this.options = options;
    this.log = options.log;
    this.backoff = new RestartBackoff(options.restart);
    this.staleAfterMs = options.staleAfterMs ?? 60_000;
    this.startChild();
    this.timer = setInterval(() => this.requestAssessment(), options.assessEveryMs ?? 5_000);
    this.timer.unref();
    this.watch = setInterval(() => this.check(Date.now()), 1_000);
    this.watch.unref();
  }

  /** The accounts table changed: the detector reads it again. */
  refreshFacts(): void {
    this.post({ op: 'facts' });
  }

  /**
   * Re-assesses once every exchange stored up to sequence number `upTo` has been folded in (the
   * store's `lastInteractionSeq()` after the recorder drained: everything recorded so far).
   * Rejects with a 503 `detector_unavailable` ApiError when the detector is down, exits meanwhile,
   * or makes no progress toward it for `timeoutMs` (default `assessTimeoutMs`, 30 s).
   */
  assessNow(
    upTo: number,
    timeoutMs = this.options.assessTimeoutMs ?? 30_000,
  ): Promise<LiveAssessment> {
    if (this.closing)
      return Promise.reject(unavailable('Live detection is stopping with the gateway.'));
    if (!this.child)
      return Promise.reject(
        unavailable(
          `Live detection is restarting after its process exited (${this.exitCause()}); try again in a few seconds.`,
        ),
      );
    const seq = this.nextSeq++;
    const done = new Promise<LiveAssessment>((resolve, reject) =>
      this.waiting.push({ seq, sinceMs: Date.now(), timeoutMs, resolve, reject }),
    );
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

  /** Whether decisions now rest on an assessment that is not current (see DetectorHealth.stale). */
  isStale(nowMs: number): boolean {
    return (
      this.state !== 'up' ||
      this.latest === null ||
      nowMs - this.latest.at > this.staleAfterMs ||
      this.behindMs(nowMs) > this.staleAfterMs
    );
  }

  /** The assessment's age in seconds (null before the first) and whether it is stale. */
  freshness(nowMs: number): { ageS: number | null; stale: boolean } {
    return {
      ageS: this.latest ? Math.max(0, (nowMs - this.latest.at) / 1000) : null,
      stale: this.isStale(nowMs),
    };
  }

  health(nowMs = Date.now()): DetectorHealth {
    const status = this.status;
    return {
      state: this.state,
      downSinceMs: this.downSinceMs,
      restarts: this.restarts,
      lastExit: this.lastExit,
      assessmentAgeS: this.freshness(nowMs).ageS,
      behindS: this.behindMs(nowMs) / 1000,
      stale: this.isStale(nowMs),
      staleAfterS: this.staleAfterMs / 1000,
      through: this.through,
      skippedRows: this.skippedRows,
      evictedAccounts: status?.evictedAccounts ?? 0,
      memory: status
        ? {
            rssBytes: status.rssBytes,
            heapUsedBytes: status.heapUsedBytes,
            heapLimitBytes: status.heapLimitBytes,
            alarm: this.memoryAlarm.failing,
          }
        : null,
      failing: this.pageFailures.reason,
    };
  }

  /** The detector's process id while one runs (tests and operators find it in /proc too). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    clearInterval(this.watch);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) {
      this.rejectWaiting(unavailable('Live detection stopped with the gateway.'));
      this.state = 'closed';
      return;
    }
    this.post({ op: 'close' });
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(kill);
  }

  private startChild(): void {
    const options = this.options;
    const args: DetectorProcessArgs = {
      databasePath: options.databasePath,
      pollMs: options.pollMs ?? 100,
      pageSize: 2_000,
      bounds: options.bounds,
      partnerSignal: options.partnerSignal ?? true,
    };
    const child = fork(new URL('./detector-process.js', import.meta.url), [JSON.stringify(args)], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // the detector parses untrusted text: it gets no secret of the gateway's environment
      env: detectorEnvironment(),
    });
    this.child = child;
    this.status = null;
    this.through = 0;
    this.scheduled = null;
    this.lastProgressMs = Date.now();
    this.state = 'starting';
    this.exited = new Promise((resolve) => {
      let gone = false;
      const onGone = (code: number | null, signal: NodeJS.Signals | null) => {
        if (gone) return;
        gone = true;
        this.childExited(child, code, signal);
        resolve();
      };
      child.once('exit', onGone);
      child.on('error', (error) => {
        this.log?.error({ err: error }, 'the live detector process failed');
        // a fork that never started sends no 'exit'
        if (child.pid === undefined) onGone(null, null);
      });
    });
    child.on('message', (reply: LiveReply) => {
      if (child === this.child) this.receive(reply);
    });
    // the detector never keeps the gateway alive by itself
    child.unref();
    child.channel?.unref();
  }

  private childExited(
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (child !== this.child) return;
    this.child = null;
    this.scheduled = null;
    const nowMs = Date.now();
    if (this.closing) {
      this.state = 'closed';
      this.rejectWaiting(unavailable('Live detection stopped with the gateway.'));
      return;
    }
    this.lastExit = { code, signal, atMs: nowMs };
    const cause = this.exitCause();
    this.rejectWaiting(
      unavailable(
        `The live detector exited (${cause}) before it answered; it is restarting, try again in a few seconds.`,
      ),
    );
    const healthyForMs = this.upSinceMs !== null ? nowMs - this.upSinceMs : 0;
    this.downSinceMs ??= nowMs;
    this.upSinceMs = null;
    this.state = 'down';
    const delayMs = this.backoff.next(healthyForMs);
    this.log?.error(
      { code, signal, restarts: this.restarts, restartInMs: delayMs },
      `the live detector exited (${cause}); it restarts in ${delayMs} ms, and the last assessment stays in use, marked stale, until it is back`,
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closing) return;
      this.restarts += 1;
      this.log?.info(
        { restarts: this.restarts },
        'restarting the live detector: it reads the store again (warm start)',
      );
      this.startChild();
    }, delayMs);
    this.restartTimer.unref();
  }

  private exitCause(): string {
    const exit = this.lastExit;
    if (!exit) return 'unknown cause';
    return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  }

  private post(request: LiveRequest): void {
    const child = this.child;
    // a send that races the child's exit fails; the exit handler reports that
    if (child?.connected) child.send(request, () => undefined);
  }

  private requestAssessment(): void {
    if (this.scheduled !== null || !this.child) return; // one at a time: a slow graph never queues up behind itself
    this.scheduled = this.nextSeq++;
    this.post({ op: 'assess', seq: this.scheduled, upTo: 0 });
  }

  private receive(reply: LiveReply): void {
    const nowMs = Date.now();
    if (reply.op === 'status') return this.receiveStatus(reply, nowMs);
    if (reply.op === 'failed') {
      this.scheduled = null;
      if (this.pageFailures.fail(reply.message, nowMs))
        this.log?.error(
          { detection: reply.message },
          'live detection failed; it tries again at every poll (logged again only once it has recovered)',
        );
      return;
    }
    if (reply.op === 'skipped') return this.receiveSkipped(reply, nowMs);
    if (reply.seq === this.scheduled) this.scheduled = null;
    this.lastProgressMs = nowMs;
    const ended = this.pageFailures.recover(nowMs);
    if (ended)
      this.log?.info(
        { failures: ended.failures, lastedMs: ended.lastedMs },
        'live detection works again',
      );
    if (this.state === 'starting') {
      this.state = 'up';
      this.upSinceMs = nowMs;
      if (this.downSinceMs !== null)
        this.log?.info(
          { restarts: this.restarts, downForMs: nowMs - this.downSinceMs },
          'the live detector is back: assessments are current again',
        );
      this.downSinceMs = null;
    }
    const assessment = reply.assessment;
    this.through = Math.max(this.through, assessment.through);
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

  private receiveStatus(status: DetectorStatus, nowMs: number): void {
    if (status.through > this.through) {
      this.through = status.through;
      this.lastProgressMs = nowMs;
    }
    this.status = status;
    // a restarted detector reads the same rows again: the count is the most any run has skipped
    this.skippedRows = Math.max(this.skippedRows, status.skipped);
    const share = status.heapUsedBytes / status.heapLimitBytes;
    const alarmShare = this.options.memoryAlarmShare ?? 0.75;
    if (share > alarmShare) {
      if (this.memoryAlarm.fail(`heap ${Math.round(share * 100)}% of its limit`, nowMs)) {
        this.log?.error(
          {
            rssBytes: status.rssBytes,
            heapUsedBytes: status.heapUsedBytes,
            heapLimitBytes: status.heapLimitBytes,
          },
          `the live detector's heap is over ${Math.round(alarmShare * 100)}% of its limit: lower detection bounds or give it more memory before it runs out`,
        );
      }
    } else if (share < alarmShare * 0.8) {
      const ended = this.memoryAlarm.recover(nowMs);
      if (ended)
        this.log?.info(
          { heapUsedBytes: status.heapUsedBytes },
          "the live detector's heap is back under its alarm",
        );
    }
  }

  private receiveSkipped(reply: Extract<LiveReply, { op: 'skipped' }>, nowMs: number): void {
    // after a restart the detector meets the rows it skipped before: those were logged already
    if (reply.seq <= this.highestSkippedSeq) return;
    this.highestSkippedSeq = reply.seq;
    this.lastSkipMs = nowMs;
    if (this.skips.fail(reply.reason, nowMs)) {
      this.log?.error(
        { seq: reply.seq, reason: reply.reason, inPage: reply.count },
        `live detection skipped stored interaction ${reply.seq}, which it cannot read (${reply.reason}); further skips are counted (distillguard_detector_rows_skipped_total) and summed up when they stop`,
      );
    }
  }

  /** Once a second: how far the store is ahead, waits that made no progress, episodes that ended. */
  private check(nowMs: number): void {
    this.sampleStored(nowMs);
    for (const waiter of [...this.waiting]) {
      if (nowMs - Math.max(waiter.sinceMs, this.lastProgressMs) <= waiter.timeoutMs) continue;
      this.waiting.splice(this.waiting.indexOf(waiter), 1);
      waiter.reject(
        unavailable(
          `Live detection made no progress for ${Math.round(waiter.timeoutMs / 1000)} s (read through ${this.through} of ${this.lastStoredSeq} stored exchanges); try again later, and see /health.`,
        ),
      );
    }
    if (this.skips.failing && nowMs - this.lastSkipMs > skipEpisodeQuietMs) {
      const ended = this.skips.recover(nowMs);
      if (ended)
        this.log?.warn(
          { skippedRows: this.skippedRows, lastedMs: ended.lastedMs },
          `live detection has skipped ${this.skippedRows} unreadable stored row(s) in all; none in the last minute`,
        );
    }
  }

  /** Reads how far the store is (one read at a time) and keeps the sample for the lag. */
  private sampleStored(nowMs: number): void {
    const storedThrough = this.options.storedThrough;
    if (!storedThrough || this.sampling) return;
    this.sampling = true;
    void storedThrough()
      .then(
        (seq) => {
          if (seq <= this.lastStoredSeq) return;
          this.lastStoredSeq = seq;
          // when full, the oldest sample stays right and the lag is still measured from it
          if (this.storedSamples.length < maxStoredSamples) this.storedSamples.push([seq, nowMs]);
        },
        () => {
          // the store is closing; the next check samples again
        },
      )
      .finally(() => (this.sampling = false));
  }

  /** Milliseconds since the oldest stored exchange the detector has not read was first seen in the store. */
  private behindMs(nowMs: number): number {
    const samples = this.storedSamples;
    let drop = 0;
    while (drop < samples.length && samples[drop][0] <= this.through) drop += 1;
    if (drop > 0) samples.splice(0, drop);
    return samples.length > 0 ? nowMs - samples[0][1] : 0;
  }

  private rejectWaiting(error: Error): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const entry of waiting) entry.reject(error);
  }
}
