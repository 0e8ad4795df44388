// Retention for a long-running process (the gateway): prunes once at start and then every hour,
// one run at a time, through the store's bounded write batches.
import type { PruneTally, Store } from './store.js';

/** How long exchanges are kept, in days: their text (`textDays`), then the whole row (`exchangesDays`). */
export interface RetentionPolicy {
  textDays?: number;
  exchangesDays?: number;
}

export interface RetentionSchedule {
  /** Stops the schedule; a run under way ends after its current batch. */
  stop(): Promise<void>;
}

const dayMs = 86_400_000;
const defaultEveryMs = 3_600_000;

/** Starts pruning `store` by `policy`: now, then every `everyMs` (an hour by default). */
export function scheduleRetention(
  store: Store,
  policy: RetentionPolicy,
  /** `onPruned`: told after each run that removed something. */
  options: {
    everyMs?: number;
    onPruned?: (tally: PruneTally) => void;
    onError?: (error: Error) => void;
  } = {},
): RetentionSchedule {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = (async () => {
      const now = Date.now();
      try {
        const tally = await store.prune({
          ...(policy.exchangesDays !== undefined
            ? { rowsBeforeMs: now - policy.exchangesDays * dayMs }
            : {}),
          ...(policy.textDays !== undefined ? { textBeforeMs: now - policy.textDays * dayMs } : {}),
          signal: stopping.signal,
        });
        if (tally.rowsDeleted + tally.textPruned + tally.rejectedTextPruned > 0)
          options.onPruned?.(tally);
      } catch (error) {
        if (!stopping.signal.aborted) options.onError?.(error as Error);
      }
      if (stopping.signal.aborted) return;
      timer = setTimeout(run, options.everyMs ?? defaultEveryMs);
      timer.unref();
    })();
  };
  if (policy.textDays !== undefined || policy.exchangesDays !== undefined) run();
  return {
    async stop() {
      stopping.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
