// Background work (the gateway's live detector, its SQLite write thread) gives the core to request
// handling. Linux keeps a nice value per thread; threads started later inherit it, and the
// scheduling policy, from the thread that starts them.
//
// A nice value alone is not enough for a latency tail: Linux's EEVDF scheduler lets a running task
// finish its time slice before a task that just woke up (a request arriving) may preempt it,
// whatever their nice values. A SCHED_IDLE task is preempted at once. Node has no call for the
// policy, so util-linux's `chrt` sets it where installed (decision record
// docs/decisions/2026-11-27-detector-sched-idle.md).
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** What a process or thread got: SCHED_IDLE, only a nice value, or nothing (not Linux, not allowed). */
export type BackgroundPriority = 'idle' | 'nice' | 'unchanged';

const chrtTimeoutMs = 5_000;

/** util-linux chrt's arguments: `pid`'s policy (with `allTasks`, every thread of that process). */
function chrtArgs(policy: 'idle' | 'normal', pid: number, allTasks: boolean): string[] {
  return [
    policy === 'idle' ? '--idle' : '--other',
    ...(allTasks ? ['--all-tasks'] : []),
    '--pid',
    '0',
    String(pid),
  ];
}

function niceAll(threadIds: number[], nice: number): boolean {
  try {
    for (const thread of threadIds) setPriority(thread, nice);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every thread of this process to `nice`, then to SCHED_IDLE when `idle` and `chrt` is installed.
 * Only for work whose backlog waits safely elsewhere (the detector tails the store on disk): an
 * idle-policy process gets almost nothing while the core is saturated.
 */
export function backgroundProcess(nice: number, idle: boolean): BackgroundPriority {
  if (process.platform !== 'linux') return 'unchanged';
  let threads: number[];
  try {
    threads = readdirSync('/proc/self/task').map(Number);
  } catch {
    return 'unchanged';
  }
  const niced = niceAll(threads, nice);
  if (
    idle &&
    spawnSync('chrt', chrtArgs('idle', process.pid, true), {
      stdio: 'ignore',
      timeout: chrtTimeoutMs,
    }).status === 0
  )
    return 'idle';
  return niced ? 'nice' : 'unchanged';
}

/**
 * One thread of this process (by kernel id, e.g. a worker thread's) to `nice`; false where that
 * could not be set (not Linux, not allowed). Threads it starts later inherit the value.
 */
export function niceThread(thread: number, nice: number): boolean {
  return process.platform === 'linux' && niceAll([thread], nice);
}

/**
 * One thread's policy to SCHED_IDLE or back to the normal one (its nice value is kept), without
 * blocking the calling thread; false where chrt failed or is missing. A thread whose queue lives
 * in memory may take the idle policy only with a guard that raises it back when its backlog ages
 * (`writer-priority.ts`), or the queue would grow without bound while the core is saturated.
 */
export function setThreadPolicy(thread: number, policy: 'idle' | 'normal'): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('chrt', chrtArgs(policy, thread, false), { timeout: chrtTimeoutMs }, (error) =>
      resolve(error === null),
    );
  });
}

/** The scheduling policy of every thread of `pid` (Linux /proc; 0 normal, 3 batch, 5 idle), for tests and diagnostics. */
export function threadPolicies(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((thread) => {
    const stat = readFileSync(`/proc/${pid}/task/${thread}/stat`, 'utf8');
    // fields after the command name (which may hold spaces): field 41 is the policy
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
  });
}
