// Starts `distillguard serve` (the built CLI) for the edge fault tests: a config file, a fresh
// store with one API key, the child's pid (for RSS from /proc) and a stop that waits for the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, temporaryDirectory } from '../../src/test-support/paths.js';
import { runCli } from '../../src/test-support/run-cli.js';

export interface ServeUnderTest {
  url: string;
  pid: number;
  folder: string;
  database: string;
  /** One API key's secret per account asked for. */
  keys: Record<string, string>;
  output(): string;
  /** Stops the gateway (SIGTERM, then SIGKILL after 15 s); its folder stays until `remove`. */
  stop(): Promise<void>;
  /** Stops the gateway if it runs, and removes its folder. */
  remove(): Promise<void>;
}

export async function startServe(config: unknown, accounts: string[] = ['acct-a']): Promise<ServeUnderTest> {
  const folder = temporaryDirectory('dg-edge-fault-');
  const database = join(folder, 'gateway.db');
  const keys: Record<string, string> = {};
  for (const account of accounts) {
    const created = await runCli(['keys', 'create', '--account', account, '--db', database, '--json']);
    if (created.code !== 0) throw new Error(created.stderr);
    keys[account] = (JSON.parse(created.stdout) as { secret: string }).secret;
  }
  writeFileSync(join(folder, 'gateway.json'), JSON.stringify(config));
  const child: ChildProcess = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--db', database, '--config', join(folder, 'gateway.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 30 s: ${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /gateway listening on (http:\/\/\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  child.removeAllListeners('exit');
  let running = true;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    if (!running) return;
    running = false;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  return {
    url, pid: child.pid ?? 0, folder, database, keys, stop,
    output: () => output,
    async remove() {
      await stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A process's memory from /proc/PID/status, in MB: the high-water mark (VmHWM) and now (VmRSS). */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
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
