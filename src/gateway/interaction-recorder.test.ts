// The recorder against a store that fails, refuses rows or never answers: bounded memory, one log
// line per episode, truthful health, recovery, and the spool replayed after a kill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import type { InteractionRow, RejectedLineRow, Store } from '../store/index.js';
import { chat } from '../test-support/interactions.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { InteractionRecorder, type DropReason, type RecorderLog } from './interaction-recorder.js';

/** A store whose interaction writes fail while `failing`, hang while `hanging`, and refuse ids in `refuse`. */
function fakeStore() {
  const state = {
    failing: false,
    hanging: false,
    refuse: new Set<string>(),
    stored: [] as InteractionRow[],
    rejected: [] as RejectedLineRow[],
    attempts: 0,
  };
  const store = {
    async writeInteractions(_importId: number, rows: InteractionRow[]): Promise<Uint8Array> {
      state.attempts += 1;
      if (state.hanging) return new Promise<Uint8Array>(() => undefined);
      if (state.failing) throw new Error('database or disk is full');
      const flags = new Uint8Array(rows.length);
      rows.forEach((row, index) => {
        if (state.refuse.has(row.id)) flags[index] = 2;
        else {
          flags[index] = 1;
          state.stored.push(row);
        }
      });
      return flags;
    },
    async writeRejections(_importId: number, rows: RejectedLineRow[]): Promise<void> {
      state.rejected.push(...rows);
    },
  } as unknown as Store;
  return { store, state };
}

