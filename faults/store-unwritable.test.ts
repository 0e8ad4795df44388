// M7: a store that cannot be written (read-only by `chattr +i`, full on a 3 MB tmpfs). Requests are
// still served; the queue stays within its bound and the overflow is counted; one log line when
// writes start failing and one when they recover; /health and /metrics count what waits; every
// queued exchange is written once the store is writable again; and a stop while it is still
// unwritable reports exactly what it could not store, which the next start writes from the spool.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { temporaryDirectory } from '../src/test-support/paths.js';
import {
  adminToken,
  interactionLine,
  postIngest,
  readHealth,
  startStoreServe,
  waitFor,
} from './support/store.js';
import type { ServeProcess } from './support/serve.js';

const queueBound = 100;

function count(db: string, sql: string): number {
  const database = new Database(db, { readonly: true });
  try {
    return database.prepare(sql).pluck().get() as number;
  } finally {
    database.close();
  }
}

async function droppedMetric(url: string, reason: string): Promise<number> {
  // metrics on the public port need a token with the read scope
  const text = await (
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })
  ).text();
  const found = new RegExp(
    `^distillguard_gateway_recorder_dropped_total\\{reason="${reason}"\\} (\\d+)`,
    'm',
  ).exec(text);
  return found ? Number(found[1]) : 0;
}

const occurrences = (text: string, pattern: RegExp) =>
  text.split('\n').filter((line) => pattern.test(line)).length;

