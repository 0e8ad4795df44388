// Starts the built `distillguard serve` for the store's fault tests, with an admin token, and
// stops it by signal: its output, its exit, and helpers to post records and read /health.
import { spawn, type ChildProcess } from 'node:child_process';
import { cliPath } from '../../src/test-support/paths.js';

export const adminToken = 'store-faults-admin-token-0123456789';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** Sends `signal` and waits (at most `withinMs`) for the exit. */
  stop(signal?: NodeJS.Signals, withinMs?: number): Promise<number | string>;
}

/** `distillguard serve --port 0 ARGS`, resolved once it listens (within 30 s). */
export async function startServe(args: string[], environment: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISTILLGUARD_ADMIN_TOKEN: adminToken, ...environment },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not listen within 30 s: ${output}`)), 30_000);
    const look = () => {
      const found = /gateway listening on (http:\/\/\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout?.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${output}`));
    });
  });
  return {
    child, url, exited, output: () => output,
    async stop(signal = 'SIGTERM', withinMs = 30_000) {
      child.kill(signal);
      const timer = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), withinMs).unref());
      const result = await Promise.race([exited, timer]);
      if (result === 'still running') child.kill('SIGKILL');
      return result;
    },
  };
}

/** POST JSON Lines to the sidecar's /v1/ingest. */
export async function postIngest(url: string, lines: string[]): Promise<{ status: number; body: { accepted: number; rejected: { line: number; field: string; reason: string }[] } }> {
  const response = await fetch(`${url}/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/x-ndjson' }, body: `${lines.join('\n')}\n` });
  return { status: response.status, body: (await response.json()) as { accepted: number; rejected: { line: number; field: string; reason: string }[] } };
}

/** The public /health answer (status, reasons) with the admin report's store section (queued, in flight, writable, dropped). */
export async function readHealth(url: string): Promise<Record<string, unknown>> {
  const publicAnswer = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
  const report = (await (await fetch(`${url}/v1/admin/health`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { store?: Record<string, unknown> };
  return { ...publicAnswer, ...report.store };
}

/** Polls `check` every 100 ms until it returns true or `withinMs` passes; returns its last answer. */
export async function waitFor(check: () => boolean | Promise<boolean>, withinMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One interaction record as a sidecar would post it. */
export function interactionLine(id: string, ts = new Date().toISOString(), account = 'acct-sidecar'): string {
  return JSON.stringify({ id, ts, account_id: account, api: 'openai.chat', model: 'm', request: { messages: [{ role: 'user', content: `question ${id}` }] }, response: { status: 200, text: 'answer' } });
}
