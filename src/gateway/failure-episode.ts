// A condition that fails and later recovers (a store that rejects writes, a detector that is
// down): logged once when it starts and once when it ends, never once per attempt.

/** The few logger calls the gateway's background parts make (fastify's pino logger fits). */
export interface BackgroundLog {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/** What an episode of failure looked like, once it is over. */
export interface EndedEpisode {
  /** Failed attempts during the episode. */
  failures: number;
  lastedMs: number;
}

export class FailureEpisode {
  private startedMs: number | null = null;
  private lastReason: string | null = null;
  private failures = 0;

  /** Notes one failure; true when it starts an episode (the one to log). */
  fail(reason: string, nowMs = Date.now()): boolean {
    this.failures += 1;
    this.lastReason = reason;
    if (this.startedMs !== null) return false;
    this.startedMs = nowMs;
    return true;
  }

  /** Notes a success; the episode it ends, if one was running (the line to log), else null. */
  recover(nowMs = Date.now()): EndedEpisode | null {
    if (this.startedMs === null) return null;
    const ended = { failures: this.failures, lastedMs: nowMs - this.startedMs };
    this.startedMs = null;
    this.lastReason = null;
    this.failures = 0;
    return ended;
  }

  get failing(): boolean {
    return this.startedMs !== null;
  }

  /** When the running episode started (ms since the epoch), null when none runs. */
  get since(): number | null {
    return this.startedMs;
  }

  /** The latest failure's reason while an episode runs. */
  get reason(): string | null {
    return this.lastReason;
  }
}
