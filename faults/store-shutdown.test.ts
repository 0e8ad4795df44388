// M6 and H4's shutdown part: SIGTERM drains with a deadline (a stalled request does not hold the
// stop), answers on open connections carry `connection: close`, the stop reports what it stored,
// and a second signal exits at once saying what it drops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, Agent } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startFakeUpstream } from '../src/test-support/fake-openai-upstream.js';
import { temporaryDirectory } from '../src/test-support/paths.js';
import { adminToken, startStoreServe } from './support/store.js';

interface Answer {
  status: number;
  connection: string | undefined;
}

/** A chat request for `model` on `agent`; resolves with the status and the connection header, or the error. */
function chat(url: string, secret: string, model: string, agent: Agent): Promise<Answer | Error> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ model, messages: [{ role: 'user', content: `to ${model}` }] });
    const call = httpRequest(
      `${url}/v1/chat/completions`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${secret}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }),
        );
        response.on('error', resolve);
      },
    );
    call.on('error', resolve);
    call.end(body);
  });
}

async function gatewayWithThreeSpeeds(folder: string, db: string, drainMs: number) {
  const fast = await startFakeUpstream({ reply: 'fast' });
  const medium = await startFakeUpstream({ reply: 'medium', headDelayMs: 1_000 });
  const stalled = await startFakeUpstream({ reply: 'never', headDelayMs: 120_000 });
  const config = join(folder, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      upstreams: [
        { name: 'medium', url: medium.url, models: ['medium'] },
        { name: 'stalled', url: stalled.url, models: ['stalled'] },
        { name: 'fast', url: fast.url, models: ['*'] },
      ],
      shutdown: { drain_ms: drainMs },
    }),
  );
  const serve = await startStoreServe(['--db', db, '--config', config]);
  const created = await fetch(`${serve.url}/v1/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ account_id: 'acct-stop' }),
  });
  const { secret } = (await created.json()) as { secret: string };
  const close = async () => {
    if (serve.child.exitCode === null && serve.child.signalCode === null)
      serve.child.kill('SIGKILL');
    await Promise.all([fast.close(), medium.close(), stalled.close()]);
  };
  return { serve, secret, close };
}

test(
  'SIGTERM: a stalled request is cut at shutdown.drain_ms, a request in flight finishes with connection: close, every exchange is stored',
  { timeout: 90_000 },
  async () => {
    const folder = temporaryDirectory('dg-store-stop-');
    const db = join(folder, 'gateway.db');
    const { serve, secret, close } = await gatewayWithThreeSpeeds(folder, db, 2_000);
    try {
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      for (let index = 0; index < 5; index += 1)
        assert.deepEqual(await chat(serve.url, secret, 'fast', agent), {
          status: 200,
          connection: 'keep-alive',
        });
      const stalled = chat(serve.url, secret, 'stalled', agent);
      const inFlight = chat(serve.url, secret, 'medium', agent);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stoppedAt = Date.now();
      serve.child.kill('SIGTERM');
      const finished = await inFlight;
      assert.ok(!(finished instanceof Error), String(finished));
      assert.deepEqual(
        finished,
        { status: 200, connection: 'close' },
        'answered, and told to reconnect elsewhere',
      );
      assert.ok((await stalled) instanceof Error, 'the stalled request is cut at the deadline');
      const code = await serve.exited;
      const tookMs = Date.now() - stoppedAt;
      assert.equal(code, 0, serve.output());
      assert.ok(tookMs < 15_000, `stopped in ${tookMs} ms (deadline 2 s)`);
      assert.match(serve.output(), /the drain deadline passed: closing the connections still open/);
      assert.match(serve.output(), /stopped: every exchange was stored/);
      const database = new Database(db, { readonly: true });
      try {
        const stored = database
          .prepare('SELECT count(*) FROM interactions')
          .pluck()
          .get() as number;
        assert.ok(stored >= 6, `the fast and medium exchanges are stored (${stored})`);
        const status = database
          .prepare(
            "SELECT status, accepted FROM imports WHERE kind = 'interactions' ORDER BY id DESC LIMIT 1",
          )
          .get() as { status: string; accepted: number };
        assert.deepEqual(status, { status: 'complete', accepted: stored });
      } finally {
        database.close();
      }
      agent.destroy();
    } finally {
      await close();
    }
  },
);

test(
  'a second SIGTERM exits at once and says how many exchanges it leaves unstored',
  { timeout: 90_000 },
  async () => {
    const folder = temporaryDirectory('dg-store-stop-twice-');
    const db = join(folder, 'gateway.db');
    const { serve, secret, close } = await gatewayWithThreeSpeeds(folder, db, 60_000);
    try {
      const agent = new Agent({ keepAlive: true });
      const stalled = chat(serve.url, secret, 'stalled', agent);
      await new Promise((resolve) => setTimeout(resolve, 300));
      serve.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const againAt = Date.now();
      serve.child.kill('SIGTERM');
      const code = await serve.exited;
      assert.ok(Date.now() - againAt < 5_000, 'at once, not after the 60 s drain');
      assert.equal(code, 1);
      assert.match(
        serve.output(),
        /SIGTERM again: exiting now without draining; \d+ exchanges not yet stored/,
      );
      await stalled;
      agent.destroy();
    } finally {
      await close();
    }
  },
);
