// The designation and dashboard parts of the store's port, held against both adapters: users, the
// transparency log (consecutive indexes, none taken twice, also when several processes append at
// once), cases and their history committing with their log entry or not at all, and the dashboard's
// findings, audits and its reads of the traffic (buckets, order and paging the same in both).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type TestContext } from 'node:test';
import type {
  AccountFindingRow,
  AccountRow,
  AuditRunRow,
  CaseRow,
  InteractionRow,
  Store,
  UserRow,
} from '../index.js';
import { testPostgresUrl } from '../../test-support/engines.js';
import { temporaryDirectory } from '../../test-support/paths.js';
import { openTestStore, storeKinds, type TestStore } from '../../test-support/stores.js';

const hourMs = 3_600_000;
const day = Date.UTC(2026, 1, 2);
const gatewaySource = { kind: 'gateway', path: null, size: null, modifiedMs: null } as const;

function interaction(
  id: string,
  tsMs: number,
  accountId: string,
  fields: Partial<InteractionRow> = {},
): InteractionRow {
  return {
    id,
    tsMs,
    accountId,
    keyId: null,
    api: 'openai.chat',
    model: 'm-1',
    clientIp: '203.0.113.7',
    clientAsn: 64500,
    clientCountry: 'NL',
    userAgent: 'test',
    status: 200,
    inputTokens: 10,
    outputTokens: 20,
    latencyMs: 12.5,
    line: 1,
    byteOffset: 0,
    byteLength: 0,
    ...fields,
    raw: JSON.stringify({
      id,
      ts: new Date(tsMs).toISOString(),
      account_id: accountId,
      request: { messages: [{ role: 'user', content: `question ${id}` }] },
    }),
  };
}

/** Writes interactions through the port, one batch after another (arrival order = batch order). */
async function writeTraffic(store: Store, ...batches: InteractionRow[][]): Promise<void> {
  const importId = await store.beginImport('interactions', gatewaySource);
  let line = 0;
  for (const batch of batches)
    await store.writeInteractions(
      importId,
      batch.map((row) => ({ ...row, line: (line += 1) })),
    );
}

/**
 * The traffic of the dashboard tests, over three days (so three partitions in PostgreSQL):
 * a2 and a3 share a time (a3 arrives later), a4 is the next day, b1 the day before.
 */
const traffic = {
  c1: interaction('c1', day + hourMs / 4, 'acct-c'),
  c2: interaction('c2', day + hourMs / 4, 'acct-c', { model: 'm-0' }),
  a1: interaction('a1', day + hourMs / 2, 'acct-a', { inputTokens: null }),
  a2: interaction('a2', day + 1.2 * hourMs, 'acct-a', {
    model: 'm-2',
    clientIp: '203.0.113.8',
    outputTokens: 5,
  }),
  a3: interaction('a3', day + 1.2 * hourMs, 'acct-a'),
  a4: interaction('a4', day + 26 * hourMs, 'acct-a', { clientIp: null, inputTokens: 7 }),
  b1: interaction('b1', day - 24 * hourMs, 'acct-b', { model: 'm-2', clientIp: '203.0.113.9' }),
  b2: interaction('b2', day + 3 * hourMs, 'acct-b', { model: 'm-3', clientIp: '198.51.100.1' }),
};

async function writeDashboardTraffic(store: Store): Promise<void> {
  const { a1, a2, a3, a4, b1, b2, c1, c2 } = traffic;
  await writeTraffic(store, [c1, a1, a2, b1], [b2, a4, c2], [a3]);
}

/** Requests per bucket as a reader would count them (buckets floored; times from `fromMs` on). */
function counted(times: number[], fromMs: number, bucketMs: number) {
  const byBucket = new Map<number, number>();
  for (const ts of times.filter((ts) => ts >= fromMs)) {
    const bucket = Math.floor(ts / bucketMs) * bucketMs;
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + 1);
  }
  return [...byBucket]
    .sort((a, b) => a[0] - b[0])
    .map(([bucketMs, requests]) => ({ bucketMs, requests }));
}

const user = (name: string, createdAt: string, role = 'analyst'): UserRow => ({
  name,
  role,
  tokenHash: `hash-${name}`,
  createdAt,
  createdBy: 'admin',
  disabledAt: null,
});

const caseRow = (caseId: string, openedAt: string, campaignId = 'camp-1'): CaseRow => ({
  caseId,
  campaignId,
  state: 'opened',
  openedBy: 'ana',
  openedAt,
  updatedAt: openedAt,
  expiresAt: null,
  snapshot: JSON.stringify({ accounts: ['acct-a'], risk: 0.9 }),
});

const leafOf = (entry: Buffer): Buffer =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.from([0]), entry]))
    .digest();

/** Runs `work` on a fresh store of `kind`, closing it after (skipped where PostgreSQL is absent). */
function contract(
  kind: (typeof storeKinds)[number],
  name: string,
  work: (store: Store, opened: TestStore, t: TestContext) => Promise<void>,
): void {
  test(`${kind}: ${name}`, async (t) => {
    const opened = await openTestStore(t, kind);
    if (!opened) return;
    try {
      await work(opened.store, opened, t);
    } finally {
      await opened.close();
    }
  });
}

