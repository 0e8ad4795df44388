// For the detector's fault tests: `distillguard serve` (support/serve.ts) with an admin token, its
// live detector found in /proc, JSON requests to it, and records that detection flags.
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'undici';
import type { Interaction } from '../../src/core/index.js';
import { chat, freshContent } from '../../src/test-support/interactions.js';
import { startServe, type ServeProcess } from './serve.js';

export const adminToken = 'admin-token-for-detector-faults';

/** `serve --port 0 ARGS` with the admin token; `onSpawn` runs at once (before it listens). */
export function startDetectorServe(
  args: string[],
  onSpawn?: (pid: number) => void,
): Promise<ServeProcess> {
  return startServe(args, { env: { DISTILLGUARD_ADMIN_TOKEN: adminToken }, onSpawn });
}

/** The pids of the live detector processes whose parent is `parentPid` (from /proc). */
export function detectorPids(parentPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== parentPid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('detector-process.js'))
        pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Polls `condition` every 25 ms until it holds; fails after `withinMs`. */
export async function until<T>(
  what: string,
  condition: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  withinMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface JsonAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, any>;
}

/** A JSON request to the gateway, with the admin token unless `token` is null. */
export async function call(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  token: string | null = adminToken,
  headersTimeout = 15_000,
): Promise<JsonAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await request(`${url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headersTimeout,
    bodyTimeout: headersTimeout,
  });
  const text = await response.body.text();
  let parsed: Record<string, any> = {};
  try {
    parsed = JSON.parse(text) as Record<string, any>;
  } catch {
    parsed = { text };
  }
  return { status: response.statusCode, headers: response.headers, body: parsed };
}

/** One chat request through the gateway as `secret`'s account; the status it got. */
export async function chatThrough(url: string, secret: string, text: string): Promise<number> {
  const response = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: text }] }),
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  await response.body.text();
  return response.statusCode;
}

/** 40 requests in the harvesting shape from one account: live detection flags it (extraction, risk above 0.99: block). */
export function harvesterRecords(account: string): Interaction[] {
  const start = Date.now() - 3 * 3_600_000;
  return Array.from({ length: 40 }, (_, index) =>
    chat({
      account,
      ts: start + index * 20_000,
      ip: `100.${index % 50}.${(index * 7) % 30}.${index % 200}`,
      maxTokens: 8192,
      text: `You are an expert software engineer. Solve the task below. Before writing any code, think through the problem step by step and write out your complete reasoning.\n\nTask:\nWrite a function that ${freshContent(index)}`,
    }),
  );
}
