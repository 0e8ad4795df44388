// Bounds how far V8 lets a long-running process's heap grow ahead of what it keeps alive, from
// inside the process. V8 reads heap flags from Node's command line only when it sets up the heap,
// and a server started as `npx distillguard serve` has no command line of its own; two flags,
// though, are read each time they are used, and are set here at run time:
// - `--semi-space-growth-factor`, on every growth of the young generation (V8 doubles the new
//   space under steady load, up to two 16 MB semi-spaces on 64-bit Node 20);
// - `--heap-growing-percent`, after every full collection, when V8 sizes the old generation for
//   the next one (its own factor follows the last collection's speed and reaches 4x).
// Decision records: docs/decisions/2026-11-27-young-generation-cap.md,
// docs/decisions/2026-11-27-old-generation-growth.md
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import {
  oldGenerationGrowthPercentVariable,
  youngGenerationMbVariable,
} from '../core/environment.js';
import { DistillGuardError } from '../core/errors.js';
import { serveHeapCheckEveryMs, serveHeapGrowth } from './serve-settings.js';

/** V8's default growth factor of the new space. */
const defaultGrowthFactor = 2;

/**
 * The young generation's size: both semi-spaces at the current capacity. Not the new space's
 * `space_size`, which counts the second semi-space only while it is committed: read as 4 MB when it
 * was 8, it let the cap's doubling through to 16.
 */
function youngGenerationBytes(): number {
  const space = getHeapSpaceStatistics().find((entry) => entry.space_name === 'new_space');
  return space ? 2 * (space.space_used_size + space.space_available_size) : 0;
}

export interface HeapGrowthLimits {
  /** Largest young generation, in MB (both semi-spaces together); 0 leaves V8's growth. */
  youngGenerationMb: number;
  /** The old generation may grow to (1 + percent / 100) x what the last full collection kept; 0 leaves V8's own factor (up to 4x). */
  oldGenerationGrowthPercent: number;
  /** How often the limits are applied again, in ms (default 1,000). */
  everyMs?: number;
}

export interface HeapGrowthOptions {
  /**
   * Keep the young generation at its start size until `heapGrowthReady()` (a server calls it once
   * it listens). Loading modules allocates in synchronous bursts in which two scavenges can come
   * between two checks, each doubling the new space past the cap.
   */
  holdYoungUntilReady?: boolean;
}

let releaseYoung: (() => void) | null = null;

/**
 * Starts the young generation's growth that `capHeapGrowth(..., { holdYoungUntilReady: true })`
 * held back; does nothing otherwise, or when called again.
 */
export function heapGrowthReady(): void {
  const release = releaseYoung;
  releaseYoung = null;
  release?.();
}

/**
 * Holds this isolate's heap growth to `limits` for the rest of the process.
 * - Young generation: after every collection, and every `everyMs`, one more doubling is allowed
 *   only while the doubled space would still fit; where V8 has shrunk the new space (idle), growth
 *   is allowed again up to the cap. V8 grows the new space at the end of a scavenge, so checking
 *   after each one keeps two doublings from coming between checks (with the timer alone, about
 *   half of the gateway's bench runs ended with a 16 MB young generation under an 8 MB cap). With
 *   `holdYoungUntilReady`, no growth at all until `heapGrowthReady()`.
 * - Old generation: a fixed growth factor instead of V8's adaptive one.
 * Both flags are set again on every check, not only on a change: starting a worker thread puts
 * V8's flags back to their start values.
 */
export function capHeapGrowth(limits: HeapGrowthLimits, options: HeapGrowthOptions = {}): void {
  const youngMaxBytes = limits.youngGenerationMb * 2 ** 20;
  const apply = (growthFactor: number) => {
    if (limits.youngGenerationMb > 0)
      setFlagsFromString(`--semi-space-growth-factor=${growthFactor}`);
    if (limits.oldGenerationGrowthPercent > 0)
      setFlagsFromString(`--heap-growing-percent=${Math.round(limits.oldGenerationGrowthPercent)}`);
  };
  if (limits.youngGenerationMb <= 0 && limits.oldGenerationGrowthPercent <= 0) return;
  // no young growth until the first check: a process that is loading its modules allocates in
  // bursts that could double the new space several times between two checks
  apply(1);
  let held = options.holdYoungUntilReady === true && limits.youngGenerationMb > 0;
  if (held)
    releaseYoung = () => {
      held = false;
    };
  const check = () =>
    apply(
      !held &&
        limits.youngGenerationMb > 0 &&
        youngGenerationBytes() * defaultGrowthFactor <= youngMaxBytes
        ? defaultGrowthFactor
        : 1,
    );
  const timer = setInterval(check, limits.everyMs ?? 1_000);
  timer.unref();
  if (limits.youngGenerationMb > 0) new PerformanceObserver(check).observe({ entryTypes: ['gc'] });
}

/**
 * `serveHeapGrowth` (serve-settings.ts), with env DISTILLGUARD_YOUNG_GENERATION_MB and
 * DISTILLGUARD_OLD_GENERATION_GROWTH_PERCENT in its place where set (0: V8's own growth).
 */
export function heapGrowthFromEnv(env: NodeJS.ProcessEnv = process.env): HeapGrowthLimits {
  const setting = (name: string, fallback: number, what: string): number => {
    const configured = env[name];
    const value = configured === undefined || configured === '' ? fallback : Number(configured);
    if (!Number.isFinite(value) || value < 0)
      throw new DistillGuardError(
        'usage',
        `${name} must be ${what} (0: V8's own growth), not '${configured}'.`,
      );
    return value;
  };
  return {
    youngGenerationMb: setting(
      youngGenerationMbVariable,
      serveHeapGrowth.youngGenerationMb,
      'a size in megabytes',
    ),
    oldGenerationGrowthPercent: setting(
      oldGenerationGrowthPercentVariable,
      serveHeapGrowth.oldGenerationGrowthPercent,
      'a percentage',
    ),
    everyMs: serveHeapCheckEveryMs,
  };
}
