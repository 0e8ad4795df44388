// How quiet is this machine? A process per core spins for a few seconds reading the clock and
// records every gap between two reads: on an idle, unshared core the gaps stay in microseconds;
// gaps of milliseconds are the host (or another tenant) taking the core away. A latency tail
// target of 2 ms cannot be judged on a machine whose idle cores pause for longer than that.
// Usage inside the benchmarks: `await hostPauses(['0', '1'], 3)`; by hand, one core: taskset -c 0 node dist/bench/host-pauses.js [seconds]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { tasksetAvailable } from './server-process.js';

export interface HostPauses {
  cores: string;
  seconds: number;
  /** Gaps longer than 1 ms and 5 ms between two consecutive clock reads of a spinning loop. */
  over1Ms: number;
  over5Ms: number;
  /** Their total, as a share of the time spun. */
  pausedShare: number;
  maxMs: number;
}

const spin = (seconds: number): Omit<HostPauses, 'cores'> => {
  let last = performance.now();
  const end = last + seconds * 1000;
  let over1Ms = 0;
  let over5Ms = 0;
  let paused = 0;
  let maxMs = 0;
  for (;;) {
    const now = performance.now();
    const gap = now - last;
    last = now;
    if (gap > 1) {
      over1Ms += 1;
      paused += gap;
      if (gap > 5) over5Ms += 1;
    }
    if (gap > maxMs) maxMs = gap;
    if (now >= end) break;
  }
  return { seconds, over1Ms, over5Ms, pausedShare: paused / (seconds * 1000), maxMs };
};

/** Spins one process on each of `cores` at once for `seconds`; taskset where available. */
export async function hostPauses(cores: string[], seconds: number): Promise<HostPauses[]> {
  const script = fileURLToPath(import.meta.url);
  const run = promisify(execFile);
  return Promise.all(
    cores.map(async (core) => {
      const argv = tasksetAvailable
        ? ['taskset', '-c', core, process.execPath, script, String(seconds)]
        : [process.execPath, script, String(seconds)];
      const { stdout } = await run(argv[0], argv.slice(1), { encoding: 'utf8' });
      return { cores: core, ...(JSON.parse(stdout) as Omit<HostPauses, 'cores'>) };
    }),
  );
}

export const describePauses = (runs: HostPauses[]): string =>
  runs
    .map(
      (run) =>
        `core ${run.cores}: ${run.over1Ms} pauses > 1 ms (${run.over5Ms} > 5 ms), longest ${run.maxMs.toFixed(1)} ms, ${(run.pausedShare * 100).toFixed(2)}% of ${run.seconds} s`,
    )
    .join('; ');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(spin(Number(process.argv[2] ?? 3)))}\n`);
}
