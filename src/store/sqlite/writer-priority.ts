// When the store's write thread runs under SCHED_IDLE (a gateway: requests first), it runs only
// while its core has nothing else to do. Its queue lives in the request thread's memory, so a core
// saturated for long would let that queue grow without bound. The guard raises the thread back to
// the normal policy (keeping its nice value) once the oldest unanswered write has waited too long,
// and lowers it again after the backlog has stayed clear for a while.

export type WriterPriorityChange = 'raise' | 'lower';

export interface WriterPriorityLimits {
  /** Raise the thread when the oldest unanswered write has waited this long (ms; default 1,000). */
  raiseAfterMs?: number;
  /** Lower it again once no write has waited over a tenth of that for this long (ms; default 30,000: a core busy enough to starve it once will likely do so again). */
  lowerAfterMs?: number;
}

export class WriterPriorityGuard {
  private readonly raiseAfterMs: number;
  private readonly lowerAfterMs: number;
  private raised = false;
  private clearSince: number | null = null;

  constructor(limits: WriterPriorityLimits = {}) {
    this.raiseAfterMs = limits.raiseAfterMs ?? 1_000;
    this.lowerAfterMs = limits.lowerAfterMs ?? 30_000;
  }

  get isRaised(): boolean {
    return this.raised;
  }

  /**
   * `oldestWaitingMs`: how long the oldest unanswered write has waited (0 when none is waiting).
   * Returns the change to make now, if any; the caller makes it and calls `failed` if it could not.
   */
  check(oldestWaitingMs: number, nowMs: number): WriterPriorityChange | null {
    if (!this.raised) {
      if (oldestWaitingMs < this.raiseAfterMs) return null;
      this.raised = true;
      this.clearSince = null;
      return 'raise';
    }
    if (oldestWaitingMs > this.raiseAfterMs / 10) {
      this.clearSince = null;
      return null;
    }
    this.clearSince ??= nowMs;
    if (nowMs - this.clearSince < this.lowerAfterMs) return null;
    this.raised = false;
    this.clearSince = null;
    return 'lower';
  }

  /** The change `check` returned could not be made: the guard's state goes back to what the thread has. */
  failed(change: WriterPriorityChange): void {
    this.raised = change === 'lower';
    this.clearSince = null;
  }
}
