// Background work (the gateway's live detector, its SQLite write thread) gives the core to request
// handling. Linux keeps a nice value per thread; threads started later inherit it, and the
// scheduling policy, from the thread that starts them.
//
// A nice value alone is not enough for a latency tail: Linux's EEVDF scheduler lets a running task
// finish its time slice (about 1.4 ms on this project's machines) before a task that just woke up
// (a request arriving) may preempt it, whatever their nice values. A SCHED_IDLE task is preempted
// at once. Node has no call for the policy, so util-linux's `chrt` sets it where installed.
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** What a process or thread got: SCHED_IDLE, only a nice value, or nothing (not Linux, not allowed). */
export type BackgroundPriority = 'idle' | 'nice' | 'unchanged';

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
  if (idle) {
    const chrt = spawnSync('chrt', ['--idle', '--all-tasks', '--pid', '0', String(process.pid)], { stdio: 'ignore', timeout: 5_000 });
    if (chrt.status === 0) return 'idle';
  }
  return niced ? 'nice' : 'unchanged';
}

/** This thread's kernel id (Linux), or null where /proc is missing. */
export function currentThreadId(): number | null {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return null;
  }
}

/**
 * The calling thread (a worker thread) to `nice`, then to SCHED_IDLE when `idle` and `chrt` is
 * installed. A thread whose queue lives in memory may take the idle policy only with a guard that
 * raises it back when its backlog ages (the store's write thread: `writer-priority.ts`), or the
 * queue would grow without bound while the core is saturated.
 */
export function backgroundThread(nice: number, idle = false): BackgroundPriority {
  if (process.platform !== 'linux') return 'unchanged';
  const thread = currentThreadId();
  if (thread === null) return 'unchanged';
  const niced = niceAll([thread], nice);
  if (idle && chrtPolicy(thread, 'idle')) return 'idle';
  return niced ? 'nice' : 'unchanged';
}

/** One thread's policy to SCHED_IDLE or back to the normal one (its nice value is kept); false where chrt failed. */
export function chrtPolicy(thread: number, policy: 'idle' | 'normal'): boolean {
  const result = spawnSync('chrt', [policy === 'idle' ? '--idle' : '--other', '--pid', '0', String(thread)], { stdio: 'ignore', timeout: 5_000 });
  return result.status === 0;
}

/** The same without blocking the calling thread (the gateway's request thread changes its write thread's policy). */
export function setThreadPolicy(thread: number, policy: 'idle' | 'normal'): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('chrt', [policy === 'idle' ? '--idle' : '--other', '--pid', '0', String(thread)], { timeout: 5_000 }, (error) => resolve(error === null));
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
