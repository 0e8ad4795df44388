import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setThreadPolicy, threadPolicies } from '../../core/background-priority.js';
import { SqliteStore } from './sqlite-store.js';
import { WriterPriorityGuard } from './writer-priority.js';

const chrtInstalled = process.platform === 'linux' && spawnSync('chrt', ['--version'], { stdio: 'ignore' }).status === 0;

test('the guard raises the write thread once a write has waited past the limit, and lowers it after the backlog stays clear', () => {
  const guard = new WriterPriorityGuard({ raiseAfterMs: 1_000, lowerAfterMs: 5_000 });
  assert.equal(guard.check(0, 0), null);
  assert.equal(guard.check(999, 250), null, 'a write younger than the limit leaves the thread idle');
  assert.equal(guard.check(1_000, 500), 'raise');
  assert.equal(guard.isRaised, true);
  assert.equal(guard.check(1_500, 750), null, 'raised once, not again');
  // clear (no write older than a tenth of the limit) for less than lowerAfterMs: stays raised
  assert.equal(guard.check(50, 1_000), null);
  assert.equal(guard.check(0, 5_999), null);
  // a write waiting again resets the clear stretch
  assert.equal(guard.check(400, 6_000), null);
  assert.equal(guard.check(0, 6_250), null);
  assert.equal(guard.check(0, 11_249), null);
  assert.equal(guard.check(0, 11_250), 'lower');
  assert.equal(guard.isRaised, false);
  assert.equal(guard.check(2_000, 11_500), 'raise', 'it can be raised again');
});

test('a change that could not be made leaves the guard where the thread is', () => {
  const guard = new WriterPriorityGuard({ raiseAfterMs: 100, lowerAfterMs: 100 });
  assert.equal(guard.check(100, 0), 'raise');
  guard.failed('raise');
  assert.equal(guard.isRaised, false);
  assert.equal(guard.check(100, 1), 'raise');
  assert.equal(guard.check(0, 2), null);
  assert.equal(guard.check(0, 102), 'lower');
  guard.failed('lower');
  assert.equal(guard.isRaised, true);
});

test('a store opened with writerIdle runs its write thread under SCHED_IDLE at its nice value, and the thread can be raised back', { skip: !chrtInstalled && 'needs Linux with util-linux chrt' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'distillguard-writer-priority-'));
  const store = SqliteStore.open(join(dir, 'store.db'), { writerNice: 10, writerIdle: true });
  try {
    // the worker announces itself before it answers any write
    const importId = await store.beginImport('interactions', { kind: 'file', path: null, size: null, modifiedMs: null });
    await store.writeRejections(importId, []);
    const writer = store.writerThread;
    assert.ok(writer && writer.thread !== null, 'the write thread should report its id');
    assert.equal(writer.priority, 'idle');
    const policyOf = (thread: number) => {
      const stat = readFileSync(`/proc/${process.pid}/task/${thread}/stat`, 'utf8').slice(0);
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { policy: Number(fields[38]), nice: Number(fields[16]) };
    };
    assert.deepEqual(policyOf(writer.thread), { policy: 5, nice: 10 });
    assert.equal(policyOf(process.pid).policy, 0, 'the caller\'s thread keeps the normal policy');
    assert.equal(threadPolicies(process.pid).filter((policy) => policy === 5).length, 1, 'only the write thread is idle');
    assert.equal(await setThreadPolicy(writer.thread, 'normal'), true);
    assert.deepEqual(policyOf(writer.thread), { policy: 0, nice: 10 }, 'raised: normal policy, nice value kept');
    assert.equal(await setThreadPolicy(writer.thread, 'idle'), true);
    assert.deepEqual(policyOf(writer.thread), { policy: 5, nice: 10 });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without writerIdle the write thread keeps the normal policy', { skip: process.platform !== 'linux' && 'needs Linux' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'distillguard-writer-priority-'));
  const store = SqliteStore.open(join(dir, 'store.db'), { writerNice: 10 });
  try {
    const importId = await store.beginImport('interactions', { kind: 'file', path: null, size: null, modifiedMs: null });
    await store.writeRejections(importId, []);
    assert.equal(store.writerThread?.priority, 'nice');
    assert.equal(threadPolicies(process.pid).filter((policy) => policy === 5).length, 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// A child pinned, all its threads, to one core keeps that core busy from its main thread while it
// writes: the idle write thread gets almost nothing, the guard must raise it, and lower it again
// once the core is free and the backlog has cleared.
const starving = (storeUrl: string, path: string) => `
import { spawnSync } from 'node:child_process';
import { SqliteStore } from ${JSON.stringify(storeUrl)};
const pinned = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' }).status === 0;
const events = [];
const store = SqliteStore.open(${JSON.stringify(path)}, {
  writerNice: 10, writerIdle: true, writerGuard: { raiseAfterMs: 200, lowerAfterMs: 300 },
  onWriterPriority: (event) => events.push({ change: event.change, ok: event.ok, waited: event.waitedMs >= 200 }),
});
const importId = await store.beginImport('interactions', { kind: 'file', path: null, size: null, modifiedMs: null });
await store.writeRejections(importId, []);
const rows = Array.from({ length: 200 }, (_, line) => ({ line, field: 'f', reason: 'r', text: 'x'.repeat(500) }));
const writes = [];
const busyUntil = performance.now() + 3000;
await new Promise((done) => {
  const spin = () => {
    const until = performance.now() + 20;
    while (performance.now() < until) { /* the core stays busy */ }
    if (writes.length < 50) writes.push(store.writeRejections(importId, rows.map((row) => ({ ...row, line: row.line + writes.length * 1000 }))));
    if (performance.now() < busyUntil && !events.some((event) => event.change === 'raise')) setImmediate(spin);
    else done();
  };
  spin();
});
await Promise.all(writes);
const deadline = performance.now() + 5000;
while (!events.some((event) => event.change === 'lower') && performance.now() < deadline) await new Promise((done) => setTimeout(done, 50));
await store.close();
process.stdout.write(JSON.stringify({ pinned, events, writes: writes.length }));
`;

test('the guard raises an idle write thread starved by a busy core, then lowers it once its backlog clears', { skip: (!chrtInstalled || spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status !== 0) && 'needs Linux with chrt and taskset' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'distillguard-writer-priority-'));
  try {
    // a file, not --eval: the store's worker would inherit --input-type
    const program = join(dir, 'starve.mjs');
    writeFileSync(program, starving(new URL('./sqlite-store.js', import.meta.url).href, join(dir, 'store.db')));
    const child = spawnSync(process.execPath, [program], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, child.stderr);
    const result = JSON.parse(child.stdout) as { pinned: boolean; events: { change: string; ok: boolean; waited: boolean }[]; writes: number };
    assert.equal(result.pinned, true);
    assert.deepEqual(result.events, [{ change: 'raise', ok: true, waited: true }, { change: 'lower', ok: true, waited: false }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
