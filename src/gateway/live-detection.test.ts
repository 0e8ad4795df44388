// The live detector under supervision, against a real store: killed, it is restarted with backoff
// while the last assessment stays in use (stale); a stored row it cannot parse is skipped once and
// reported, and the tail moves on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../store/index.js';
import { chat } from '../test-support/interactions.js';
import { InteractionRecorder } from './interaction-recorder.js';
import { LiveDetection } from './live-detection.js';

async function until(what: string, condition: () => boolean, withinMs = 20_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function recordingLog() {
  const lines: { level: string; details: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (details: object, message: string) =>
    void lines.push({ level, details: details as Record<string, unknown>, message });
  return { lines, log: { error: at('error'), warn: at('warn'), info: at('info') } };
}

async function storeWith(count: number) {
  const folder = mkdtempSync(join(tmpdir(), 'dg-live-detection-'));
  const databasePath = join(folder, 'gateway.db');
  const store = SqliteStore.open(databasePath);
  const recorder = new InteractionRecorder(
    store,
    await store.beginImport('interactions', {
      kind: 'gateway',
      path: null,
      size: null,
      modifiedMs: null,
    }),
  );
  const add = async (n: number) => {
    for (let index = 0; index < n; index += 1) {
      const record = chat({
        account: `acct-${index % 3}`,
        ts: Date.now(),
        text: `question ${index}`,
      });
      recorder.add(record, Date.parse(record.ts));
    }
    await recorder.drain();
  };
  await add(count);
  return {
    databasePath,
    store,
    add,
    async close() {
      await recorder.close();
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

test(
  'a killed detector is logged with its cause and restarted; meanwhile the last assessment stays in use, stale, and assessNow answers 503 at once',
  { timeout: 60_000 },
  async () => {
    const stored = await storeWith(5);
    const { lines, log } = recordingLog();
    const detection = new LiveDetection({
      databasePath: stored.databasePath,
      log,
      storedThrough: () => stored.store.lastInteractionSeq(),
      restart: { firstDelayMs: 300 },
    });
    try {
      const first = await detection.assessNow(await stored.store.lastInteractionSeq());
      assert.equal(first.interactions, 5);
      assert.equal(detection.isStale(Date.now()), false);
      process.kill(detection.pid as number, 'SIGKILL');
      await until('the exit', () => detection.health().state === 'down');
      assert.equal(detection.assessment, first, 'the last assessment stays in use');
      assert.equal(detection.isStale(Date.now()), true);
      await assert.rejects(
        detection.assessNow(await stored.store.lastInteractionSeq()),
        (error: Error & { status?: number }) =>
          error.status === 503 && /restarting.*SIGKILL/.test(error.message),
      );
      const exit = lines.find((line) => line.level === 'error');
      assert.match(exit?.message ?? '', /exited \(signal SIGKILL\); it restarts in 300 ms/);
      await until('the restart', () => detection.health().state === 'up');
      assert.equal(detection.health().restarts, 1);
      assert.equal(detection.isStale(Date.now()), false);
      // the restarted detector read the store again (warm start), and folds in what comes next
      await stored.add(1);
      const after = await detection.assessNow(await stored.store.lastInteractionSeq());
      assert.equal(after.interactions, 6);
    } finally {
      await detection.close();
      await stored.close();
    }
  },
);

test(
  'a stored row that is not JSON is skipped once and reported; the tail moves on, and assessNow answers',
  { timeout: 60_000 },
  async () => {
    const stored = await storeWith(2);
    // another connection writes a row whose raw is not JSON between the good ones
    const other = new Database(stored.databasePath);
    other
      .prepare(
        `INSERT INTO interactions (id, ts_ms, account_id, api, model, import_id, source_id, line, byte_offset, byte_length, raw)
                 SELECT 'poison', ts_ms, account_id, api, model, import_id, source_id, 0, 0, 0, 'X{not json' FROM interactions LIMIT 1`,
      )
      .run();
    other.close();
    await stored.add(2);
    const { lines, log } = recordingLog();
    const detection = new LiveDetection({
      databasePath: stored.databasePath,
      log,
      storedThrough: () => stored.store.lastInteractionSeq(),
    });
    try {
      const assessment = await detection.assessNow(await stored.store.lastInteractionSeq(), 10_000);
      assert.equal(assessment.interactions, 4);
      await until('the status', () => detection.health().skippedRows === 1, 5_000);
      const skipped = lines.filter((line) => /skipped stored interaction 3/.test(line.message));
      assert.equal(skipped.length, 1);
      assert.match(skipped[0].message, /JSON/);
    } finally {
      await detection.close();
      await stored.close();
    }
  },
);
