// For the store's fault tests: `distillguard serve` (support/serve.ts) with an admin token, and
// helpers to post records to the sidecar and read /health.
import { startServe, type ServeProcess } from './serve.js';

export const adminToken = 'store-faults-admin-token-0123456789';

/** `distillguard serve --port 0 ARGS` with the admin token and `environment`. */
export function startStoreServe(
  args: string[],
  environment: Record<string, string> = {},
): Promise<ServeProcess> {
  return startServe(args, { env: { DISTILLGUARD_ADMIN_TOKEN: adminToken, ...environment } });
}

/** POST JSON Lines to the sidecar's /v1/ingest. */
export async function postIngest(
  url: string,
  lines: string[],
): Promise<{
  status: number;
  body: { accepted: number; rejected: { line: number; field: string; reason: string }[] };
}> {
  const response = await fetch(`${url}/v1/ingest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/x-ndjson' },
    body: `${lines.join('\n')}\n`,
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      accepted: number;
      rejected: { line: number; field: string; reason: string }[];
    },
  };
}

/** The public /health answer (status, reasons) with the admin report's store section (queued, in flight, writable, dropped). */
export async function readHealth(url: string): Promise<Record<string, unknown>> {
  const publicAnswer = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
  const report = (await (
    await fetch(`${url}/v1/admin/health`, { headers: { authorization: `Bearer ${adminToken}` } })
  ).json()) as { store?: Record<string, unknown> };
  return { ...publicAnswer, ...report.store };
}

/** Polls `check` every 100 ms until it returns true or `withinMs` passes; returns its last answer. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  withinMs = 10_000,
): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One interaction record as a sidecar would post it. */
export function interactionLine(
  id: string,
  ts = new Date().toISOString(),
  account = 'acct-sidecar',
): string {
  return JSON.stringify({
    id,
    ts,
    account_id: account,
    api: 'openai.chat',
    model: 'm',
    request: { messages: [{ role: 'user', content: `question ${id}` }] },
    response: { status: 200, text: 'answer' },
  });
}
