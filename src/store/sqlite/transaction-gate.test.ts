import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { SqliteStore } from './sqlite-store.js';

const user = (name: string) => ({
  name,
  role: 'analyst',
  tokenHash: `hash-${name}`,
  createdAt: '2026-12-07T00:00:00.000Z',
  createdBy: 'setup',
  disabledAt: null,
});

async function withStore(work: (store: SqliteStore) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'dg-gate-'));
  const store = SqliteStore.open(join(folder, 'g.db'));
  try {
    await work(store);
  } finally {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

test('transactions started at once run one after another, each seeing what the one before committed', async () => {
  await withStore(async (store) => {
    const designation = store.designation;
    // each transaction reads the count, yields, and writes the next name: interleaved, two would
    // read the same count and the second insert of that name would be refused
    const runs = Array.from({ length: 8 }, () =>
      designation.atomically(async () => {
        const count = (await designation.listUsers()).length;
        await new Promise<void>((resolve) => queueMicrotask(resolve));
        assert.ok(await designation.addUser(user(`user-${count}`)), `user-${count} is new`);
        return count;
      }),
    );
    assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal((await designation.listUsers()).length, 8);
  });
});

test('a call from outside waits while a transaction is open, and is not rolled back with it', async () => {
  await withStore(async (store) => {
    const designation = store.designation;
    let outsideDone = false;
    // another request, started outside the transaction, writes while it is open
    let release = () => {};
    const started = new Promise<void>((resolve) => (release = resolve));
    const outside = started.then(() =>
      designation.addUser(user('outside')).then((added) => {
        outsideDone = true;
        return added;
      }),
    );
    await assert.rejects(
      designation.atomically(async () => {
        await designation.addUser(user('inside'));
        release();
        for (let turn = 0; turn < 20; turn += 1) await Promise.resolve();
        assert.equal(outsideDone, false, 'the outside write waits for the transaction');
        throw new Error('the case change fails');
      }),
      /the case change fails/,
    );
    assert.equal(await outside, true);
    const names = (await designation.listUsers()).map((row) => row.name);
    assert.deepEqual(names, ['outside'], 'the inside write is rolled back, the outside one is not');
  });
});

test('a transaction inside a transaction joins it; a snapshot reads one consistent state', async () => {
  await withStore(async (store) => {
    const designation = store.designation;
    await assert.rejects(
      designation.atomically(async () => {
        await designation.atomically(() => designation.addUser(user('nested')));
        throw new Error('outer fails');
      }),
      /outer fails/,
    );
    assert.equal(
      await designation.findUser('nested'),
      null,
      'the nested write went with the outer',
    );
    await designation.addUser(user('a'));
    let write = () => {};
    const writeAsked = new Promise<void>((resolve) => (write = resolve));
    const writing = writeAsked.then(() => designation.addUser(user('b')));
    const seen = await designation.snapshot(async () => {
      const before = (await designation.listUsers()).length;
      write();
      for (let turn = 0; turn < 20; turn += 1) await Promise.resolve();
      const after = (await designation.listUsers()).length;
      return { before, after };
    });
    assert.equal(seen.before, seen.after, 'no write lands inside the snapshot');
    assert.equal(await writing, true);
    assert.equal((await designation.listUsers()).length, 2);
  });
});
