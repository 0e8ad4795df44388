// What `serve` applies to its own process before it loads the gateway: V8's heap growth, held at
// the young generation's start size until the gateway listens.
import { capHeapGrowth, heapGrowthFromEnv, heapGrowthReady } from './heap-growth.js';

/**
 * Caps this process's heap growth for a long-running gateway (serve-settings.ts, or the
 * environment's DISTILLGUARD_YOUNG_GENERATION_MB and DISTILLGUARD_OLD_GENERATION_GROWTH_PERCENT).
 * Call it before the gateway's modules load: their evaluation allocates in bursts that would grow
 * the young generation past its cap. Throws a usage error naming a bad variable.
 */
export function applyServeRuntime(env: NodeJS.ProcessEnv = process.env): void {
  capHeapGrowth(heapGrowthFromEnv(env), { holdYoungUntilReady: true });
}

/** The gateway listens: its young generation may grow now, up to the cap. */
export function releaseYoungGenerationHold(): void {
  heapGrowthReady();
}
