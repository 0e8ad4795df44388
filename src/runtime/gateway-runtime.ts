// The gateway's runtime settings, one call for each part that needs them: the store's write thread
// (its priority, the guard and their log lines) and the live detector process (its priority).
import type { WriterThreadHook } from '../store/index.js';
import { backgroundProcess, type BackgroundPriority } from './background-priority.js';
import {
  detectorPriority,
  writerGuardLimits,
  writerPriority,
  writerYoungGenerationMb,
} from './serve-settings.js';
import { writerThreadPolicy } from './writer-priority.js';

/** The two log levels the runtime writes at (pino's and fastify's loggers have them). */
export interface RuntimeLog {
  warn(fields: object, message: string): void;
  info(message: string): void;
}

/**
 * The store's writerThread hook for the gateway: the write thread at nice 10 under SCHED_IDLE,
 * raised back to the normal policy while a write waits over a second and lowered after 30 s
 * clear, each change logged on `log()` (read when it happens: the logger may come later than the
 * store); its isolate's young generation capped.
 */
export function gatewayWriterThread(log: () => RuntimeLog | null): WriterThreadHook {
  return writerThreadPolicy({
    ...writerPriority,
    guard: writerGuardLimits,
    resourceLimits: { maxYoungGenerationSizeMb: writerYoungGenerationMb },
    onChange: ({ change, waitedMs, ok }) => {
      if (!ok)
        log()?.warn(
          { change },
          "could not change the store write thread's scheduling policy; it keeps the one it has",
        );
      else if (change === 'raise')
        log()?.warn(
          { waitedMs: Math.round(waitedMs) },
          'stored exchanges are waiting on a busy core: the store write thread runs at normal priority until they clear',
        );
      else log()?.info('the store write thread is back under SCHED_IDLE');
    },
  });
}

/**
 * Called first thing in the live detector's process: every thread of it, and those it starts
 * later, at nice 19 under SCHED_IDLE where chrt is installed. Its backlog waits in the store, so a
 * saturated core only delays detection.
 */
export function detectorInBackground(): BackgroundPriority {
  return backgroundProcess(detectorPriority.nice, detectorPriority.idle);
}