function tryCommand(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function serveWithSmallQueue(folder: string, db: string): Promise<ServeProcess> {
  const config = join(folder, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({ recording: { max_queued_rows: queueBound }, shutdown: { drain_ms: 1_000 } }),
  );
  return startStoreServe(['--upstream', 'http://127.0.0.1:9/v1', '--db', db, '--config', config]);
}

/** Posts `total` sidecar records in posts of 25, `padding` characters of text each. */
async function post(url: string, prefix: string, total: number, padding = 0): Promise<void> {
  for (let start = 0; start < total; start += 25) {
    const lines = Array.from({ length: Math.min(25, total - start) }, (_, index) => {
      const record = JSON.parse(interactionLine(`${prefix}-${start + index}`)) as {
        response: { text: string };
      };
      record.response.text = 'x'.repeat(padding);
      return JSON.stringify(record);
    });
    const answer = await postIngest(url, lines);
    assert.equal(answer.status, 200, 'the sidecar still answers');
  }
}

/** `spoolKept`: whether the spool can still be written while the store cannot (not on a full disk). */
async function unwritableEpisode(
  context: TestContext,
  folder: string,
  db: string,
  block: () => void,
  unblock: () => void,
  padding: number,
  spoolKept: boolean,
): Promise<void> {
  const serve = await serveWithSmallQueue(folder, db);
  try {
    await post(serve.url, 'before', 10);
    assert.ok(await waitFor(() => count(db, 'SELECT count(*) FROM interactions') === 10));
    block();
    const offered = 400;
    await post(serve.url, 'during', offered, padding);
    // wait until the store has failed at least once, then let a few seconds of flushes and retries pass
    assert.ok(
      await waitFor(() => /the store cannot be written/.test(serve.output()), 20_000),
      serve.output(),
    );
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const health = await readHealth(serve.url);
    assert.ok(
      Number(health.queued) > 0 && Number(health.queued) <= queueBound,
      `queued ${String(health.queued)} within the bound ${queueBound}`,
    );
    if ('writable' in health) assert.equal(health.writable, false);
    const dropped = await droppedMetric(serve.url, 'queue_full');
    assert.ok(dropped > 0, 'the overflow is counted');
    assert.equal(
      occurrences(serve.output(), /the store cannot be written/),
      1,
      'one log line for the whole episode',
    );
    assert.ok(occurrences(serve.output(), /queue is full/) <= 1);
    const waiting = Number(health.queued);

    unblock();
    assert.ok(
      await waitFor(async () => Number((await readHealth(serve.url)).queued) === 0, 30_000),
      'the queue empties once writable',
    );
    // the log arrives on its own pipe: wait for it, then count
    assert.ok(
      await waitFor(() => /the store is writable again/.test(serve.output())),
      'a log line when it recovers',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(
      occurrences(serve.output(), /the store is writable again/),
      1,
      'one log line when it recovers',
    );
    const stored = count(db, "SELECT count(*) FROM interactions WHERE id LIKE 'during-%'");
    assert.equal(
      stored + dropped,
      offered,
      `every offered exchange is stored (${stored}) or counted as dropped (${dropped})`,
    );
    assert.ok(stored >= waiting, 'everything that waited in the queue was written');
    await post(serve.url, 'after', 10);
    assert.ok(
      await waitFor(
        () => count(db, "SELECT count(*) FROM interactions WHERE id LIKE 'after-%'") === 10,
      ),
      'and the gateway goes on storing',
    );

    // stopped while unwritable: the exact number it could not store, the import marked stopped
    block();
    await post(serve.url, 'stop', 30, padding);
    const code = await serve.stop('SIGTERM');
    assert.equal(code, 4, serve.output());
    const lost = Number(/stopped: (\d+) exchanges could not be stored/.exec(serve.output())?.[1]);
    assert.equal(
      lost,
      dropped + 30,
      `the stop reports the ${dropped} dropped and the 30 unstored: ${serve.output()}`,
    );
    if (spoolKept) assert.match(serve.output(), /30 unstored at the deadline, kept in .*\.spool/);
    else {
      assert.match(
        serve.output(),
        /30 unstored at the deadline and lost/,
        'on a full disk the spool could not keep them either, and the report says so',
      );
      // one line per episode: the outage before, and this one
      assert.equal(occurrences(serve.output(), /the spool cannot be written/), 2);
      assert.equal(occurrences(serve.output(), /the spool is writable again/), 1);
    }
    unblock();
    // the import cannot be marked in a store that cannot be written: the log says so
    assert.match(serve.output(), /the end of this run could not be recorded in the store/);
    assert.equal(
      count(db, "SELECT count(*) FROM imports WHERE kind = 'interactions' AND status = 'complete'"),
      0,
      'never marked complete',
    );
    // the next start writes what the spool kept
    const again = await serveWithSmallQueue(folder, db);
    if (spoolKept)
      assert.ok(
        await waitFor(
          () => count(db, "SELECT count(*) FROM interactions WHERE id LIKE 'stop-%'") === 30,
        ),
        again.output(),
      );
    assert.equal(await again.stop('SIGTERM'), 0, again.output());
  } catch (error) {
    writeFileSync(join(folder, 'serve-output.txt'), serve.output());
    context.diagnostic(join(folder, 'serve-output.txt'));
    throw error;
  } finally {
    unblock();
    if (serve.child.exitCode === null && serve.child.signalCode === null)
      serve.child.kill('SIGKILL');
  }
}

test(
  'a read-only store (chattr +i): bounded queue, one line per episode, recovery, an exact report at the stop',
  { timeout: 180_000 },
  async (context) => {
    const folder = temporaryDirectory('dg-store-readonly-');
    const db = join(folder, 'gateway.db');
    writeFileSync(join(folder, 'probe'), '');
    if (!tryCommand('chattr', ['+i', join(folder, 'probe')])) {
      context.skip('chattr +i is not permitted here (needs root on ext4/xfs)');
      return;
    }
    tryCommand('chattr', ['-i', join(folder, 'probe')]);
    // not the -shm: SQLite maps it, and a write to a mapped immutable page is SIGBUS, not an error
    const files = [db, `${db}-wal`];
    const block = () => {
      for (const file of files) if (existsSync(file)) execFileSync('chattr', ['+i', file]);
    };
    const unblock = () => {
      for (const file of files) if (existsSync(file)) tryCommand('chattr', ['-i', file]);
    };
    await unwritableEpisode(context, folder, db, block, unblock, 0, true);
  },
);

test(
  'a full store (3 MB tmpfs): bounded queue, one line per episode, recovery, an exact report at the stop',
  { timeout: 180_000 },
  async (context) => {
    const folder = temporaryDirectory('dg-store-full-');
    const mount = join(folder, 'small');
    mkdirSync(mount);
    if (!tryCommand('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount])) {
      context.skip('mounting a tmpfs is not permitted here (needs root)');
      return;
    }
    const db = join(mount, 'gateway.db');
    const filler = join(mount, 'filler');
    // fill what is left: the WAL then cannot grow (rows of 8 KB outgrow the space it already has)
    const block = () => {
      tryCommand('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k']);
    };
    const unblock = () => rmSync(filler, { force: true });
    try {
      await unwritableEpisode(context, folder, db, block, unblock, 8_000, false);
    } finally {
      tryCommand('umount', ['-l', mount]);
    }
  },
);
