// Caps V8's young generation of a running process. Under steady load V8 doubles the new space until
// it reaches its maximum (two 16 MB semi-spaces on 64-bit Node 20), and a server that allocates per
// request then carries 32 MB of mostly empty nursery in its RSS. `--max-semi-space-size` fixes that
// only on node's command line; the growth factor, though, is read on every growth, so a process can
// stop the doubling itself once the new space is as large as it should get.
// Decision record: docs/decisions/2026-11-27-young-generation-cap.md
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** V8's default growth factor of the new space. */
const defaultGrowthFactor = 2;

const newSpaceBytes = (): number => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;

/**
 * Keeps this isolate's new space at or below `maxMb` (both semi-spaces together) for the rest of
 * the process: every `everyMs` it allows one more doubling only while the doubled space would still
 * fit. Where V8 has shrunk the new space (idle), growth is allowed again up to the cap. Two doublings
 * between checks (a burst of allocation) can overshoot by one step; V8's own maximum still bounds it.
 */
export function capYoungGeneration(maxMb: number, everyMs = 1_000): void {
  const maxBytes = maxMb * 2 ** 20;
  // set on every check, not only on a change: starting a worker thread puts V8's flags back
  const setGrowthFactor = (factor: number) => setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  // no growth until the first check: a process that is loading its modules allocates in bursts
  // that could double the new space several times between two checks
  setGrowthFactor(1);
  const timer = setInterval(() => setGrowthFactor(newSpaceBytes() * defaultGrowthFactor <= maxBytes ? defaultGrowthFactor : 1), everyMs);
  timer.unref();
}