/** The script a second process runs: opens the same store and takes case numbers and log indexes. */
const appenderScript = `
const [modulePath, kind, where, schema, name, count] = process.argv.slice(2);
const { SqliteStore, openPgStore } = await import(modulePath);
const store = kind === 'sqlite'
  ? SqliteStore.open(where)
  : await openPgStore({ url: where, schema, poolSize: 2 });
try {
  // every process starts appending when told to, so that their transactions overlap
  process.stdout.write('ready');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  for (let index = 0; index < Number(count); index += 1)
    await store.designation.atomically(async () => {
      const number = await store.designation.nextCaseNumber();
      const at = new Date().toISOString();
      await store.designation.addCase({ caseId: 'case-' + number, campaignId: name, state: 'opened',
        openedBy: name, openedAt: at, updatedAt: at, expiresAt: null, snapshot: '{}' });
      await store.designation.appendLogEntry(Buffer.from(name + '-' + index), Buffer.alloc(32, index));
    });
} finally {
  await store.close();
}
`;

/** A second process running the appender: `ready` once it has opened the store, `go` to start it. */
function startAppender(args: string[]): { ready: Promise<void>; done: Promise<void>; go(): void } {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`appender exited ${code}: ${errors}`)),
    );
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    done.then(() => reject(new Error('appender ended before it was ready')), reject);
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

