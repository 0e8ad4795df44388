// How long to wait before restarting a process that exited: doubling from a first delay to a
// ceiling, and back to the first once a run has stayed healthy long enough.

export interface RestartBackoffOptions {
  /** Delay before the first restart, in ms (default 500). */
  firstDelayMs?: number;
  /** Longest delay, in ms (default 30 s). */
  maxDelayMs?: number;
  /** A run healthy this long resets the delay to the first (ms; default 60 s). */
  healthyAfterMs?: number;
}

export class RestartBackoff {
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly healthyAfterMs: number;
  private delayMs: number;

  constructor(options: RestartBackoffOptions = {}) {
    this.firstDelayMs = options.firstDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.healthyAfterMs = options.healthyAfterMs ?? 60_000;
    this.delayMs = this.firstDelayMs;
  }

  /**
   * The delay before the next restart, given how long the run that just ended was healthy (ms;
   * 0 when it never was).
   */
  next(healthyForMs: number): number {
    if (healthyForMs >= this.healthyAfterMs) this.delayMs = this.firstDelayMs;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.maxDelayMs, this.delayMs * 2);
    return delay;
  }
}
