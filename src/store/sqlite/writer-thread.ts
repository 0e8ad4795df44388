// The one hook into the store's write thread, for whoever runs the store in a long-lived process
// (the gateway's runtime settings): the V8 limits the thread starts under, and, once it runs, its
// kernel id and how long the oldest unanswered write has waited. The store itself sets no
// priority or policy; what the hook does with the thread is its owner's business.
import type { ResourceLimits } from 'node:worker_threads';

/** The running write thread, as the hook sees it. */
export interface WriterThread {
  /** The thread's kernel id (Linux /proc/thread-self), or null where it cannot be read. */
  id: number | null;
  /** How long the oldest unanswered write has waited, in ms (0 when none is waiting). */
  oldestWaitMs(): number;
}

export interface WriterThreadHook {
  /** V8 resource limits for the write thread's isolate (e.g. a smaller young generation); V8's defaults where absent. */
  resourceLimits?: ResourceLimits;
  /** Called once each write thread runs, before the store takes its first reply; what it returns is called when that thread exits. */
  started(thread: WriterThread): (() => void) | void;
}
