// The Store port's contract, held against both adapters: what ingest, the gateway and the workers
// rely on (ids counted once, conflicts told apart, imports summed up, keys and tokens, settings,
// decisions, export in arrival order, retention).
import assert from 'node:assert/strict';
import test from 'node:test';
import { conflictingRecord, type InteractionRow, type Store } from '../index.js';
import { openTestStore, storeKinds } from '../../test-support/stores.js';

const day = Date.UTC(2026, 1, 2);
const gatewaySource = { kind: 'gateway', path: null, size: null, modifiedMs: null } as const;

function interaction(
  id: string,
  tsMs: number,
  accountId = 'acct-1',
  text = 'hello',
): InteractionRow {
  const raw = JSON.stringify({
    id,
    ts: new Date(tsMs).toISOString(),
    account_id: accountId,
    request: { messages: [{ role: 'user', content: text }], max_tokens: 5 },
  });
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
    raw,
  };
}

interface Stored {
  id: string;
  request: { messages?: { content: string }[]; max_tokens?: number };
}

async function exported(store: Store): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of store.exportInteractions()) lines.push(line);
  return lines;
}

for (const kind of storeKinds) {
  test(`${kind}: an id is counted once per import, a repeat is 0 and other content under a stored id is a conflict`, async (t) => {
    const opened = await openTestStore(t, kind);
    if (!opened) return;
    const { store } = opened;
    try {
      const first = await store.beginImport('interactions', gatewaySource);
      const flags = await store.writeInteractions(first, [
        interaction('a', day + 1_000),
        interaction('b', day + 2_000),
        interaction('a', day + 1_000),
        interaction('b', day + 2_000, 'acct-1', 'other text'),
      ]);
      assert.deepEqual([...flags], [1, 1, 0, conflictingRecord]);
      // a second batch of the same import: repeats; a new import of the same records counts them again
      assert.deepEqual(
        [...(await store.writeInteractions(first, [interaction('a', day + 1_000)]))],
        [0],
      );
      await store.finishImport(first, {
        lines: 5,
        accepted: 5,
        rejected: 0,
        distinct: 2,
        status: 'complete',
      });
      // summed up as ingest does, right after the import
      assert.deepEqual(await store.summarizeInteractionImport(first), {
        interactions: 2,
        accounts: 1,
        fromMs: day + 1_000,
        toMs: day + 2_000,
        newRecords: 2,
      });
      const second = await store.beginImport('interactions', gatewaySource);
      assert.deepEqual(
        [
          ...(await store.writeInteractions(second, [
            interaction('a', day + 1_000),
            interaction('c', day + 3_000, 'acct-2'),
          ])),
        ],
        [1, 1],
      );
      assert.deepEqual(await store.summarizeInteractionImport(second), {
        interactions: 2,
        accounts: 2,
        fromMs: day + 1_000,
        toMs: day + 3_000,
        newRecords: 1,
      });
      // the stored record is the first one: a conflict never replaces it
      assert.equal(
        (JSON.parse((await store.readRawInteraction('b')) as string) as Stored).request
          .messages?.[0].content,
        'hello',
      );
      assert.equal(await store.readRawInteraction('nope'), null);
      assert.deepEqual(
        (await exported(store)).map((line) => (JSON.parse(line) as { id: string }).id),
        ['a', 'b', 'c'],
        'export gives every stored record once, in arrival order',
      );
      assert.ok((await store.lastInteractionSeq()) >= 3);
    } finally {
      await opened.close();
    }
  });

  test(`${kind}: two writers storing the same ids at once store each once`, async (t) => {
    const opened = await openTestStore(t, kind);
    if (!opened) return;
    try {
      const other = await opened.reopen();
      const rows = Array.from({ length: 300 }, (_, index) =>
        interaction(`id-${index}`, day + index * 60_000, `acct-${index % 7}`),
      );
      const [one, two] = await Promise.all(
        [opened.store, other].map(async (store) => {
          const importId = await store.beginImport('interactions', gatewaySource);
          let counted = 0;
          for (let start = 0; start < rows.length; start += 50)
            for (const flag of await store.writeInteractions(
              importId,
              rows.slice(start, start + 50),
            ))
              counted += flag;
          return counted;
        }),
      );
      assert.equal(one + two >= 300, true, 'every id counted by at least one writer');
      const ids = (await exported(opened.store)).map(
        (line) => (JSON.parse(line) as { id: string }).id,
      );
      assert.equal(ids.length, 300, 'each record stored once');
      assert.equal(new Set(ids).size, 300);
    } finally {
      await opened.close();
    }
  });

  test(`${kind}: accounts (latest wins), rejected lines, benchmark items, keys, tokens, settings and decisions`, async (t) => {
    const opened = await openTestStore(t, kind);
    if (!opened) return;
    const { store } = opened;
    try {
      const importId = await store.beginImport('accounts', {
        kind: 'file',
        path: '/data/accounts.jsonl',
        size: 100,
        modifiedMs: 1_700_000_000_123.4,
      });
      const account = (id: string, country: string) => ({
        accountId: id,
        createdAtMs: day,
        verification: 'email',
        orgId: null,
        emailDomain: 'example.org',
        paymentFingerprint: 'card-1',
        country,
        signupIp: null,
        record: JSON.stringify({ account_id: id, country }),
      });
      assert.equal(
        await store.writeAccounts(importId, [
          account('x', 'NL'),
          account('y', 'DE'),
          account('x', 'FR'),
        ]),
        3,
      );
      const accounts = (await store.readAccounts()).sort((a, b) =>
        a.accountId.localeCompare(b.accountId),
      );
      assert.deepEqual(
        accounts.map((row) => [row.accountId, row.country]),
        [
          ['x', 'FR'],
          ['y', 'DE'],
        ],
      );
      await store.writeRejections(importId, [
        { line: 2, field: 'ts', reason: 'not a date-time', text: '{"ts":1}' },
      ]);

      await store.addBenchmarkItems([
        { suite: 'mmlu', shingles: new Uint32Array([1, 2, 4_000_000_000]) },
      ]);
      const items = await store.readBenchmarkItems();
      assert.equal(items.length, 1);
      assert.equal(items[0].suite, 'mmlu');
      assert.deepEqual([...items[0].shingles], [1, 2, 4_000_000_000]);

      const key = {
        keyId: 'key-1',
        accountId: 'x',
        secretHash: 'hash-1',
        label: 'ci',
        createdAt: '2026-12-07T00:00:00.000Z',
        revokedAt: null,
      };
      await store.addApiKey(key);
      assert.deepEqual(await store.findApiKey('hash-1'), key);
      assert.equal(await store.findApiKey('hash-2'), null);
      assert.deepEqual(await store.listApiKeys('x'), [key]);
      assert.deepEqual(await store.listApiKeys('y'), []);
      assert.equal(await store.revokeApiKey('key-1', '2026-12-08T00:00:00.000Z'), true);
      assert.equal(await store.revokeApiKey('key-9', '2026-12-08T00:00:00.000Z'), false);
      assert.equal((await store.findApiKey('hash-1'))?.revokedAt, '2026-12-08T00:00:00.000Z');
      // a second revoke keeps the first time
      await store.revokeApiKey('key-1', '2026-12-09T00:00:00.000Z');
      assert.equal((await store.findApiKey('hash-1'))?.revokedAt, '2026-12-08T00:00:00.000Z');

      const token = {
        tokenId: 'tok-1',
        scopes: 'read,act',
        secretHash: 'token-hash',
        label: null,
        createdAt: '2026-12-07T00:00:00.000Z',
        revokedAt: null,
      };
      await store.addAdminToken(token);
      assert.deepEqual(await store.findAdminToken('token-hash'), token);
      assert.deepEqual(await store.listAdminTokens(), [token]);
      assert.equal(await store.revokeAdminToken('tok-1', '2026-12-08T00:00:00.000Z'), true);
      assert.equal(await store.revokeAdminToken('tok-9', '2026-12-08T00:00:00.000Z'), false);

      assert.equal(await store.readSetting('s'), null);
      assert.equal(await store.writeSettingOnce('s', 'first'), 'first');
      assert.equal(await store.writeSettingOnce('s', 'second'), 'first', 'the first writer wins');
      assert.equal(await store.readSetting('s'), 'first');

      const decision = (accountId: string, action: string) => ({
        ts: '2026-12-07T00:00:00.000Z',
        accountId,
        campaignId: null,
        action,
        verdict: 'extraction',
        risk: 0.97,
        reason: 'test',
      });
      await store.writeDecisions([
        decision('x', 'throttle'),
        decision('y', 'observe'),
        decision('x', 'block'),
      ]);
      assert.deepEqual(
        (await store.readDecisions()).map((row) => [row.accountId, row.action]),
        [
          ['x', 'throttle'],
          ['y', 'observe'],
          ['x', 'block'],
        ],
      );
      assert.deepEqual(
        (await store.readDecisions({ accountId: 'x', limit: 1 })).map((row) => row.action),
        ['throttle'],
      );
      assert.deepEqual((await store.readDecisions({ limit: 2 })).length, 2);
      assert.deepEqual((await store.readDecisions())[0], decision('x', 'throttle'));
    } finally {
      await opened.close();
    }
  });

  test(`${kind}: retention deletes old rows and reduces the text of less old ones to metadata`, async (t) => {
    const opened = await openTestStore(t, kind);
    if (!opened) return;
    const { store } = opened;
    try {
      const importId = await store.beginImport('interactions', gatewaySource);
      const dayMs = 86_400_000;
      // four days, three rows each
      const rows = [0, 1, 2, 3].flatMap((offset) =>
        [1, 2, 3].map((hour) =>
          interaction(`d${offset}-${hour}`, day + offset * dayMs + hour * 3_600_000),
        ),
      );
      await store.writeInteractions(importId, rows);
      const tally = await store.prune({
        rowsBeforeMs: day + dayMs + 2.5 * 3_600_000,
        textBeforeMs: day + 2 * dayMs + 2.5 * 3_600_000,
        batchRows: 2,
      });
      assert.equal(tally.rowsDeleted, 5, 'day 0 whole, and two rows of day 1');
      assert.equal(tally.textPruned, 3, 'the last row of day 1 and two of day 2');
      const left = (await exported(store)).map((line) => JSON.parse(line) as Stored);
      assert.deepEqual(
        left.map((row) => row.id),
        ['d1-3', 'd2-1', 'd2-2', 'd2-3', 'd3-1', 'd3-2', 'd3-3'],
      );
      assert.deepEqual(
        left.map((row) => row.request.messages !== undefined),
        [false, false, false, true, true, true, true],
        'text is gone before the text cutoff and kept after it',
      );
      assert.equal(await store.readRawInteraction('d0-1'), null);
      // a deleted id may be stored again
      assert.deepEqual(
        [...(await store.writeInteractions(importId, [interaction('d0-1', day + 3_600_000)]))],
        [1],
      );
    } finally {
      await opened.close();
    }
  });
}
