import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite-store.js';
import type { WriterThread } from './writer-thread.js';

test('the writerThread hook is told the running write thread and its oldest waiting write, and stopped when the store closes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'distillguard-writer-thread-hook-'));
  let thread: WriterThread | null = null;
  let stops = 0;
  const store = SqliteStore.open(join(dir, 'store.db'), {
    writerThread: {
      resourceLimits: { maxYoungGenerationSizeMb: 6 },
      started: (running) => {
        thread = running;
        return () => {
          stops += 1;
        };
      },
    },
  });
  try {
    const importId = await store.beginImport('interactions', {
      kind: 'file',
      path: null,
      size: null,
      modifiedMs: null,
    });
    await store.writeRejections(importId, []);
    const running = thread as WriterThread | null;
    assert.ok(running, 'told before the first write is answered');
    if (process.platform === 'linux')
      assert.ok(
        Number.isInteger(running.id) && running.id !== process.pid,
        `a kernel thread id of its own (${running.id})`,
      );
    assert.equal(running.oldestWaitMs(), 0, 'nothing waiting');
    const written = store.writeRejections(importId, [
      { line: 1, field: 'f', reason: 'r', text: 'x' },
    ]);
    // the answer cannot arrive while this thread is busy
    const busyUntil = performance.now() + 20;
    while (performance.now() < busyUntil) {
      /* wait */
    }
    assert.ok(
      running.oldestWaitMs() >= 20,
      `the unanswered write's age (${running.oldestWaitMs()} ms)`,
    );
    await written;
    assert.equal(running.oldestWaitMs(), 0);
    assert.equal(stops, 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(stops, 1, 'what started returned is called once the thread exits');
});
