// The write thread is supervised: when it dies, every write waiting on it settles (failed), later
// writes fail fast instead of hanging, a new thread is started, and close never hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { chat } from '../../test-support/interactions.js';
import { temporaryDirectory } from '../../test-support/paths.js';
import { toInteractionRow } from '../../ingest/index.js';
import { SqliteStore } from './sqlite-store.js';

const rows = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => {
    const record = chat({
      account: 'acct',
      ts: Date.UTC(2026, 1, 2) + from + index,
      text: `q ${from + index}`,
    });
    return toInteractionRow(record, from + index + 1, 0, 0, JSON.stringify(record));
  });
const settles = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then(
      () => 'resolved',
      () => 'rejected',
    ),
    new Promise((resolve) => setTimeout(() => resolve('unsettled'), ms).unref()),
  ]);

test(
  'a write thread that exits: pending and later writes settle, it is restarted, writes succeed again, close returns',
  { timeout: 60_000 },
  async () => {
    const exits: number[] = [];
    const store = SqliteStore.open(join(temporaryDirectory(), 'store.db'), {
      onWriterExit: (_error, restartInMs) => exits.push(restartInMs),
    });
    const worker = () => (store as unknown as { worker: Worker }).worker;
    try {
      const importId = await store.beginImport('interactions', {
        kind: 'gateway',
        path: null,
        size: null,
        modifiedMs: null,
      });
      await store.writeInteractions(importId, rows(0, 5));
      // exit with nothing pending (the case that used to leave later writes unsettled forever)
      const first = worker();
      await first.terminate();
      assert.equal(
        await settles(store.writeInteractions(importId, rows(5, 5)), 5_000),
        'rejected',
        'a write while it is down fails at once',
      );
      // exit with writes pending
      const deadline = Date.now() + 10_000;
      while (worker() === first && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.notEqual(worker(), first, 'a new write thread was started');
      const pending = Array.from({ length: 20 }, (_, index) =>
        store.writeInteractions(importId, rows(100 + index * 10, 10)),
      );
      void worker().terminate();
      for (const write of pending) assert.notEqual(await settles(write, 5_000), 'unsettled');
      assert.deepEqual(exits.length, 2);
      assert.ok(exits[1] > exits[0], 'restarts back off');
      let written = false;
      const last = rows(1000, 3);
      while (!written && Date.now() < deadline + 10_000) {
        written = await store.writeInteractions(importId, last).then(
          () => true,
          () => false,
        );
        if (!written) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(written, 'writes succeed on the restarted thread');
      assert.ok(store.hasInteraction(last[0].id));
    } finally {
      assert.equal(await settles(store.close(), 10_000), 'resolved');
    }
  },
);