for (const kind of storeKinds) {
  contract(
    kind,
    'users: added once per name and token, found by either, listed by creation time then name, disabled once',
    async (store) => {
      const designation = store.designation;
      const zoe = user('zoe', '2026-02-01T10:00:00.000Z', 'admin');
      const ana = user('ana', '2026-02-01T11:00:00.000Z');
      const bob = user('bob', '2026-02-01T10:00:00.000Z', 'viewer');
      assert.equal(await designation.addUser(ana), true);
      assert.equal(await designation.addUser(zoe), true);
      assert.equal(await designation.addUser(bob), true);
      assert.equal(await designation.addUser({ ...ana, role: 'admin' }), false, 'a name taken');
      assert.equal(
        await designation.addUser({
          ...user('eve', '2026-02-01T12:00:00.000Z'),
          tokenHash: ana.tokenHash,
        }),
        false,
        'a token hash taken',
      );
      assert.deepEqual(await designation.findUser('ana'), ana);
      assert.equal(await designation.findUser('eve'), null);
      assert.deepEqual(await designation.findUserByTokenHash('hash-zoe'), zoe);
      assert.equal(await designation.findUserByTokenHash('hash-nobody'), null);
      assert.deepEqual(
        (await designation.listUsers()).map((row) => row.name),
        ['bob', 'zoe', 'ana'],
      );
      assert.equal(await designation.disableUser('bob', '2026-02-02T00:00:00.000Z'), true);
      assert.equal(
        await designation.disableUser('bob', '2026-02-03T00:00:00.000Z'),
        false,
        'already disabled',
      );
      assert.equal(await designation.disableUser('nobody', '2026-02-03T00:00:00.000Z'), false);
      assert.deepEqual(await designation.findUser('bob'), {
        ...bob,
        disabledAt: '2026-02-02T00:00:00.000Z',
      });
    },
  );

  contract(
    kind,
    'the log: concurrent appends take consecutive indexes once each, read back by range, leaf hashes in order, checkpoints kept once per size',
    async (store) => {
      const designation = store.designation;
      assert.equal(await designation.logSize(), 0);
      assert.deepEqual(await designation.readLogEntries(), []);
      assert.equal(await designation.latestCheckpoint(), null);
      const entries = Array.from({ length: 10 }, (_, index) => Buffer.from(`entry ${index}`));
      const indexes = await Promise.all(
        entries.map((entry) => designation.appendLogEntry(entry, leafOf(entry))),
      );
      assert.deepEqual(
        [...indexes].sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        'no index taken twice',
      );
      assert.equal(await designation.logSize(), 10);
      const stored = await designation.readLogEntries();
      assert.deepEqual(
        stored.map((row) => row.index),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      // each entry lies at the index its append returned, with its own leaf hash
      entries.forEach((entry, position) => {
        const row = stored[indexes[position]];
        assert.deepEqual(row.entry, entry);
        assert.deepEqual(row.leafHash, leafOf(entry));
      });
      assert.deepEqual(
        (await designation.readLogEntries(2, 5)).map((row) => row.index),
        [2, 3, 4],
      );
      assert.deepEqual(
        (await designation.readLogEntries(8)).map((row) => row.index),
        [8, 9],
      );
      assert.deepEqual(await designation.readLogEntries(10, 20), []);
      assert.deepEqual(
        await designation.readLeafHashes(),
        stored.map((row) => row.leafHash),
      );

      await designation.saveCheckpoint({
        treeSize: 4,
        note: 'four',
        createdAt: '2026-02-02T00:00:00.000Z',
      });
      await designation.saveCheckpoint({
        treeSize: 10,
        note: 'ten',
        createdAt: '2026-02-02T01:00:00.000Z',
      });
      await designation.saveCheckpoint({
        treeSize: 4,
        note: 'four again',
        createdAt: '2026-02-02T02:00:00.000Z',
      });
      assert.deepEqual(await designation.latestCheckpoint(), {
        treeSize: 10,
        note: 'ten',
        createdAt: '2026-02-02T01:00:00.000Z',
      });
      assert.deepEqual(await designation.listCheckpoints(), [
        { treeSize: 4, note: 'four', createdAt: '2026-02-02T00:00:00.000Z' },
        { treeSize: 10, note: 'ten', createdAt: '2026-02-02T01:00:00.000Z' },
      ]);
    },
  );

  contract(
    kind,
    'several processes opening cases and appending at once take each case number and each log index once',
    async (store, opened, t) => {
      const folder = temporaryDirectory();
      t.after(() => rmSync(folder, { recursive: true, force: true }));
      const script = join(folder, 'appender.mjs');
      writeFileSync(script, appenderScript);
      const modulePath = new URL('../index.js', import.meta.url).href;
      const where = kind === 'sqlite' ? (store as Store & { path: string }).path : testPostgresUrl;
      const schema =
        kind === 'sqlite'
          ? ''
          : (store as Store & { database: { schema: string } }).database.schema;
      const perProcess = 10;
      const names = ['one', 'two', 'three'];
      const appenders = names.map((name) =>
        startAppender([script, modulePath, kind, where, schema, name, String(perProcess)]),
      );
      const other = await opened.reopen();
      await Promise.all(appenders.map((appender) => appender.ready));
      for (const appender of appenders) appender.go();
      await Promise.all([
        ...appenders.map((appender) => appender.done),
        // and this process meanwhile, on a second connection of its own
        (async () => {
          for (let index = 0; index < perProcess; index += 1)
            await other.designation.appendLogEntry(Buffer.from(`here-${index}`), Buffer.alloc(32));
        })(),
      ]);
      const total = perProcess * (names.length + 1);
      assert.equal(await store.designation.logSize(), total);
      const entries = await store.designation.readLogEntries();
      assert.deepEqual(
        entries.map((row) => row.index),
        Array.from({ length: total }, (_, index) => index),
      );
      assert.equal(
        new Set(entries.map((row) => row.entry.toString())).size,
        total,
        'every append stored once',
      );
      const cases = await store.designation.listCases();
      assert.equal(cases.length, perProcess * names.length);
      assert.deepEqual(
        cases.map((row) => Number(row.caseId.slice('case-'.length))).sort((a, b) => a - b),
        Array.from({ length: cases.length }, (_, index) => index + 1),
        'every case number taken once',
      );
      assert.equal(await store.designation.nextCaseNumber(), cases.length + 1);
    },
  );

  contract(
    kind,
    'concurrent case openings in one process take numbers 1..n, and a change with its log entry commits whole or not at all',
    async (store) => {
      const designation = store.designation;
      assert.equal(await designation.nextCaseNumber(), 1);
      const opened = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          designation.atomically(async () => {
            const caseId = `case-${await designation.nextCaseNumber()}`;
            await designation.addCase(caseRow(caseId, `2026-02-02T00:00:0${index}.000Z`));
            const logIndex = await designation.appendLogEntry(
              Buffer.from(caseId),
              leafOf(Buffer.from(caseId)),
            );
            return { caseId, logIndex };
          }),
        ),
      );
      assert.deepEqual(opened.map((row) => row.caseId).sort(), [
        'case-1',
        'case-2',
        'case-3',
        'case-4',
        'case-5',
        'case-6',
        'case-7',
        'case-8',
      ]);
      // each case's entry is the one appended in its own transaction
      for (const { caseId, logIndex } of opened)
        assert.equal(
          (await designation.readLogEntries(logIndex, logIndex + 1))[0].entry.toString(),
          caseId,
        );

      // a thrown error rolls the case, its change and its log entry back together
      await assert.rejects(
        designation.atomically(async () => {
          await designation.addCase(caseRow('case-9', '2026-02-03T00:00:00.000Z'));
          await designation.updateCase('case-1', {
            state: 'designated',
            updatedAt: '2026-02-03T00:00:00.000Z',
          });
          await designation.appendLogEntry(Buffer.from('lost'), leafOf(Buffer.from('lost')));
          throw new Error('stop');
        }),
        /stop/,
      );
      assert.equal(await designation.findCase('case-9'), null);
      assert.equal((await designation.findCase('case-1'))?.state, 'opened');
      assert.equal(await designation.logSize(), 8);
      assert.equal(await designation.nextCaseNumber(), 9);
      // a statement the store refuses (a case id taken) rolls the entry appended before it back too
      await assert.rejects(
        designation.atomically(async () => {
          await designation.appendLogEntry(Buffer.from('dup'), leafOf(Buffer.from('dup')));
          await designation.addCase(caseRow('case-1', '2026-02-03T00:00:00.000Z'));
        }),
      );
      assert.equal(await designation.logSize(), 8);
      // and without an error, it commits, returning what the work returned
      assert.equal(
        await designation.atomically(async () => {
          await designation.updateCase('case-2', {
            state: 'designated',
            updatedAt: '2026-02-04T00:00:00.000Z',
          });
          return designation.appendLogEntry(Buffer.from('kept'), leafOf(Buffer.from('kept')));
        }),
        8,
      );
      assert.equal((await designation.findCase('case-2'))?.state, 'designated');
    },
  );

  contract(
    kind,
    'a snapshot reads one consistent state while another connection appends',
    async (store, opened) => {
      const designation = store.designation;
      await designation.appendLogEntry(Buffer.from('first'), leafOf(Buffer.from('first')));
      const other = await opened.reopen();
      const seen = await designation.snapshot(async () => {
        const before = await designation.logSize();
        await other.designation.appendLogEntry(
          Buffer.from('second'),
          leafOf(Buffer.from('second')),
        );
        return {
          before,
          after: await designation.logSize(),
          entries: (await designation.readLogEntries()).length,
        };
      });
      assert.deepEqual(seen, { before: 1, after: 1, entries: 1 });
      assert.equal(await designation.logSize(), 2);
    },
  );

  contract(
    kind,
    'cases: found by id, listed by opening time then id, updated with or without their expiry, with events and attachments in order',
    async (store) => {
      const designation = store.designation;
      await designation.addCase(caseRow('case-2', '2026-02-02T10:00:00.000Z', 'camp-2'));
      await designation.addCase(caseRow('case-1', '2026-02-02T11:00:00.000Z'));
      await designation.addCase(caseRow('case-10', '2026-02-02T10:00:00.000Z', 'camp-3'));
      await assert.rejects(designation.addCase(caseRow('case-1', '2026-02-02T12:00:00.000Z')));
      assert.equal(await designation.nextCaseNumber(), 4);
      assert.deepEqual(
        await designation.findCase('case-1'),
        caseRow('case-1', '2026-02-02T11:00:00.000Z'),
      );
      assert.equal(await designation.findCase('case-99'), null);
      assert.deepEqual(
        (await designation.listCases()).map((row) => row.caseId),
        ['case-10', 'case-2', 'case-1'],
      );

      await designation.updateCase('case-1', {
        state: 'designated',
        updatedAt: '2026-02-03T00:00:00.000Z',
        expiresAt: '2026-05-03T00:00:00.000Z',
      });
      await designation.updateCase('case-1', {
        state: 'appealed',
        updatedAt: '2026-02-04T00:00:00.000Z',
      });
      assert.deepEqual(await designation.findCase('case-1'), {
        ...caseRow('case-1', '2026-02-02T11:00:00.000Z'),
        state: 'appealed',
        updatedAt: '2026-02-04T00:00:00.000Z',
        expiresAt: '2026-05-03T00:00:00.000Z',
      });
      await designation.updateCase('case-1', {
        state: 'revoked',
        updatedAt: '2026-02-05T00:00:00.000Z',
        expiresAt: null,
      });
      assert.equal((await designation.findCase('case-1'))?.expiresAt, null);
      await designation.updateCase('case-99', {
        state: 'revoked',
        updatedAt: '2026-02-05T00:00:00.000Z',
      });
      assert.equal(await designation.findCase('case-99'), null);

      const event = (kind: string, at: string, logIndex: number | null) => ({
        caseId: 'case-1',
        kind,
        actor: 'ana',
        role: 'analyst',
        at,
        fromState: kind === 'opened' ? null : 'opened',
        toState: kind === 'refused' ? null : 'designated',
        reason: kind === 'refused' ? 'not allowed' : null,
        detail: JSON.stringify({ kind }),
        logIndex,
      });
      const first = await designation.addCaseEvent(event('opened', '2026-02-02T11:00:00.000Z', 0));
      await designation.addCaseEvent({
        ...event('note', '2026-02-02T09:00:00.000Z', 1),
        caseId: 'case-2',
      });
      const second = await designation.addCaseEvent(
        event('refused', '2026-02-02T10:00:00.000Z', null),
      );
      const third = await designation.addCaseEvent(
        event('transition', '2026-02-03T00:00:00.000Z', 2),
      );
      assert.ok(first < second && second < third, 'event numbers rise');
      const events = await designation.readCaseEvents('case-1');
      assert.deepEqual(
        events.map((row) => row.seq),
        [first, second, third],
        'in the order they were added, whatever their time',
      );
      assert.deepEqual(
        events.map(({ seq: _seq, ...rest }) => rest),
        [
          event('opened', '2026-02-02T11:00:00.000Z', 0),
          event('refused', '2026-02-02T10:00:00.000Z', null),
          event('transition', '2026-02-03T00:00:00.000Z', 2),
        ],
      );
      assert.deepEqual(await designation.readCaseEvents('case-99'), []);

      const attachment = (sha256: string, addedAt: string, content: string) => ({
        sha256,
        caseId: 'case-1',
        kind: 'note',
        name: `${sha256}.txt`,
        content: Buffer.from(content),
        addedBy: 'ana',
        addedAt,
        logIndex: 3,
      });
      assert.equal(
        await designation.addAttachment(attachment('bb', '2026-02-03T00:00:00.000Z', 'one')),
        true,
      );
      assert.equal(
        await designation.addAttachment(attachment('aa', '2026-02-03T00:00:00.000Z', 'two')),
        true,
      );
      assert.equal(
        await designation.addAttachment(attachment('cc', '2026-02-02T00:00:00.000Z', 'three')),
        true,
      );
      assert.equal(
        await designation.addAttachment(attachment('bb', '2026-02-04T00:00:00.000Z', 'other')),
        false,
        'the same content twice on one case',
      );
      assert.equal(
        await designation.addAttachment({
          ...attachment('bb', '2026-02-04T00:00:00.000Z', 'one'),
          caseId: 'case-2',
        }),
        true,
        'the same content on another case',
      );
      assert.deepEqual(await designation.readAttachments('case-1'), [
        attachment('cc', '2026-02-02T00:00:00.000Z', 'three'),
        attachment('aa', '2026-02-03T00:00:00.000Z', 'two'),
        attachment('bb', '2026-02-03T00:00:00.000Z', 'one'),
      ]);
      assert.deepEqual(await designation.readAttachments('case-99'), []);
    },
  );

  contract(
    kind,
    "the designation's traffic reads: requests per bucket, addresses per account, each account's first ids, when each model was first seen",
    async (store) => {
      const designation = store.designation;
      assert.deepEqual(await designation.trafficOf(['acct-a'], hourMs), []);
      await writeDashboardTraffic(store);
      assert.deepEqual(await designation.trafficOf([], hourMs), []);
      assert.deepEqual(await designation.trafficOf(['acct-a', 'acct-b', 'acct-zz'], hourMs), [
        { bucketMs: day - 24 * hourMs, requests: 1 },
        { bucketMs: day, requests: 1 },
        { bucketMs: day + hourMs, requests: 2 },
        { bucketMs: day + 3 * hourMs, requests: 1 },
        { bucketMs: day + 26 * hourMs, requests: 1 },
      ]);
      assert.deepEqual(await designation.trafficOf(['acct-a'], 24 * hourMs), [
        { bucketMs: day, requests: 3 },
        { bucketMs: day + 24 * hourMs, requests: 1 },
      ]);

      assert.deepEqual(await designation.addressesByAccount([]), []);
      assert.deepEqual(await designation.addressesByAccount(['acct-b', 'acct-a']), [
        { accountId: 'acct-a', address: '203.0.113.7', requests: 2 },
        { accountId: 'acct-a', address: '203.0.113.8', requests: 1 },
        { accountId: 'acct-b', address: '198.51.100.1', requests: 1 },
        { accountId: 'acct-b', address: '203.0.113.9', requests: 1 },
      ]);

      assert.deepEqual(await designation.interactionIdsOf([], 2), []);
      assert.deepEqual(
        await designation.interactionIdsOf(['acct-b', 'acct-a', 'acct-a', 'acct-zz'], 2),
        [
          { accountId: 'acct-a', id: 'a1' },
          { accountId: 'acct-a', id: 'a2' },
          { accountId: 'acct-b', id: 'b1' },
          { accountId: 'acct-b', id: 'b2' },
        ],
      );
      assert.deepEqual(
        (await designation.interactionIdsOf(['acct-a'], 10)).map((row) => row.id),
        ['a1', 'a2', 'a3', 'a4'],
        'oldest first; of two at one time, the first to arrive',
      );
      assert.deepEqual(await designation.interactionIdsOf(['acct-a'], 0), []);

      assert.deepEqual(await designation.modelsFirstSeen([]), []);
      // m-2 was used by acct-b a day before acct-a; m-1 by acct-c before acct-a
      assert.deepEqual(await designation.modelsFirstSeen(['acct-a']), [
        { model: 'm-2', firstMs: day - 24 * hourMs, requests: 1 },
        { model: 'm-1', firstMs: day + hourMs / 4, requests: 3 },
      ]);
      assert.deepEqual(await designation.modelsFirstSeen(['acct-b', 'acct-c']), [
        { model: 'm-2', firstMs: day - 24 * hourMs, requests: 1 },
        // first seen at one time: by name
        { model: 'm-0', firstMs: day + hourMs / 4, requests: 1 },
        { model: 'm-1', firstMs: day + hourMs / 4, requests: 1 },
        { model: 'm-3', firstMs: day + 3 * hourMs, requests: 1 },
      ]);
    },
  );

  contract(
    kind,
    'account findings: replaced whole (or not at all), read riskiest first, filtered, paged and counted by verdict',
    async (store) => {
      const dashboard = store.dashboard;
      const finding = (
        accountId: string,
        verdict: string,
        risk: number,
        campaignId: string | null,
      ): AccountFindingRow => ({
        accountId,
        analysedAt: '2026-02-03T00:00:00.000Z',
        verdict,
        risk,
        campaignId,
        reasons: JSON.stringify([{ signal: 'volume', detail: accountId }]),
      });
      assert.equal(await dashboard.readAccountFinding('acct-a'), null);
      assert.deepEqual(await dashboard.readAccountFindings(), []);
      assert.deepEqual(await dashboard.verdictCounts(), {});
      const findings = [
        finding('acct-b', 'review', 0.5, 'camp-1'),
        finding('acct-d', 'benchmark', 0.25, 'camp-2'),
        finding('acct-c', 'extraction', 0.875, null),
        finding('acct-a', 'extraction', 0.875, 'camp-1'),
      ];
      await dashboard.replaceAccountFindings(findings);
      assert.deepEqual(await dashboard.readAccountFinding('acct-c'), findings[2]);
      assert.equal(await dashboard.readAccountFinding('acct-z'), null);
      const ids = (rows: AccountFindingRow[]) => rows.map((row) => row.accountId);
      assert.deepEqual(await dashboard.readAccountFindings(), [
        findings[3],
        findings[2],
        findings[0],
        findings[1],
      ]);
      assert.deepEqual(ids(await dashboard.readAccountFindings({ verdict: 'extraction' })), [
        'acct-a',
        'acct-c',
      ]);
      assert.deepEqual(ids(await dashboard.readAccountFindings({ campaignId: 'camp-1' })), [
        'acct-a',
        'acct-b',
      ]);
      assert.deepEqual(
        ids(await dashboard.readAccountFindings({ verdict: 'extraction', campaignId: 'camp-1' })),
        ['acct-a'],
      );
      assert.deepEqual(ids(await dashboard.readAccountFindings({ verdict: 'none' })), []);

      const page = await dashboard.accountFindingsPage({}, { offset: 1, limit: 2 });
      assert.equal(page.total, 4);
      assert.deepEqual(ids(page.rows), ['acct-c', 'acct-b']);
      const filtered = await dashboard.accountFindingsPage(
        { campaignId: 'camp-1' },
        { offset: 0, limit: 1 },
      );
      assert.deepEqual(
        { total: filtered.total, rows: ids(filtered.rows) },
        { total: 2, rows: ['acct-a'] },
      );
      const beyond = await dashboard.accountFindingsPage(
        { verdict: 'extraction' },
        { offset: 5, limit: 10 },
      );
      assert.deepEqual({ total: beyond.total, rows: beyond.rows }, { total: 2, rows: [] });
      assert.deepEqual(await dashboard.verdictCounts(), { extraction: 2, review: 1, benchmark: 1 });

      // an analysis whose findings cannot all be stored leaves the previous ones
      await assert.rejects(
        dashboard.replaceAccountFindings([
          finding('acct-e', 'review', 0.5, null),
          finding('acct-e', 'review', 0.5, null),
        ]),
      );
      assert.deepEqual(ids(await dashboard.readAccountFindings()), [
        'acct-a',
        'acct-c',
        'acct-b',
        'acct-d',
      ]);
      await dashboard.replaceAccountFindings([finding('acct-e', 'review', 0.5, null)]);
      assert.deepEqual(ids(await dashboard.readAccountFindings()), ['acct-e']);
      assert.deepEqual(await dashboard.verdictCounts(), { review: 1 });
      await dashboard.replaceAccountFindings([]);
      assert.deepEqual(await dashboard.readAccountFindings(), []);
    },
  );

  contract(
    kind,
    "accounts and decisions: stored accounts of a list, each account's newest decision, what changed and which action applies to how many",
    async (store) => {
      const dashboard = store.dashboard;
      assert.deepEqual(await dashboard.accountsOf([]), []);
      assert.deepEqual(await dashboard.decisionsMark(), { count: 0, newest: '' });
      assert.deepEqual(await dashboard.accountsByAction(), {});
      const account = (accountId: string, country: string): AccountRow => ({
        accountId,
        createdAtMs: day,
        verification: 'email',
        orgId: null,
        emailDomain: 'example.org',
        paymentFingerprint: null,
        country,
        signupIp: '192.0.2.1',
        record: JSON.stringify({ account_id: accountId, country }),
      });
      const importId = await store.beginImport('accounts', gatewaySource);
      await store.writeAccounts(importId, [
        account('acct-b', 'DE'),
        account('acct-a', 'NL'),
        account('acct-c', 'FR'),
      ]);
      assert.deepEqual(await dashboard.accountsOf(['acct-c', 'acct-zz', 'acct-a']), [
        account('acct-a', 'NL'),
        account('acct-c', 'FR'),
      ]);

      const decision = (ts: string, accountId: string, action: string) => ({
        ts,
        accountId,
        campaignId: 'camp-1',
        action,
        verdict: 'extraction',
        risk: 0.75,
        reason: `${action} ${accountId}`,
      });
      await store.writeDecisions([
        decision('2026-02-02T00:00:00.000Z', 'acct-a', 'allow'),
        decision('2026-02-02T01:00:00.000Z', 'acct-b', 'block'),
        decision('2026-02-02T02:00:00.000Z', 'acct-c', 'throttle'),
      ]);
      await store.writeDecisions([decision('2026-02-02T03:00:00.000Z', 'acct-a', 'block')]);
      assert.deepEqual(await dashboard.latestDecisionsOf([]), []);
      assert.deepEqual(await dashboard.latestDecisionsOf(['acct-a', 'acct-b', 'acct-zz']), [
        decision('2026-02-02T01:00:00.000Z', 'acct-b', 'block'),
        decision('2026-02-02T03:00:00.000Z', 'acct-a', 'block'),
      ]);
      assert.deepEqual(await dashboard.decisionsMark(), {
        count: 4,
        newest: '2026-02-02T03:00:00.000Z',
      });
      assert.deepEqual(await dashboard.accountsByAction(), { block: 2, throttle: 1 });
    },
  );

  contract(
    kind,
    'traffic reads: per bucket from a time on, per account, newest time, per-account figures, models, exchanges paged newest first, the account of an id',
    async (store) => {
      const dashboard = store.dashboard;
      assert.equal(await dashboard.newestInteractionMs(), 0);
      assert.deepEqual(await dashboard.trafficSince(0, hourMs), []);
      assert.deepEqual(await dashboard.exchangesOf('acct-a', { limit: 10 }), []);
      await writeDashboardTraffic(store);
      const { a1, a2, a3, a4, b1, b2 } = traffic;
      const times = Object.values(traffic).map((row) => row.tsMs);

      // a start inside an hour: that hour counts only what comes at or after it
      assert.deepEqual(await dashboard.trafficSince(day + hourMs + 1, hourMs), [
        { bucketMs: day + hourMs, requests: 2 },
        { bucketMs: day + 3 * hourMs, requests: 1 },
        { bucketMs: day + 26 * hourMs, requests: 1 },
      ]);
      assert.deepEqual(await dashboard.trafficSince(day + 1.2 * hourMs + 1, hourMs), [
        { bucketMs: day + 3 * hourMs, requests: 1 },
        { bucketMs: day + 26 * hourMs, requests: 1 },
      ]);
      assert.deepEqual(await dashboard.trafficSince(0, hourMs), counted(times, 0, hourMs));
      assert.equal((await dashboard.trafficSince(0, hourMs)).length, 5);
      // seconds over three days: too many buckets to count one range at a time in SQLite
      assert.deepEqual(await dashboard.trafficSince(0, 1_000), counted(times, 0, 1_000));
      assert.deepEqual(await dashboard.trafficSince(day + 30 * hourMs, hourMs), []);

      assert.deepEqual(await dashboard.trafficOfAccount('acct-a', hourMs), [
        { bucketMs: day, requests: 1 },
        { bucketMs: day + hourMs, requests: 2 },
        { bucketMs: day + 26 * hourMs, requests: 1 },
      ]);
      assert.deepEqual(await dashboard.trafficOfAccount('acct-zz', hourMs), []);
      assert.equal(await dashboard.newestInteractionMs(), day + 26 * hourMs);

      assert.deepEqual(await dashboard.accountTraffic([]), []);
      assert.deepEqual(await dashboard.accountTraffic(['acct-b', 'acct-zz', 'acct-a']), [
        { accountId: 'acct-a', requests: 4, firstMs: a1.tsMs, lastMs: a4.tsMs },
        { accountId: 'acct-b', requests: 2, firstMs: b1.tsMs, lastMs: b2.tsMs },
      ]);

      assert.deepEqual(await dashboard.modelsOfAccount('acct-a'), [
        // a1's input tokens are unknown: left out of the sum
        { model: 'm-1', requests: 3, inputTokens: 17, outputTokens: 60 },
        { model: 'm-2', requests: 1, inputTokens: 10, outputTokens: 5 },
      ]);
      // used as often: SQLite gives them by name, descending
      assert.deepEqual(await dashboard.modelsOfAccount('acct-b'), [
        { model: 'm-3', requests: 1, inputTokens: 10, outputTokens: 20 },
        { model: 'm-2', requests: 1, inputTokens: 10, outputTokens: 20 },
      ]);
      assert.deepEqual(await dashboard.modelsOfAccount('acct-zz'), []);

      const firstPage = await dashboard.exchangesOf('acct-a', { limit: 2 });
      assert.deepEqual(
        firstPage.map((row) => row.id),
        ['a4', 'a3'],
        'newest first; of two at one time, the later arrival first',
      );
      const { seq: _seq, ...shown } = firstPage[0];
      assert.deepEqual(shown, {
        id: 'a4',
        tsMs: a4.tsMs,
        api: 'openai.chat',
        model: 'm-1',
        clientIp: null,
        status: 200,
        inputTokens: 7,
        outputTokens: 20,
        latencyMs: 12.5,
      });
      assert.ok(firstPage[1].seq > 0);
      const secondPage = await dashboard.exchangesOf('acct-a', {
        before: { tsMs: firstPage[1].tsMs, seq: firstPage[1].seq },
        limit: 2,
      });
      assert.deepEqual(
        secondPage.map((row) => row.id),
        ['a2', 'a1'],
        'the page after a3 starts with a2, stored at the same time',
      );
      assert.deepEqual(
        await dashboard.exchangesOf('acct-a', {
          before: { tsMs: secondPage[1].tsMs, seq: secondPage[1].seq },
          limit: 2,
        }),
        [],
      );
      assert.deepEqual(
        (
          await dashboard.exchangesOf('acct-a', {
            before: { tsMs: a2.tsMs + 1, seq: 0 },
            limit: 10,
          })
        ).map((row) => row.id),
        ['a3', 'a2', 'a1'],
      );
      assert.deepEqual(await dashboard.exchangesOf('acct-zz', { limit: 10 }), []);

      assert.equal(await dashboard.accountOfInteraction(a3.id), 'acct-a');
      assert.equal(await dashboard.accountOfInteraction(b1.id), 'acct-b');
      assert.equal(await dashboard.accountOfInteraction('nope'), null);
    },
  );

  contract(
    kind,
    'traffic before 1970 falls in the same buckets as SQLite draws them',
    async (store) => {
      // SQLite counts a short span one floored bucket at a time and groups a long one by integer
      // division (truncated toward zero): the buckets of times before 1970 depend on which it did
      await writeTraffic(store, [
        interaction('old-1', -1.5 * hourMs, 'acct-a'),
        interaction('old-2', -0.5 * hourMs, 'acct-a'),
        interaction('new-1', 0.5 * hourMs, 'acct-a'),
      ]);
      assert.deepEqual(await store.dashboard.trafficSince(-2 * hourMs, hourMs), [
        { bucketMs: -2 * hourMs, requests: 1 },
        { bucketMs: -hourMs, requests: 1 },
        { bucketMs: 0, requests: 1 },
      ]);
      await writeTraffic(store, [interaction('later', 6_000 * hourMs, 'acct-a')]);
      assert.deepEqual(await store.dashboard.trafficSince(-2 * hourMs, hourMs), [
        { bucketMs: -hourMs, requests: 1 },
        { bucketMs: 0, requests: 2 },
        { bucketMs: 6_000 * hourMs, requests: 1 },
      ]);
    },
  );

  contract(
    kind,
    'cases mark, campaign views (the latest kept) and audit runs (finished, listed newest first, abandoned when left running)',
    async (store) => {
      const dashboard = store.dashboard;
      assert.equal(await dashboard.casesMark(), '');
      await store.designation.addCase(caseRow('case-1', '2026-02-02T10:00:00.000Z'));
      await store.designation.addCase(caseRow('case-2', '2026-02-02T09:00:00.000Z'));
      assert.equal(await dashboard.casesMark(), '2026-02-02T10:00:00.000Z');
      await store.designation.updateCase('case-2', {
        state: 'designated',
        updatedAt: '2026-02-03T00:00:00.000Z',
      });
      assert.equal(await dashboard.casesMark(), '2026-02-03T00:00:00.000Z');

      assert.equal(await dashboard.readCampaignView('camp-1'), null);
      await dashboard.saveCampaignView('camp-1', '2026-02-02T00:00:00.000Z', '{"v":1}');
      await dashboard.saveCampaignView('camp-2', '2026-02-02T00:00:00.000Z', '{"v":2}');
      await dashboard.saveCampaignView('camp-1', '2026-02-03T00:00:00.000Z', '{"v":3}');
      assert.deepEqual(await dashboard.readCampaignView('camp-1'), {
        analysedAt: '2026-02-03T00:00:00.000Z',
        view: '{"v":3}',
      });
      assert.deepEqual(await dashboard.readCampaignView('camp-2'), {
        analysedAt: '2026-02-02T00:00:00.000Z',
        view: '{"v":2}',
      });

      const run = (auditId: string, startedAt: string): AuditRunRow => ({
        auditId,
        startedBy: 'ana',
        startedAt,
        finishedAt: null,
        status: 'running',
        request: JSON.stringify({ suspect: 'https://suspect.example/v1', model: 'm' }),
        evidence: null,
        error: null,
      });
      assert.deepEqual(await dashboard.listAuditRuns(), []);
      assert.equal(await dashboard.readAuditRun('audit-1'), null);
      await dashboard.addAuditRun(run('audit-1', '2026-02-02T00:00:00.000Z'));
      await dashboard.addAuditRun(run('audit-3', '2026-02-03T00:00:00.000Z'));
      await dashboard.addAuditRun(run('audit-2', '2026-02-03T00:00:00.000Z'));
      await dashboard.addAuditRun(run('audit-4', '2026-02-01T00:00:00.000Z'));
      await assert.rejects(dashboard.addAuditRun(run('audit-1', '2026-02-05T00:00:00.000Z')));
      await dashboard.finishAuditRun('audit-3', {
        finishedAt: '2026-02-03T01:00:00.000Z',
        status: 'done',
        evidence: '{"schema":"distillguard.audit-evidence/v1"}',
        error: null,
      });
      await dashboard.finishAuditRun('audit-nope', {
        finishedAt: '2026-02-03T01:00:00.000Z',
        status: 'done',
        evidence: null,
        error: null,
      });
      assert.deepEqual(await dashboard.readAuditRun('audit-3'), {
        ...run('audit-3', '2026-02-03T00:00:00.000Z'),
        finishedAt: '2026-02-03T01:00:00.000Z',
        status: 'done',
        evidence: '{"schema":"distillguard.audit-evidence/v1"}',
      });
      assert.deepEqual(
        (await dashboard.listAuditRuns()).map((row) => row.auditId),
        ['audit-3', 'audit-2', 'audit-1', 'audit-4'],
      );
      assert.equal(
        await dashboard.abandonAuditRuns('2026-02-04T00:00:00.000Z', 'the server stopped'),
        3,
      );
      assert.equal(await dashboard.abandonAuditRuns('2026-02-05T00:00:00.000Z', 'again'), 0);
      assert.deepEqual(await dashboard.readAuditRun('audit-1'), {
        ...run('audit-1', '2026-02-02T00:00:00.000Z'),
        finishedAt: '2026-02-04T00:00:00.000Z',
        status: 'failed',
        error: 'the server stopped',
      });
      assert.equal((await dashboard.readAuditRun('audit-3'))?.status, 'done');
    },
  );
}
