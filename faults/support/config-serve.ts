// `distillguard serve` for the config-and-separation faults: started from the built CLI with the
// given arguments and environment; resolves with its public URL, its admin URL (--admin-port) and
// its output so far.
import { spawn, type ChildProcess } from 'node:child_process';
import { cliPath } from '../../src/test-support/paths.js';

export interface ServeProcess {
  server: ChildProcess;
  url: string;
  /** The admin listener, from the startup line; null when admin routes share the public port. */
  adminUrl: string | null;
  output: () => string;
  stop: () => Promise<number | null>;
}

export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const server = spawn(process.execPath, [cliPath, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = await new Promise<{ url: string; adminUrl: string | null }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 30 s: ${output}`)), 30_000);
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /gateway listening on (http:\/\/[\d.:]+) \((.*)\)\n/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve({ url: found[1], adminUrl: /admin, sidecar and metrics on (http:\/\/[\d.:]+)/.exec(found[2])?.[1] ?? null });
      }
    });
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${output}`));
    });
  });
  server.removeAllListeners('exit');
  const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
  return { server, ...started, output: () => output, stop: () => (server.kill('SIGTERM'), exited) };
}

/** A request with an optional bearer token; the JSON answer (or null) and status. */
export async function call(url: string, method: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}
