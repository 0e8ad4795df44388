// Every number by which `serve` tunes its process, in one place: V8's heap growth, and the
// scheduling of the gateway's background work (the SQLite write thread, the live detector).
// Why each is what it is: the decision records named beside it.
import type { HeapGrowthLimits } from './heap-growth.js';
import type { WriterPriorityLimits } from './writer-priority.js';

/**
 * `serve`'s heap growth unless DISTILLGUARD_YOUNG_GENERATION_MB or
 * DISTILLGUARD_OLD_GENERATION_GROWTH_PERCENT says otherwise (decision records
 * 2026-11-27-young-generation-cap, 2026-11-27-old-generation-growth).
 */
export const serveHeapGrowth: Readonly<HeapGrowthLimits> = {
  youngGenerationMb: 16,
  oldGenerationGrowthPercent: 50,
};

/** How often `serve` applies its heap limits again, in ms (besides after every collection). */
export const serveHeapCheckEveryMs = 250;

/** The store's write thread: nice 10, and SCHED_IDLE where chrt is installed (2026-11-27-write-thread-sched-idle). */
export const writerPriority = { nice: 10, idle: true } as const;

/** The write thread's own V8 young generation, in MB (its isolate's `resourceLimits`). */
export const writerYoungGenerationMb = 6;

/** When the guard raises the idle write thread back to the normal policy, and lowers it again. */
export const writerGuardLimits: Readonly<Required<WriterPriorityLimits>> = {
  raiseAfterMs: 1_000,
  lowerAfterMs: 30_000,
};

/** The live detector process: nice 19, and SCHED_IDLE where chrt is installed (2026-11-27-detector-sched-idle). */
export const detectorPriority = { nice: 19, idle: true } as const;
