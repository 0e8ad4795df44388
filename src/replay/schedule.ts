// Keeps the log's relative timing: a record logged t ms after the first is due t / speed ms after
// the replay started. Records already due (or out of order in the file) go at once.

const longestTimerMs = 2_000_000_000; // setTimeout's limit is 2^31 - 1 ms

export class ReplaySchedule {
  private firstRecordMs: number | null = null;
  private startedMs = 0;
  private latestLagMs = 0;

  constructor(
    private readonly speed: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Wall-clock ms from now until the record logged at `recordMs` is due (0 when it is due already). */
  delayFor(recordMs: number): number {
    if (this.firstRecordMs === null) {
      this.firstRecordMs = recordMs;
      this.startedMs = this.now();
    }
    const dueMs = this.startedMs + (recordMs - this.firstRecordMs) / this.speed;
    const delay = dueMs - this.now();
    if (delay < 0) this.latestLagMs = Math.max(this.latestLagMs, -delay);
    return Math.max(0, delay);
  }

  /** Waits until the record logged at `recordMs` is due. */
  async waitFor(recordMs: number): Promise<void> {
    let delay = this.delayFor(recordMs);
    while (delay > 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, longestTimerMs)));
      delay = this.delayFor(recordMs);
    }
  }

  /** The furthest any record was sent behind its due time, in ms (the gateway or --concurrency holding the replay back). */
  maxLagMs(): number {
    return this.latestLagMs;
  }
}
