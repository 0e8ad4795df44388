// Public face of runtime/: how `serve` tunes its process for a shared core, in one place: V8's
// heap growth (applied before the gateway loads) and the scheduling of the gateway's background
// work (the store's write thread, the live detector). Nothing outside this folder sets V8 flags or
// scheduling policies. Decision record: docs/decisions/2026-12-01-runtime-seam.md
export { applyServeRuntime, releaseYoungGenerationHold } from './serve-runtime.js';
export { detectorInBackground, gatewayWriterThread, type RuntimeLog } from './gateway-runtime.js';
export type { BackgroundPriority } from './background-priority.js';
