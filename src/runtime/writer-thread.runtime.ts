// The gateway's write-thread policy applied through the store's writerThread hook, on a real store:
// needs Linux with util-linux chrt (and taskset for the starved core), so it runs in
// `npm run test:runtime`, not `npm test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../store/index.js';
import { setThreadPolicy, threadPolicies, type BackgroundPriority } from './background-priority.js';
import { gatewayWriterThread } from './gateway-runtime.js';
import { writerThreadPolicy, type WriterThreadPolicy } from './writer-priority.js';

const chrtInstalled =
  process.platform === 'linux' &&
  spawnSync('chrt', ['--version'], { stdio: 'ignore' }).status === 0;

/** One thread's scheduling policy (0 normal, 5 idle) and nice value, from Linux /proc. */
function policyOf(thread: number): { policy: number; nice: number } {
  const stat = readFileSync(`/proc/${process.pid}/task/${thread}/stat`, 'utf8');
  // fields after the command name (which may hold spaces): 41 is the policy, 19 the nice value
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { policy: Number(fields[38]), nice: Number(fields[16]) };
}

/** A store whose write thread gets `policy`; resolves once the policy is applied, with what it got and the thread's id. */
async function storeWith(path: string, policy: Omit<WriterThreadPolicy, 'onApplied'>) {
  let id: number | null = null;
  let applied!: (priority: BackgroundPriority) => void;
  const priority = new Promise<BackgroundPriority>((resolve) => {
    applied = resolve;
  });
  const hook = writerThreadPolicy({ ...policy, onApplied: (got) => applied(got) });
  const store = SqliteStore.open(path, {
    writerThread: {
      ...hook,
      started: (thread) => {
        id = thread.id;
        return hook.started(thread);
      },
    },
  });
  const got = await priority;
  return { store, priority: got, thread: id as number | null };
}

test(
  "the idle policy runs the store's write thread under SCHED_IDLE at its nice value, and the thread can be raised back",
  { skip: !chrtInstalled && 'needs Linux with util-linux chrt' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distillguard-writer-thread-'));
    const { store, priority, thread } = await storeWith(join(dir, 'store.db'), {
      nice: 10,
      idle: true,
    });
    try {
      assert.ok(thread !== null, 'the write thread should report its id');
      assert.equal(priority, 'idle');
      assert.deepEqual(policyOf(thread), { policy: 5, nice: 10 });
      assert.equal(policyOf(process.pid).policy, 0, "the caller's thread keeps the normal policy");
      assert.equal(
        threadPolicies(process.pid).filter((policy) => policy === 5).length,
        1,
        'only the write thread is idle',
      );
      assert.equal(await setThreadPolicy(thread, 'normal'), true);
      assert.deepEqual(
        policyOf(thread),
        { policy: 0, nice: 10 },
        'raised: normal policy, nice value kept',
      );
      assert.equal(await setThreadPolicy(thread, 'idle'), true);
      assert.deepEqual(policyOf(thread), { policy: 5, nice: 10 });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'without the idle policy the write thread gets its nice value and keeps the normal policy',
  { skip: process.platform !== 'linux' && 'needs Linux' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distillguard-writer-thread-'));
    const { store, priority } = await storeWith(join(dir, 'store.db'), { nice: 10, idle: false });
    try {
      assert.equal(priority, 'nice');
      assert.equal(threadPolicies(process.pid).filter((policy) => policy === 5).length, 0);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

// A child pinned, all its threads, to one core keeps that core busy from its main thread while it
// writes: the idle write thread gets almost nothing, the guard must raise it, and lower it again
// once the core is free and the backlog has cleared.
const starving = (storeUrl: string, policyUrl: string, path: string) => `
import { spawnSync } from 'node:child_process';
import { SqliteStore } from ${JSON.stringify(storeUrl)};
import { writerThreadPolicy } from ${JSON.stringify(policyUrl)};
const pinned = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' }).status === 0;
const events = [];
const store = SqliteStore.open(${JSON.stringify(path)}, {
  writerThread: writerThreadPolicy({
    nice: 10, idle: true, guard: { raiseAfterMs: 200, lowerAfterMs: 300 },
    onChange: (event) => events.push({ change: event.change, ok: event.ok, waited: event.waitedMs >= 200 }),
  }),
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

test(
  'the guard raises an idle write thread starved by a busy core, then lowers it once its backlog clears',
  {
    skip:
      (!chrtInstalled || spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status !== 0) &&
      'needs Linux with chrt and taskset',
  },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'distillguard-writer-thread-'));
    try {
      // a file, not --eval: the store's worker would inherit --input-type
      const program = join(dir, 'starve.mjs');
      writeFileSync(
        program,
        starving(
          new URL('../store/index.js', import.meta.url).href,
          new URL('./writer-priority.js', import.meta.url).href,
          join(dir, 'store.db'),
        ),
      );
      const child = spawnSync(process.execPath, [program], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(child.status, 0, child.stderr);
      const result = JSON.parse(child.stdout) as {
        pinned: boolean;
        events: { change: string; ok: boolean; waited: boolean }[];
        writes: number;
      };
      assert.equal(result.pinned, true);
      assert.deepEqual(result.events, [
        { change: 'raise', ok: true, waited: true },
        { change: 'lower', ok: true, waited: false },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "the gateway's write thread runs at nice 10 under SCHED_IDLE",
  { skip: !chrtInstalled && 'needs Linux with util-linux chrt' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distillguard-writer-thread-'));
    let thread: number | null = null;
    const hook = gatewayWriterThread(() => null);
    const store = SqliteStore.open(join(dir, 'store.db'), {
      writerThread: {
        ...hook,
        started: (running) => {
          thread = running.id;
          return hook.started(running);
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
      assert.ok(thread !== null);
      const id: number = thread;
      // chrt runs without blocking the store's thread: wait for it, within 10 s
      for (let tries = 0; policyOf(id).policy !== 5 && tries < 200; tries += 1)
        await new Promise((done) => setTimeout(done, 50));
      assert.deepEqual(policyOf(id), { policy: 5, nice: 10 });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
