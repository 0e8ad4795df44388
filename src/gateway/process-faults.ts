// What `serve` does with an error nothing else caught. A rejected promise nobody awaited is logged
// with its cause and marks the gateway degraded (/health), and the process keeps serving: one
// background task's failure must not drop every request in flight and the in-memory queue. A thrown
// exception is logged and ends the process, as Node advises: the code that threw stopped halfway,
// so the state it left is unknown; the supervisor restarts the gateway, the store keeps what was
// answered, and the warm start rebuilds detection.
import type { BackgroundLog } from './failure-episode.js';

/** How long an unhandled rejection keeps the gateway reported as degraded. */
export const unhandledDegradesForMs = 5 * 60_000;

/** Unhandled rejections seen by this process, for /health and metrics. */
export class UnhandledErrors {
  private total = 0;
  private lastAtMs: number | null = null;
  private lastMessage: string | null = null;

  note(reason: unknown, nowMs = Date.now()): void {
    this.total += 1;
    this.lastAtMs = nowMs;
    this.lastMessage =
      reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  }

  get count(): number {
    return this.total;
  }

  /** The latest one, while it is recent enough to degrade the gateway; null otherwise. */
  recent(nowMs = Date.now()): { atMs: number; message: string } | null {
    if (this.lastAtMs === null || nowMs - this.lastAtMs > unhandledDegradesForMs) return null;
    return { atMs: this.lastAtMs, message: this.lastMessage ?? '' };
  }
}

/** The part of `process` the policy listens on (a test passes an EventEmitter). */
export interface ProcessEvents {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error, origin: string) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'uncaughtException', listener: (error: Error, origin: string) => void): unknown;
}

export interface ProcessFaultTarget {
  log: BackgroundLog & { fatal(details: object, message: string): void };
  unhandled: UnhandledErrors;
}

/**
 * Installs the policy on `events` (the process); returns the function that removes it.
 * `exit` ends the process after an uncaught exception (a test passes its own).
 */
export function installProcessFaultPolicy(
  target: ProcessFaultTarget,
  events: ProcessEvents = process,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const onRejection = (reason: unknown) => {
    target.unhandled.note(reason);
    target.log.error(
      { err: reason, unhandled: target.unhandled.count },
      'unhandled promise rejection: the gateway keeps serving and reports itself degraded in /health; this is a bug, please report it with this line',
    );
  };
  const onException = (error: Error, origin: string) => {
    try {
      target.log.fatal(
        { err: error, origin },
        'uncaught exception: the gateway stops now (its state is unknown); restart it, stored exchanges and decisions are kept',
      );
    } finally {
      exit(1);
    }
  };
  events.on('unhandledRejection', onRejection);
  events.on('uncaughtException', onException);
  return () => {
    events.off('unhandledRejection', onRejection);
    events.off('uncaughtException', onException);
  };
}
