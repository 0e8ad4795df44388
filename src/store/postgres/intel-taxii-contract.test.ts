// The IntelStore and TaxiiStore parts' contract, held against both adapters: findings, community
// keys, STIX versions with their receipts, client addresses, partner matches, the warning list,
// TAXII collections with their entries, partners, pull cursors and status resources.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import test from 'node:test';
import type { InteractionRow, StixObjectRow, Store } from '../index.js';
import { openTestStore, storeKinds } from '../../test-support/stores.js';

const day = Date.UTC(2026, 1, 2);
const gatewaySource = { kind: 'gateway', path: null, size: null, modifiedMs: null } as const;

function interaction(
  id: string,
  line: number,
  accountId: string,
  clientIp: string | null,
): InteractionRow {
  const tsMs = day + line * 1_000;
  const raw = JSON.stringify({
    id,
    ts: new Date(tsMs).toISOString(),
    account_id: accountId,
    client: clientIp === null ? {} : { ip: clientIp },
    request: { messages: [{ role: 'user', content: 'hello' }], max_tokens: 5 },
  });
  return {
    id,
    tsMs,
    accountId,
    keyId: null,
    api: 'openai.chat',
    model: 'm-1',
    clientIp,
    clientAsn: 64500,
    clientCountry: 'NL',
    userAgent: 'test',
    status: 200,
    inputTokens: 10,
    outputTokens: 20,
    latencyMs: 12.5,
    line,
    byteOffset: 0,
    byteLength: 0,
    raw,
  };
}

function stix(
  id: string,
  version: string,
  origin: StixObjectRow['origin'] = 'received',
  storedAt = '2026-02-02T00:00:00.000Z',
  extra = '',
): StixObjectRow {
  const type = id.slice(0, id.indexOf('--'));
  const object = JSON.stringify({ id, modified: version, name: `${id}${extra}`, type });
  return {
    id,
    version,
    type,
    object,
    contentHash: createHash('sha256').update(object).digest('hex'),
    origin,
    storedAt,
  };
}

const receipt = { source: 'partner-a', channel: 'taxii', receivedAt: '2026-02-02T10:00:00.000Z' };

async function withStore(
  kind: (typeof storeKinds)[number],
  context: Parameters<typeof openTestStore>[0],
  work: (store: Store) => Promise<void>,
): Promise<void> {
  const opened = await openTestStore(context, kind);
  if (!opened) return;
  try {
    await work(opened.store);
  } finally {
    await opened.close();
  }
}

