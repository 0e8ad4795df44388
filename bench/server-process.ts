// Starts a server as a child process (optionally pinned to CPU cores with taskset), waits for the
// line announcing its URL, and samples its memory from /proc while it runs.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface MemorySample {
  rssMb: number;
  /** Peak resident set so far (VmHWM). */
  hwmMb: number;
}

export interface ServerProcess {
  label: string;
  url: string;
  pid: number;
  /** Cores the process is pinned to, or null when not pinned. */
  cores: string | null;
  /** Current memory from /proc/PID/status; null where /proc is missing (not Linux). */
  memory(): MemorySample | null;
  /** The same for each child process (the gateway's live detector), summed; null when it has none. */
  childMemory(): MemorySample | null;
  /** Its main thread's time on a core and waiting for one, so far (Linux schedstat); null elsewhere. */
  mainThreadSchedule(): ThreadSchedule | null;
  stop(): Promise<void>;
}

/** Cumulative nanoseconds a thread has run, and has waited runnable on a run queue (another task held its core). */
export interface ThreadSchedule {
  runNs: number;
  waitNs: number;
}

const startTimeoutMs = 30_000;

export function readThreadSchedule(pid: number): ThreadSchedule | null {
  try {
    const [runNs, waitNs] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8')
      .trim()
      .split(' ')
      .map(Number);
    return Number.isFinite(runNs) && Number.isFinite(waitNs) ? { runNs, waitNs } : null;
  } catch {
    return null;
  }
}

/** One thread of a process: its nice value and the nanoseconds it has run so far (Linux /proc). */
export interface ThreadSample {
  tid: number;
  nice: number;
  runNs: number;
}

/** Every thread of `pid` (threads that end while being read are left out); empty when the process has gone or /proc is missing. */
export function readThreads(pid: number): ThreadSample[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const threads: ThreadSample[] = [];
  for (const tid of tids) {
    try {
      const runNs = Number(
        readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0],
      );
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // fields after the command name (which may hold spaces): field 19 is the nice value
      threads.push({
        tid: Number(tid),
        nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]),
        runNs,
      });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return threads;
}

export const tasksetAvailable =
  spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('could not find a free port');
  return address.port;
}

/** Pins this process (all its threads) to `cores`; false when taskset is missing. */
export function pinSelf(cores: string): boolean {
  if (!tasksetAvailable) return false;
  return (
    spawnSync('taskset', ['-a', '-c', '-p', cores, String(process.pid)], { stdio: 'ignore' })
      .status === 0
  );
}

export function readMemory(pid: number): MemorySample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return rss && hwm ? { rssMb: Number(rss[1]) / 1024, hwmMb: Number(hwm[1]) / 1024 } : null;
  } catch {
    return null;
  }
}

/** Process ids of the direct children of `pid` (Linux only; empty elsewhere). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Memory of the direct children of `pid`, summed (Linux only). */
export function readChildMemory(pid: number): MemorySample | null {
  const samples = childPids(pid)
    .map(readMemory)
    .filter((sample): sample is MemorySample => sample !== null);
  if (samples.length === 0) return null;
  return {
    rssMb: samples.reduce((sum, sample) => sum + sample.rssMb, 0),
    hwmMb: samples.reduce((sum, sample) => sum + sample.hwmMb, 0),
  };
}

/**
 * Runs `command` (argv form, no shell) on `port` and resolves once it prints a line with an
 * http:// URL. taskset execs the command, so the pid is the server's own.
 */
export function startServerProcess(
  label: string,
  command: string[],
  port: number,
  options: { cores?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ServerProcess> {
  const pinned = options.cores !== undefined && tasksetAvailable;
  const argv = pinned ? ['taskset', '-c', options.cores!, ...command] : command;
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${label} printed no URL within ${startTimeoutMs / 1000} s`)),
      startTimeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new Error(
          `${error.message}\n  command: ${argv.join(' ')}\n  output: ${output.slice(-2000).trim() || '(none)'}`,
        ),
      );
    };
    const onOutput = (part: Buffer) => {
      if (output.length < 100_000) output += part.toString();
      if (/https?:\/\/\S+/.test(output) && child.pid !== undefined) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.stderr.removeAllListeners('data');
        // keep draining, so a chatty server never blocks on a full pipe
        child.stdout.resume();
        child.stderr.resume();
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        resolve({
          label,
          url: `http://127.0.0.1:${port}`,
          pid: child.pid,
          cores: pinned ? options.cores! : null,
          memory: () => readMemory(child.pid!),
          childMemory: () => readChildMemory(child.pid!),
          mainThreadSchedule: () => readThreadSchedule(child.pid!),
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.on('error', (error) => fail(error));
    child.on('exit', (code, signal) =>
      fail(new Error(`${label} exited (${signal ?? code}) before listening`)),
    );
  });
}
