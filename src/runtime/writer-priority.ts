// When the store's write thread runs under SCHED_IDLE (a gateway: requests first), it runs only
// while its core has nothing else to do. Its queue lives in the request thread's memory, so a core
// saturated for long would let that queue grow without bound. The guard raises the thread back to
// the normal policy (keeping its nice value) once the oldest unanswered write has waited too long,
// and lowers it again after the backlog has stayed clear for a while. `writerThreadPolicy` is the
// store's writerThread hook that applies the policy and runs the guard (decision record
// docs/decisions/2026-11-27-write-thread-sched-idle.md).
import type { ResourceLimits } from 'node:worker_threads';
import type { WriterThread, WriterThreadHook } from '../store/index.js';
import { niceThread, setThreadPolicy, type BackgroundPriority } from './background-priority.js';

export type WriterPriorityChange = 'raise' | 'lower';

export interface WriterPriorityEvent {
  change: WriterPriorityChange;
  /** How long the oldest unanswered write had waited, in ms. */
  waitedMs: number;
  /** False: chrt failed, the thread keeps the policy it has and the guard stops. */
  ok: boolean;
}

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

export interface WriterThreadPolicy {
  /** Nice value of the write thread (Linux); 0 leaves its priority alone. */
  nice: number;
  /** Also SCHED_IDLE where chrt is installed, with the guard raising it back while writes wait. */
  idle: boolean;
  guard?: WriterPriorityLimits;
  /** V8 limits of the write thread's isolate. */
  resourceLimits?: ResourceLimits;
  /** Told once what the thread got: SCHED_IDLE, only the nice value, or nothing. */
  onApplied?: (priority: BackgroundPriority) => void;
  /** Told each time the guard raises or lowers the thread. */
  onChange?: (event: WriterPriorityEvent) => void;
}

/** How often the guard looks at the oldest unanswered write (ms). */
const guardEveryMs = 250;

/**
 * The store's writerThread hook for `policy`: once the write thread runs, its nice value, then
 * SCHED_IDLE (set from the caller's thread without blocking it), then the guard; all stopped when
 * the thread exits.
 */
export function writerThreadPolicy(policy: WriterThreadPolicy): WriterThreadHook {
  return {
    ...(policy.resourceLimits ? { resourceLimits: policy.resourceLimits } : {}),
    started(thread: WriterThread) {
      const id = thread.id;
      if (!policy.nice || id === null || process.platform !== 'linux') {
        policy.onApplied?.('unchanged');
        return;
      }
      const niced = niceThread(id, policy.nice);
      if (!policy.idle) {
        policy.onApplied?.(niced ? 'nice' : 'unchanged');
        return;
      }
      let stopped = false;
      let stopGuard: (() => void) | null = null;
      void setThreadPolicy(id, 'idle').then((idle) => {
        policy.onApplied?.(idle ? 'idle' : niced ? 'nice' : 'unchanged');
        if (idle && !stopped)
          stopGuard = guardWriterThread(
            id,
            thread,
            new WriterPriorityGuard(policy.guard),
            policy.onChange,
          );
      });
      return () => {
        stopped = true;
        stopGuard?.();
      };
    },
  };
}

/** Every `guardEveryMs`, the guard's change (if any) made with chrt; returns what stops it. */
function guardWriterThread(
  id: number,
  thread: WriterThread,
  guard: WriterPriorityGuard,
  onChange?: (event: WriterPriorityEvent) => void,
): () => void {
  let changing = false;
  const timer = setInterval(() => {
    if (changing) return;
    const waitedMs = thread.oldestWaitMs();
    const change = guard.check(waitedMs, performance.now());
    if (!change) return;
    changing = true;
    void setThreadPolicy(id, change === 'raise' ? 'normal' : 'idle').then((ok) => {
      changing = false;
      onChange?.({ change, waitedMs, ok });
      if (ok) return;
      guard.failed(change);
      clearInterval(timer);
    });
  }, guardEveryMs);
  timer.unref();
  return () => clearInterval(timer);
}