function recordingLog() {
  const lines: { level: string; message: string }[] = [];
  const log: RecorderLog = {
    error: (_fields, message) => lines.push({ level: 'error', message }),
    warn: (_fields, message) => lines.push({ level: 'warn', message }),
    info: (_fields, message) => lines.push({ level: 'info', message }),
  };
  return { log, lines };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const record = (index: number) =>
  chat({
    account: `acct-${index % 3}`,
    ts: Date.UTC(2026, 1, 2) + index,
    text: `question ${index}`,
  });

test('a store that cannot be written: bounded queue, newest dropped and counted, one log line each way, truthful health, all queued rows written on recovery', async () => {
  const { store, state } = fakeStore();
  const { log, lines } = recordingLog();
  const drops: [number, DropReason][] = [];
  state.failing = true;
  const recorder = new InteractionRecorder(store, 1, {
    flushEveryMs: 5,
    batchSize: 8,
    maxQueuedRows: 50,
    retryFirstMs: 10,
    retryMaxMs: 40,
    log,
    onDropped: (rows, reason) => drops.push([rows, reason]),
  });
  for (let index = 0; index < 120; index += 1)
    recorder.add(record(index), Date.UTC(2026, 1, 2) + index);
  await sleep(400);
  const failing = recorder.health();
  assert.equal(failing.writable, false);
  assert.match(failing.reason ?? '', /disk is full/);
  assert.equal(failing.queued + failing.inFlight, 50, 'the queue holds at most its bound');
  assert.equal(failing.dropped, 70);
  assert.deepEqual(
    drops.reduce((sum, [rows]) => sum + rows, 0),
    70,
  );
  assert.ok(drops.every(([, reason]) => reason === 'queue_full'));
  assert.ok(
    state.attempts >= 3 && state.attempts < 40,
    `retried with backoff, not every flush (${state.attempts} attempts in 400 ms)`,
  );
  assert.deepEqual(
    lines.map((line) => line.level),
    ['error', 'error'],
    'one line for the failing store, one for the full queue',
  );

  state.failing = false;
  const deadline = Date.now() + 5_000;
  while (state.stored.length < 50 && Date.now() < deadline) await sleep(10);
  assert.equal(state.stored.length, 50, 'every queued row is written once the store is writable');
  assert.deepEqual(
    state.stored.map((row) => row.line),
    Array.from({ length: 50 }, (_, index) => index + 1),
    'in order, oldest first',
  );
  const recovered = recorder.health();
  assert.equal(recovered.writable, true);
  assert.equal(recovered.reason, null);
  assert.equal(recovered.queued + recovered.inFlight, 0);
  assert.equal(
    lines.filter((line) => line.level === 'info').length,
    1,
    'one line when it recovers',
  );
  assert.match(lines[2].message, /writable again/);
  const report = await recorder.close(1_000);
  assert.deepEqual([report.recorded, report.dropped, report.unstored], [50, 70, 0]);
});

test('retries of one batch are capped: after the last one it is dropped and counted, and the next batch goes on', async () => {
  const { store, state } = fakeStore();
  const drops: DropReason[] = [];
  state.failing = true;
  const recorder = new InteractionRecorder(store, 1, {
    flushEveryMs: 2,
    batchSize: 4,
    retryFirstMs: 1,
    retryMaxMs: 2,
    retryAttempts: 3,
    onDropped: (_rows, reason) => drops.push(reason),
  });
  for (let index = 0; index < 4; index += 1) recorder.add(record(index), 0);
  const deadline = Date.now() + 5_000;
  while (recorder.health().dropped < 4 && Date.now() < deadline) await sleep(5);
  assert.equal(recorder.health().dropped, 4);
  assert.deepEqual(drops, ['retries_exhausted']);
  state.failing = false;
  recorder.add(record(9), 0);
  assert.equal(await recorder.drain(2_000), 0);
  assert.equal(state.stored.length, 1);
  await recorder.close(100);
});

test('rows the store refuses are counted as rejected, the rest stored; edge rejections reach rejected_lines with their own line', async () => {
  const { store, state } = fakeStore();
  const rejected: number[] = [];
  const recorder = new InteractionRecorder(store, 1, { onRejected: (rows) => rejected.push(rows) });
  const records = [record(1), record(2), record(3)];
  state.refuse.add(records[1].id);
  for (const item of records) recorder.add(item, 0);
  recorder.reject({
    field: 'ts',
    reason: 'is not a time DistillGuard can store',
    text: '{"id":"x"}',
  });
  assert.equal(await recorder.drain(2_000), 0);
  assert.deepEqual(
    state.stored.map((row) => row.id),
    [records[0].id, records[2].id],
  );
  assert.deepEqual(rejected, [1]);
  assert.deepEqual(
    state.rejected.map((row) => [row.line, row.field]),
    [[4, 'ts']],
  );
  const report = await recorder.close(100);
  assert.deepEqual([report.recorded, report.rejected], [2, 2]);
});

test('a write that never answers: drain and close end at their deadline and count the rows unstored', async () => {
  const { store, state } = fakeStore();
  state.hanging = true;
  const recorder = new InteractionRecorder(store, 1, { flushEveryMs: 5 });
  for (let index = 0; index < 10; index += 1) recorder.add(record(index), 0);
  const started = Date.now();
  assert.equal(await recorder.drain(200), 10);
  const report = await recorder.close(200);
  assert.ok(Date.now() - started < 3_000);
  assert.equal(report.unstored, 10);
  assert.equal(
    recorder.health().inFlight,
    10,
    'the batch posted to the write thread is counted in flight',
  );
});

test("the spool: a killed recorder's exchanges are replayed by the next one, skipping those already stored, and it is emptied once all are stored", async () => {
  const folder = temporaryDirectory('dg-spool-');
  const spoolPath = join(folder, 'gateway.db.spool');
  const first = fakeStore();
  first.state.hanging = true; // the write thread never got to them: only the spool has them
  const killed = new InteractionRecorder(first.store, 1, { flushEveryMs: 5, spoolPath });
  const records = Array.from({ length: 6 }, (_, index) => record(index));
  records[2] = {
    ...records[2],
    request: JSON.parse('{"pretty": [1,\n 2]}') as Record<string, unknown>,
  };
  for (const item of records) killed.add(item, Date.parse(item.ts), JSON.stringify(item, null, 2));
  // the spool is written on libuv's thread pool: a flush or two, longer on a busy machine
  const spooledLines = () =>
    existsSync(spoolPath)
      ? readFileSync(spoolPath, 'utf8')
          .split('\n')
          .filter((line) => line.length > 0)
      : [];
  for (let waited = 0; spooledLines().length < 6 && waited < 5_000; waited += 10) await sleep(10);
  assert.equal(spooledLines().length, 6, 'one line per exchange');
  // torn write at the kill: half a line at the end
  const { appendFileSync } = await import('node:fs');
  appendFileSync(spoolPath, '1767225600000\t{"id":"torn');

  const second = fakeStore();
  const { log, lines } = recordingLog();
  const stored = new Set([records[0].id, records[1].id]);
  const restarted = new InteractionRecorder(second.store, 2, {
    flushEveryMs: 5,
    spoolPath,
    alreadyStored: (id) => stored.has(id),
    log,
  });
  assert.equal(await restarted.drain(2_000), 0);
  assert.deepEqual(
    second.state.stored.map((row) => row.id),
    records.slice(2).map((item) => item.id),
  );
  assert.equal(second.state.stored[0].tsMs, Date.parse(records[2].ts));
  assert.ok(second.state.stored.every((row) => !row.raw?.includes('\n')));
  assert.match(lines[0].message, /spool replayed/);
  restarted.add(record(7), 0);
  await restarted.close(1_000);
  assert.equal(readFileSync(spoolPath, 'utf8'), '', 'emptied once everything in it is stored');
  await killed.close(10);
});