for (const kind of storeKinds) {
  test(`${kind}: campaign findings are upserted, read in byte order, and a withdrawal stays`, (t) =>
    withStore(kind, t, async (store) => {
      const finding = (
        campaignId: string,
        analysedAt: string,
        withdrawnAt: string | null = null,
      ) => ({
        campaignId,
        analysedAt,
        campaign: JSON.stringify({ id: campaignId, analysedAt }),
        traits: JSON.stringify({ at: analysedAt }),
        withdrawnAt,
        withdrawnReason: withdrawnAt === null ? null : 'given',
      });
      await store.intel.saveCampaignFindings([
        finding('camp-b', '2026-02-01T00:00:00Z'),
        finding('camp-a', '2026-02-01T00:00:00Z'),
        finding('CAMP-Z', '2026-02-01T00:00:00Z'),
      ]);
      await store.intel.saveCampaignFindings([]);
      assert.deepEqual(
        (await store.intel.readCampaignFindings()).map((row) => row.campaignId),
        ['CAMP-Z', 'camp-a', 'camp-b'],
      );
      assert.deepEqual(await store.intel.readCampaignFindings('camp-a'), [
        finding('camp-a', '2026-02-01T00:00:00Z'),
      ]);
      assert.deepEqual(await store.intel.readCampaignFindings('camp-none'), []);

      assert.equal(
        await store.intel.withdrawCampaignFinding('camp-a', 'w1', 'false positive'),
        true,
      );
      assert.equal(await store.intel.withdrawCampaignFinding('camp-none', 'w1', 'x'), false);
      // a second withdrawal keeps the first's time and reason
      assert.equal(await store.intel.withdrawCampaignFinding('camp-a', 'w2', 'again'), true);
      // a later analysis replaces campaign and traits, not the withdrawal (nor its own withdrawal fields)
      await store.intel.saveCampaignFindings([finding('camp-a', '2026-02-03T00:00:00Z', 'w3')]);
      assert.deepEqual(await store.intel.readCampaignFindings('camp-a'), [
        {
          ...finding('camp-a', '2026-02-03T00:00:00Z'),
          withdrawnAt: 'w1',
          withdrawnReason: 'false positive',
        },
      ]);
      // the same campaign twice in one batch: as two upserts in order
      await store.intel.saveCampaignFindings([
        finding('camp-c', '2026-02-01T00:00:00Z'),
        finding('camp-c', '2026-02-05T00:00:00Z', 'w4'),
      ]);
      assert.deepEqual(await store.intel.readCampaignFindings('camp-c'), [
        finding('camp-c', '2026-02-05T00:00:00Z'),
      ]);
    }));

  test(`${kind}: community keys list by creation, a repeated id is refused, retiring keeps one`, (t) =>
    withStore(kind, t, async (store) => {
      const key = (keyId: string, createdAt: string, origin: 'created' | 'added' = 'created') => ({
        keyId,
        secret: `secret-${keyId}`,
        createdAt,
        retiredAt: null,
        origin,
      });
      await store.intel.addIntelKey(key('k-2', '2026-02-02T00:00:00Z'));
      await store.intel.addIntelKey(key('k-1', '2026-02-02T00:00:00Z', 'added'));
      await store.intel.addIntelKey(key('k-0', '2026-02-03T00:00:00Z'));
      await assert.rejects(store.intel.addIntelKey(key('k-0', '2026-02-04T00:00:00Z')));
      assert.deepEqual(await store.intel.listIntelKeys(), [
        key('k-1', '2026-02-02T00:00:00Z', 'added'),
        key('k-2', '2026-02-02T00:00:00Z'),
        key('k-0', '2026-02-03T00:00:00Z'),
      ]);
      assert.equal(await store.intel.retireIntelKeys('k-0', '2026-02-05T00:00:00Z'), 2);
      assert.equal(await store.intel.retireIntelKeys('k-0', '2026-02-06T00:00:00Z'), 0);
      assert.deepEqual(
        (await store.intel.listIntelKeys()).map((row) => [row.keyId, row.retiredAt]),
        [
          ['k-1', '2026-02-05T00:00:00Z'],
          ['k-2', '2026-02-05T00:00:00Z'],
          ['k-0', null],
        ],
      );
    }));

  test(`${kind}: STIX versions are added once, known again with a new receipt, a conflict stores nothing`, (t) =>
    withStore(kind, t, async (store) => {
      const a1 = stix('indicator--a', '2026-01-01T00:00:00.000Z');
      const b1 = stix('malware--b', '2026-01-01T00:00:00.000Z');
      assert.deepEqual(await store.intel.putStixObjects([a1, b1], receipt), ['added', 'added']);
      assert.deepEqual(await store.intel.putStixObjects([], receipt), []);
      const later = {
        source: 'partner-b',
        channel: 'file',
        receivedAt: '2026-02-02T09:00:00.000Z',
      };
      assert.deepEqual(await store.intel.putStixObjects([a1], later), ['known']);
      // the same receipt again is not a second receipt
      assert.deepEqual(await store.intel.putStixObjects([a1], later), ['known']);
      const other = stix(
        'indicator--a',
        '2026-01-01T00:00:00.000Z',
        'received',
        undefined,
        ' changed',
      );
      const third = {
        source: 'partner-c',
        channel: 'taxii',
        receivedAt: '2026-02-02T08:00:00.000Z',
      };
      assert.deepEqual(await store.intel.putStixObjects([other], third), ['conflict']);
      assert.deepEqual(await store.intel.readStixVersion(a1.id, a1.version), a1);
      assert.equal(await store.intel.readStixVersion(a1.id, '2030-01-01T00:00:00.000Z'), null);
      assert.equal(await store.intel.readStixVersion('indicator--none', a1.version), null);
      // receipts by time received, then version; the conflicting sender left none
      assert.deepEqual(await store.intel.readStixReceipts(a1.id), [
        { version: a1.version, ...later },
        { version: a1.version, ...receipt },
      ]);
      assert.deepEqual(await store.intel.readStixReceipts('indicator--none'), []);
      // one version twice in one call: added, then known (or a conflict with other content)
      const c1 = stix('indicator--c', '2026-01-01T00:00:00.000Z');
      const c1other = stix('indicator--c', '2026-01-01T00:00:00.000Z', 'received', undefined, '!');
      assert.deepEqual(await store.intel.putStixObjects([c1, c1, c1other], receipt), [
        'added',
        'known',
        'conflict',
      ]);
    }));

  test(`${kind}: a failing STIX put stores none of its versions, also inside the caller's transaction`, (t) =>
    withStore(kind, t, async (store) => {
      const good = stix('indicator--good', '2026-01-01T00:00:00.000Z');
      const bad = {
        ...stix('indicator--bad', '2026-01-01T00:00:00.000Z'),
        type: null,
      } as unknown as StixObjectRow;
      await assert.rejects(store.intel.putStixObjects([good, bad], receipt));
      assert.equal(await store.intel.readStixVersion(good.id, good.version), null);
      assert.deepEqual(await store.intel.readStixReceipts(good.id), []);

      await assert.rejects(
        store.designation.atomically(async () => {
          assert.deepEqual(await store.intel.putStixObjects([good], receipt), ['added']);
          assert.deepEqual(await store.intel.readStixVersion(good.id, good.version), good);
          throw new Error('the caller gives up');
        }),
        /the caller gives up/,
      );
      assert.equal(await store.intel.readStixVersion(good.id, good.version), null);
      assert.deepEqual(await store.intel.listStixObjects(), []);
      assert.deepEqual(await store.intel.putStixObjects([good], receipt), ['added']);
    }));

  test(`${kind}: concurrent puts of one version add it once and know it otherwise`, (t) =>
    withStore(kind, t, async (store) => {
      const rows = Array.from({ length: 5 }, (_, index) =>
        stix(`indicator--${index}`, '2026-01-01T00:00:00.000Z'),
      );
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, sender) =>
          store.intel.putStixObjects(rows, {
            source: `sender-${sender}`,
            channel: 'taxii',
            receivedAt: `2026-02-02T00:00:0${sender}.000Z`,
          }),
        ),
      );
      for (const [index] of rows.entries())
        assert.deepEqual(outcomes.map((each) => each[index]).sort(), [
          'added',
          'known',
          'known',
          'known',
          'known',
          'known',
          'known',
          'known',
        ]);
      assert.equal((await store.intel.listStixObjects()).length, 5);
      assert.equal((await store.intel.readStixReceipts('indicator--3')).length, 8);
    }));

  test(`${kind}: the latest STIX version and the listing by type, origin and newest`, (t) =>
    withStore(kind, t, async (store) => {
      const a1 = stix(
        'indicator--a',
        '2026-01-01T00:00:00.000Z',
        'local',
        '2026-02-01T00:00:00.000Z',
      );
      const b1 = stix(
        'malware--b',
        '2026-01-01T00:00:00.000Z',
        'received',
        '2026-02-01T00:00:00.000Z',
      );
      const a3 = stix(
        'indicator--a',
        '2026-01-03T00:00:00.000Z',
        'received',
        '2026-02-02T00:00:00.000Z',
      );
      const a2 = stix(
        'indicator--a',
        '2026-01-02T00:00:00.000Z',
        'local',
        '2026-02-03T00:00:00.000Z',
      );
      const sco = stix('ipv4-addr--x', '', 'received', '2026-02-03T00:00:00.000Z');
      assert.deepEqual(await store.intel.putStixObjects([a1, b1], receipt), ['added', 'added']);
      assert.deepEqual(await store.intel.putStixObjects([a3], receipt), ['added']);
      assert.deepEqual(await store.intel.putStixObjects([a2, sco], receipt), ['added', 'added']);

      assert.deepEqual(await store.intel.latestStixObject('indicator--a'), a3);
      assert.deepEqual(await store.intel.latestStixObject('indicator--a', 'local'), a2);
      assert.deepEqual(await store.intel.latestStixObject('indicator--a', 'received'), a3);
      assert.deepEqual(await store.intel.latestStixObject('malware--b', 'local'), null);
      assert.deepEqual(await store.intel.latestStixObject('ipv4-addr--x'), sco);
      assert.equal(await store.intel.latestStixObject('indicator--none'), null);

      // oldest stored first
      assert.deepEqual(await store.intel.listStixObjects(), [a1, b1, a3, a2, sco]);
      assert.deepEqual(await store.intel.listStixObjects({ type: 'indicator' }), [a1, a3, a2]);
      assert.deepEqual(await store.intel.listStixObjects({ origin: 'local' }), [a1, a2]);
      assert.deepEqual(await store.intel.listStixObjects({ latest: true }), [b1, a3, sco]);
      assert.deepEqual(await store.intel.listStixObjects({ origin: 'local', latest: true }), [a2]);
      assert.deepEqual(
        await store.intel.listStixObjects({ origin: 'received', latest: true, type: 'indicator' }),
        [a3],
      );
      assert.deepEqual(await store.intel.listStixObjects({ type: 'campaign' }), []);
    }));

  test(`${kind}: the addresses some accounts used, with how many accounts used each in all`, (t) =>
    withStore(kind, t, async (store) => {
      assert.deepEqual(await store.intel.addressesOf([]), []);
      assert.deepEqual(await store.intel.addressesOf(['acct-1']), []);
      const importId = await store.beginImport('interactions', gatewaySource);
      const flags = await store.writeInteractions(importId, [
        interaction('i-1', 1, 'acct-1', '198.51.100.9'),
        interaction('i-2', 2, 'acct-1', '198.51.100.9'),
        interaction('i-3', 3, 'acct-1', '10.0.0.2'),
        interaction('i-4', 4, 'acct-2', '198.51.100.9'),
        interaction('i-5', 5, 'acct-3', '198.51.100.9'),
        interaction('i-6', 6, 'acct-3', '203.0.113.1'),
        interaction('i-7', 7, 'acct-2', null),
        interaction('i-8', 8, 'acct-4', '10.0.0.2'),
      ]);
      assert.deepEqual([...flags], [1, 1, 1, 1, 1, 1, 1, 1]);
      assert.deepEqual(await store.intel.addressesOf(['acct-1', 'acct-2']), [
        { address: '10.0.0.2', requests: 1, members: 1, accounts: 2 },
        { address: '198.51.100.9', requests: 3, members: 2, accounts: 3 },
      ]);
      assert.deepEqual(await store.intel.addressesOf(['acct-3', 'acct-none']), [
        { address: '198.51.100.9', requests: 1, members: 1, accounts: 3 },
        { address: '203.0.113.1', requests: 1, members: 1, accounts: 1 },
      ]);
      assert.deepEqual(await store.intel.addressesOf(['acct-none']), []);
    }));

  test(`${kind}: partner matches are upserted and read by indicator and account`, (t) =>
    withStore(kind, t, async (store) => {
      const match = (indicatorId: string, accountId: string, requests: number, kind = 'ip') => ({
        indicatorId,
        accountId,
        kind,
        partner: 'partner-a',
        firstMs: day,
        lastMs: day + requests,
        requests,
        analysedAt: `2026-02-0${requests}T00:00:00Z`,
      });
      await store.intel.savePartnerMatches([
        match('indicator--b', 'acct-1', 1),
        match('indicator--a', 'acct-2', 1),
        match('indicator--a', 'Acct-9', 1),
      ]);
      await store.intel.savePartnerMatches([]);
      assert.deepEqual(await store.intel.readPartnerMatches(), [
        match('indicator--a', 'Acct-9', 1),
        match('indicator--a', 'acct-2', 1),
        match('indicator--b', 'acct-1', 1),
      ]);
      // a later analysis replaces times, count and analysis time (not kind nor partner); repeats in
      // one batch are upserts in order
      await store.intel.savePartnerMatches([
        match('indicator--b', 'acct-1', 3, 'email'),
        match('indicator--c', 'acct-1', 2, 'ip'),
        match('indicator--c', 'acct-1', 4, 'payment'),
      ]);
      assert.deepEqual(await store.intel.readPartnerMatches(), [
        match('indicator--a', 'Acct-9', 1),
        match('indicator--a', 'acct-2', 1),
        match('indicator--b', 'acct-1', 3, 'ip'),
        match('indicator--c', 'acct-1', 4, 'ip'),
      ]);
    }));

  test(`${kind}: the warning list takes each kind and value once`, (t) =>
    withStore(kind, t, async (store) => {
      const warning = (kind: string, value: string, note: string | null = null) => ({
        kind,
        value,
        note,
        addedAt: '2026-02-02T00:00:00Z',
      });
      assert.equal(
        await store.intel.addWarning(warning('email_domain', 'b.example', 'seen')),
        true,
      );
      assert.equal(await store.intel.addWarning(warning('account', 'acct-2')), true);
      assert.equal(await store.intel.addWarning(warning('account', 'Acct-1')), true);
      assert.equal(await store.intel.addWarning(warning('account', 'acct-2', 'again')), false);
      assert.deepEqual(await store.intel.listWarnings(), [
        warning('account', 'Acct-1'),
        warning('account', 'acct-2'),
        warning('email_domain', 'b.example', 'seen'),
      ]);
    }));

  test(`${kind}: TAXII collections are added once by id and alias, listed and found`, (t) =>
    withStore(kind, t, async (store) => {
      const collection = (id: string, alias: string | null, createdAt: string) => ({
        id,
        alias,
        title: `Title ${id}`,
        description: alias === null ? null : `about ${alias}`,
        createdAt,
      });
      assert.equal(await store.taxii.listCollections().then((rows) => rows.length), 0);
      assert.equal(await store.taxii.addCollection(collection('col-b', 'campaigns', 'T2')), true);
      assert.equal(await store.taxii.addCollection(collection('col-a', null, 'T2')), true);
      assert.equal(await store.taxii.addCollection(collection('col-c', 'indicators', 'T1')), true);
      assert.equal(await store.taxii.addCollection(collection('col-b', 'other', 'T3')), false);
      // an alias already taken
      assert.equal(await store.taxii.addCollection(collection('col-d', 'campaigns', 'T3')), false);
      assert.deepEqual(await store.taxii.listCollections(), [
        collection('col-c', 'indicators', 'T1'),
        collection('col-a', null, 'T2'),
        collection('col-b', 'campaigns', 'T2'),
      ]);
      assert.deepEqual(
        await store.taxii.findCollection('col-b'),
        collection('col-b', 'campaigns', 'T2'),
      );
      assert.deepEqual(
        await store.taxii.findCollection('indicators'),
        collection('col-c', 'indicators', 'T1'),
      );
      assert.equal(await store.taxii.findCollection('col-d'), null);
      assert.equal(await store.taxii.findCollection('other'), null);
      // one collection's id is another's alias: the id wins
      assert.equal(await store.taxii.addCollection(collection('campaigns', null, 'T4')), true);
      assert.deepEqual(
        await store.taxii.findCollection('campaigns'),
        collection('campaigns', null, 'T4'),
      );
    }));

  test(`${kind}: collection entries are added once each and listed by date added, filtered`, (t) =>
    withStore(kind, t, async (store) => {
      await store.taxii.addCollection({
        id: 'col-1',
        alias: null,
        title: 'one',
        description: null,
        createdAt: 'T0',
      });
      await store.taxii.addCollection({
        id: 'col-2',
        alias: null,
        title: 'two',
        description: null,
        createdAt: 'T0',
      });
      const a1 = stix('indicator--a', '2026-01-01T00:00:00.000Z');
      const a2 = stix('indicator--a', '2026-01-02T00:00:00.000Z');
      const m1 = stix('malware--m', '2026-01-01T00:00:00.000Z');
      const r1 = stix('relationship--r', '2026-01-01T00:00:00.000Z');
      await store.intel.putStixObjects([a1, a2, m1, r1], receipt);
      const entry = (row: StixObjectRow) => ({ objectId: row.id, version: row.version });

      assert.equal(
        await store.taxii.addToCollection(
          'col-1',
          [entry(m1), entry(a1), entry(m1)],
          '2026-02-02T00:00:00.000Z',
        ),
        2,
      );
      // added earlier in time, after in sequence
      assert.equal(
        await store.taxii.addToCollection(
          'col-1',
          [entry(r1), entry(a1)],
          '2026-02-01T00:00:00.000Z',
        ),
        1,
      );
      assert.equal(
        await store.taxii.addToCollection('col-1', [entry(a2)], '2026-02-03T00:00:00.000Z'),
        1,
      );
      assert.equal(await store.taxii.addToCollection('col-1', [], '2026-02-04T00:00:00.000Z'), 0);
      // a version not stored is kept in the collection but not listed
      assert.equal(
        await store.taxii.addToCollection(
          'col-2',
          [entry(a1), { objectId: 'indicator--gone', version: 'v' }],
          '2026-02-01T00:00:00.000Z',
        ),
        2,
      );
      await assert.rejects(
        store.taxii.addToCollection('col-none', [entry(a1)], '2026-02-01T00:00:00.000Z'),
      );

      const all = await store.taxii.listEntries({ collectionId: 'col-1' });
      assert.deepEqual(
        all.map((row) => [row.objectId, row.version, row.dateAdded, row.object]),
        [
          [r1.id, r1.version, '2026-02-01T00:00:00.000Z', r1.object],
          [m1.id, m1.version, '2026-02-02T00:00:00.000Z', m1.object],
          [a1.id, a1.version, '2026-02-02T00:00:00.000Z', a1.object],
          [a2.id, a2.version, '2026-02-03T00:00:00.000Z', a2.object],
        ],
      );
      for (const row of all) assert.equal(typeof row.seq, 'number');
      const [rSeq, mSeq, aSeq, a2Seq] = all.map((row) => row.seq);
      assert.ok(mSeq < aSeq && aSeq < rSeq && rSeq < a2Seq);

      const listed = async (filter: Parameters<Store['taxii']['listEntries']>[0]) =>
        (await store.taxii.listEntries(filter)).map((row) => `${row.objectId}@${row.version}`);
      assert.deepEqual(
        await listed({ collectionId: 'col-1', addedAfter: '2026-02-01T00:00:00.000Z' }),
        [`${m1.id}@${m1.version}`, `${a1.id}@${a1.version}`, `${a2.id}@${a2.version}`],
      );
      assert.deepEqual(await listed({ collectionId: 'col-1', afterSeq: aSeq }), [
        `${r1.id}@${r1.version}`,
        `${a2.id}@${a2.version}`,
      ]);
      assert.deepEqual(await listed({ collectionId: 'col-1', objectId: a1.id }), [
        `${a1.id}@${a1.version}`,
        `${a2.id}@${a2.version}`,
      ]);
      assert.deepEqual(await listed({ collectionId: 'col-1', objectIds: [m1.id, r1.id] }), [
        `${r1.id}@${r1.version}`,
        `${m1.id}@${m1.version}`,
      ]);
      assert.deepEqual(await listed({ collectionId: 'col-1', objectIds: [], types: [] }), [
        `${r1.id}@${r1.version}`,
        `${m1.id}@${m1.version}`,
        `${a1.id}@${a1.version}`,
        `${a2.id}@${a2.version}`,
      ]);
      assert.deepEqual(await listed({ collectionId: 'col-1', types: ['malware', 'indicator'] }), [
        `${m1.id}@${m1.version}`,
        `${a1.id}@${a1.version}`,
        `${a2.id}@${a2.version}`,
      ]);
      assert.deepEqual(
        await listed({
          collectionId: 'col-1',
          types: ['indicator'],
          addedAfter: '2026-02-02T00:00:00.000Z',
        }),
        [`${a2.id}@${a2.version}`],
      );
      assert.deepEqual(await listed({ collectionId: 'col-2' }), [`${a1.id}@${a1.version}`]);
      assert.deepEqual(await listed({ collectionId: 'col-none' }), []);
    }));

  test(`${kind}: partners are found by name and secret hash, revoked, and replaced only once revoked`, (t) =>
    withStore(kind, t, async (store) => {
      const partner = (name: string, secretHash: string, createdAt: string, amber = false) => ({
        name,
        secretHash,
        canRead: ['campaigns', '*'],
        canWrite: amber ? ['indicators'] : [],
        amber,
        createdAt,
        revokedAt: null as string | null,
      });
      await store.taxii.addPartner(partner('beta', 'hash-b', 'T2', true));
      await store.taxii.addPartner(partner('alpha', 'hash-a', 'T2'));
      await store.taxii.addPartner(partner('gamma', 'hash-g', 'T1'));
      assert.deepEqual(
        await store.taxii.findPartner('beta'),
        partner('beta', 'hash-b', 'T2', true),
      );
      assert.deepEqual(
        await store.taxii.findPartnerBySecretHash('hash-a'),
        partner('alpha', 'hash-a', 'T2'),
      );
      assert.equal(await store.taxii.findPartner('delta'), null);
      assert.equal(await store.taxii.findPartnerBySecretHash('hash-none'), null);
      assert.deepEqual(
        (await store.taxii.listPartners()).map((row) => row.name),
        ['gamma', 'alpha', 'beta'],
      );
      // an active partner is not replaced
      await store.taxii.addPartner(partner('beta', 'hash-b2', 'T3'));
      assert.deepEqual(
        await store.taxii.findPartner('beta'),
        partner('beta', 'hash-b', 'T2', true),
      );
      // a secret hash is one partner's
      await assert.rejects(store.taxii.addPartner(partner('delta', 'hash-a', 'T3')));

      assert.equal(await store.taxii.revokePartner('beta', 'R1'), true);
      assert.equal(await store.taxii.revokePartner('beta', 'R2'), true);
      assert.equal(await store.taxii.revokePartner('delta', 'R1'), false);
      assert.deepEqual(await store.taxii.findPartner('beta'), {
        ...partner('beta', 'hash-b', 'T2', true),
        revokedAt: 'R1',
      });
      // a revoked partner is replaced by a new one of the same name
      await store.taxii.addPartner(partner('beta', 'hash-b2', 'T3'));
      assert.deepEqual(await store.taxii.findPartner('beta'), partner('beta', 'hash-b2', 'T3'));
      assert.equal(await store.taxii.findPartnerBySecretHash('hash-b'), null);
      assert.deepEqual(await store.taxii.listPartners(), [
        partner('gamma', 'hash-g', 'T1'),
        partner('alpha', 'hash-a', 'T2'),
        partner('beta', 'hash-b2', 'T3'),
      ]);
    }));

  test(`${kind}: pull cursors and status resources`, (t) =>
    withStore(kind, t, async (store) => {
      assert.equal(await store.taxii.readPullCursor('https://hub.example', 'campaigns'), null);
      await store.taxii.writePullCursor('https://hub.example', 'campaigns', 'A1', 'P1');
      await store.taxii.writePullCursor('https://hub.example', 'indicators', 'B1', 'P1');
      await store.taxii.writePullCursor('https://hub.example', 'campaigns', 'A2', 'P2');
      assert.equal(await store.taxii.readPullCursor('https://hub.example', 'campaigns'), 'A2');
      assert.equal(await store.taxii.readPullCursor('https://hub.example', 'indicators'), 'B1');
      assert.equal(await store.taxii.readPullCursor('https://other.example', 'campaigns'), null);

      const status = JSON.stringify({ id: 'status-1', status: 'complete', success_count: 2 });
      await store.taxii.saveStatus('status-1', 'alpha', status, 'T1');
      assert.equal(await store.taxii.readStatus('status-1', 'alpha'), status);
      assert.equal(await store.taxii.readStatus('status-1', 'beta'), null);
      assert.equal(await store.taxii.readStatus('status-2', 'alpha'), null);
      await assert.rejects(store.taxii.saveStatus('status-1', 'beta', status, 'T2'));
    }));
}
