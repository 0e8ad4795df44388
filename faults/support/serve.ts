// `distillguard serve` (the built CLI) for the fault suites: started with the given arguments and
// environment, resolved once it listens (within 30 s) with its public URL, its admin URL
// (--admin-port), its pid and its output so far, and stopped by signal. `startServeWithConfig`
// adds what the edge faults need: a fresh store with one API key per account, and a config file.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, temporaryDirectory } from '../../src/test-support/paths.js';
import { runCli } from '../../src/test-support/run-cli.js';

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** The admin listener, from the startup line; null when admin routes share the public port. */
  adminUrl: string | null;
  /** Everything it wrote so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** Sends `signal` (once: later calls wait for the same exit) and waits at most `withinMs`, then kills it; resolves with how it ended. */
  stop(signal?: NodeJS.Signals, withinMs?: number): Promise<number | string>;
}

export interface ServeOptions {
  /** Added to this process's environment (an admin token, a proxy secret). */
  env?: NodeJS.ProcessEnv;
  /** Called at once with the child's pid, before it listens. */
  onSpawn?: (pid: number) => void;
}

/** `distillguard serve --port 0 ARGS`. */
export async function startServe(
  args: string[],
  options: ServeOptions = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  options.onSpawn?.(child.pid as number);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const started = await new Promise<{ url: string; adminUrl: string | null }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not listen within 30 s: ${output}`)),
      30_000,
    );
    const look = () => {
      const found = /gateway listening on (http:\/\/[\d.:]+)(?: \((.*)\))?\n/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve({
          url: found[1],
          adminUrl:
            /admin, sidecar and metrics on (http:\/\/[\d.:]+)/.exec(found[2] ?? '')?.[1] ?? null,
        });
      }
    };
    child.stdout?.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${output}`));
    });
  });
  let stopping: Promise<number | string> | null = null;
  return {
    child,
    pid: child.pid as number,
    ...started,
    exited,
    output: () => output,
    stop(signal = 'SIGTERM', withinMs = 30_000) {
      stopping ??= (async () => {
        child.kill(signal);
        const timer = new Promise<string>((resolve) =>
          setTimeout(() => resolve('still running'), withinMs).unref(),
        );
        const result = await Promise.race([exited, timer]);
        if (result !== 'still running') return result;
        child.kill('SIGKILL');
        return exited;
      })();
      return stopping;
    },
  };
}

export interface ServeWithConfig extends ServeProcess {
  folder: string;
  database: string;
  /** One API key's secret per account asked for. */
  keys: Record<string, string>;
  /** Stops the gateway if it runs, and removes its folder. */
  remove(): Promise<void>;
}

/** `serve` on a fresh store in a temporary folder, with `config` as its --config and one API key per account. */
export async function startServeWithConfig(
  config: unknown,
  accounts: string[] = ['acct-a'],
): Promise<ServeWithConfig> {
  const folder = temporaryDirectory('dg-edge-fault-');
  const database = join(folder, 'gateway.db');
  const keys: Record<string, string> = {};
  for (const account of accounts) {
    const created = await runCli([
      'keys',
      'create',
      '--account',
      account,
      '--db',
      database,
      '--json',
    ]);
    if (created.code !== 0) throw new Error(created.stderr);
    keys[account] = (JSON.parse(created.stdout) as { secret: string }).secret;
  }
  writeFileSync(join(folder, 'gateway.json'), JSON.stringify(config));
  const serve = await startServe(['--db', database, '--config', join(folder, 'gateway.json')]);
  return {
    ...serve,
    folder,
    database,
    keys,
    stop: (signal = 'SIGTERM', withinMs = 15_000) => serve.stop(signal, withinMs),
    async remove() {
      await serve.stop('SIGTERM', 15_000);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
