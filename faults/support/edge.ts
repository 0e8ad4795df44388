// For the edge fault tests: what a `distillguard serve` process (support/serve.ts) holds, read from
// /proc: its memory and its open sockets.
import { readdirSync, readlinkSync, readFileSync } from 'node:fs';

/** A process's memory from /proc/PID/status, in MB: the high-water mark (VmHWM) and now (VmRSS). */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { peakMb: field('VmHWM'), rssMb: field('VmRSS') };
}

/** How many sockets a process holds open (from /proc/PID/fd). */
export function socketsOf(pid: number): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) count += 1;
    } catch {
      // closed while listing
    }
  }
  return count;
}
