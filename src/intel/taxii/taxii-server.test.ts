// The TAXII 2.1 server's refusals and rules, each as a partner meets it: credentials, media types,
// sizes, collection rights, malformed and partly bad posts, TLP per partner, pagination and
// versions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import type { JsonObject } from '../../core/index.js';
import { SqliteStore } from '../../store/index.js';
import { temporaryDirectory } from '../../test-support/paths.js';
import { tlpMarkingIds } from '../tlp.js';
import { startHub, type RunningHub } from './hub-server.js';

const taxii = 'application/taxii+json;version=2.1';
const hashSecret = (secret: string) => createHmac('sha256', 'k').update(secret).digest('base64url');
const folder = temporaryDirectory('dg-taxii-');
let store: SqliteStore;
let hub: RunningHub;

const partners = {
  writer: {
    secret: 'writer-secret-0123456789abcdefghijklmnop',
    read: ['campaigns'],
    write: ['campaigns'],
    amber: true,
  },
  reader: {
    secret: 'reader-secret-0123456789abcdefghijklmnop',
    read: ['campaigns'],
    write: [],
    amber: false,
  },
  outsider: {
    secret: 'outsider-secret-0123456789abcdefghijklm',
    read: ['private'],
    write: [],
    amber: false,
  },
};
type Partner = keyof typeof partners;

const basic = (name: Partner) =>
  `Basic ${Buffer.from(`${name}:${partners[name].secret}`).toString('base64')}`;

async function call(
  path: string,
  options: {
    as?: Partner | null;
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    bearer?: string;
  } = {},
): Promise<{ status: number; type: string | null; body: JsonObject; headers: Headers }> {
  const headers: Record<string, string> = { accept: taxii, ...options.headers };
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  else if (options.as !== null) headers.authorization = basic(options.as ?? 'writer');
  if (options.body !== undefined && !headers['content-type']) headers['content-type'] = taxii;
  const response = await fetch(`${hub.url}/taxii2/intel/${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body,
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (text ? JSON.parse(text) : {}) as JsonObject,
    headers: response.headers,
  };
}

const indicator = (
  n: number,
  marking: string | null,
  modified = '2026-01-01T00:00:00.000Z',
): JsonObject => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`,
  created: '2026-01-01T00:00:00.000Z',
  modified,
  pattern: `[ipv4-addr:value = '198.51.100.${n % 250}']`,
  pattern_type: 'stix',
  valid_from: '2026-01-01T00:00:00Z',
  ...(marking ? { object_marking_refs: [marking] } : {}),
});

before(async () => {
  store = SqliteStore.open(join(folder, 'hub.db'));
  for (const [name, partner] of Object.entries(partners))
    await store.taxii.addPartner({
      name,
      secretHash: hashSecret(partner.secret),
      canRead: partner.read,
      canWrite: partner.write,
      amber: partner.amber,
      createdAt: new Date().toISOString(),
      revokedAt: null,
    });
  await store.taxii.addCollection({
    id: '11111111-2222-4333-8444-555555555555',
    alias: 'private',
    title: 'Private',
    description: null,
    createdAt: new Date().toISOString(),
  });
  hub = await startHub({
    store,
    hashSecret,
    port: 0,
    host: '127.0.0.1',
    maxContentLength: 64 * 1024,
  });
});

after(async () => {
  await hub.close();
  await store.close();
});

test('credentials: none, a wrong secret and an unknown scheme get 401 with a challenge; Basic and Bearer both work', async () => {
  for (const options of [
    { as: null },
    {
      headers: { authorization: `Basic ${Buffer.from('writer:wrong').toString('base64')}` },
      as: null,
    },
    { headers: { authorization: 'Digest x' }, as: null },
  ] as const) {
    const answer = await call('', options);
    assert.equal(answer.status, 401);
    assert.equal(answer.type, taxii);
    assert.match(String(answer.headers.get('www-authenticate')), /Basic realm=/);
    assert.equal(answer.body.http_status, '401');
    assert.match(String(answer.body.description), /HTTP Basic|Bearer/);
  }
  assert.equal((await call('', { as: 'reader' })).status, 200);
  assert.equal((await call('', { bearer: partners.reader.secret, as: null })).status, 200);
});

test('media types: 406 for an Accept it cannot meet, 415 for a post that is not TAXII JSON, 413 past max_content_length', async () => {
  const refused = await call('', { headers: { accept: 'application/json' } });
  assert.equal(refused.status, 406);
  assert.match(String(refused.body.description), /application\/taxii\+json;version=2\.1/);
  assert.equal(
    (await call('', { headers: { accept: 'application/taxii+json;version=2.0' } })).status,
    406,
  );
  const wrongType = await call('collections/campaigns/objects/', {
    method: 'POST',
    body: '{"objects": []}',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(wrongType.status, 415);
  const big = JSON.stringify({
    objects: Array.from({ length: 400 }, (_, n) => indicator(n, tlpMarkingIds.green)),
  });
  assert.ok(big.length > 64 * 1024);
  const tooBig = await call('collections/campaigns/objects/', { method: 'POST', body: big });
  assert.equal(tooBig.status, 413);
  assert.match(String(tooBig.body.description), /max_content_length of 65536/);
  assert.equal(
    (await call('collections/campaigns/objects/')).body.objects,
    undefined,
    'nothing stored',
  );
});

test('collections: a reader may not write (403); a collection the partner may not see is 404', async () => {
  const listed = await call('collections/', { as: 'reader' });
  assert.deepEqual(
    (listed.body.collections as JsonObject[]).map((collection) => [
      collection.alias,
      collection.can_read,
      collection.can_write,
    ]),
    [['campaigns', true, false]],
  );
  const post = await call('collections/campaigns/objects/', {
    as: 'reader',
    method: 'POST',
    body: JSON.stringify({ objects: [] }),
  });
  assert.equal(post.status, 403);
  assert.match(String(post.body.description), /may not write collection 'campaigns'/);
  assert.equal((await call('collections/private/objects/', { as: 'reader' })).status, 404);
  assert.equal((await call('collections/nothing-here/', { as: 'reader' })).status, 404);
  assert.equal((await call('collections/private/', { as: 'outsider' })).status, 200);
});

test('posts: a malformed body or envelope stores nothing; bad objects fail in the status, the rest go in', async () => {
  const notJson = await call('collections/campaigns/objects/', {
    method: 'POST',
    body: '{"objects": [',
  });
  assert.equal(notJson.status, 400);
  const notEnvelope = await call('collections/campaigns/objects/', {
    method: 'POST',
    body: '{"type": "bundle"}',
  });
  assert.equal(notEnvelope.status, 422);
  const objects = [
    indicator(1, tlpMarkingIds.green),
    { ...indicator(2, tlpMarkingIds.green), pattern: "[ipv4-addr:value = '1.2.3.4'" },
    {
      type: 'x-unknown-thing',
      spec_version: '2.1',
      id: 'x-unknown-thing--00000000-0000-4000-8000-000000000003',
      created: '2026-01-01T00:00:00.000Z',
      modified: '2026-01-01T00:00:00.000Z',
    },
    indicator(4, tlpMarkingIds.amber),
    indicator(5, tlpMarkingIds.red),
    indicator(6, null),
    {
      ...indicator(7, tlpMarkingIds.green),
      description: 'a part marked RED',
      granular_markings: [{ marking_ref: tlpMarkingIds.red, selectors: ['description'] }],
    },
  ];
  const posted = await call('collections/campaigns/objects/', {
    method: 'POST',
    body: JSON.stringify({ objects }),
  });
  assert.equal(posted.status, 202);
  assert.equal(posted.body.status, 'complete');
  assert.equal(posted.body.success_count, 5);
  assert.equal(posted.body.failure_count, 2);
  const failures = posted.body.failures as { id: string; message: string }[];
  assert.match(failures[0].message, /pattern does not parse/);
  assert.match(failures[1].message, /unknown type 'x-unknown-thing'/);
  const status = await call(`status/${String(posted.body.id)}`);
  assert.deepEqual(status.body, posted.body);
  assert.equal(
    (await call(`status/${String(posted.body.id)}`, { as: 'reader' })).status,
    404,
    "another partner's status",
  );
});

test('TLP: a GREEN partner gets CLEAR and GREEN only; an AMBER partner AMBER too (unmarked counts as AMBER); RED never leaves', async () => {
  const ids = (body: JsonObject) =>
    ((body.objects as JsonObject[] | undefined) ?? []).map((object) =>
      String(object.id).slice(11, 19),
    );
  assert.deepEqual(ids((await call('collections/campaigns/objects/', { as: 'reader' })).body), [
    '00000001',
  ]);
  assert.deepEqual(ids((await call('collections/campaigns/objects/', { as: 'writer' })).body), [
    '00000001',
    '00000004',
    '00000006',
  ]);
});

test('objects: limit and next page in the order added, added_after, match[id|type|version], versions and manifest', async () => {
  const newer = indicator(1, tlpMarkingIds.green, '2026-02-01T00:00:00.000Z');
  await call('collections/campaigns/objects/', {
    method: 'POST',
    body: JSON.stringify({ objects: [newer] }),
  });
  const first = await call('collections/campaigns/objects/?limit=2');
  assert.equal(first.body.more, true);
  assert.equal((first.body.objects as JsonObject[]).length, 2);
  assert.ok(first.headers.get('x-taxii-date-added-first'));
  const second = await call(
    `collections/campaigns/objects/?limit=2&next=${String(first.body.next)}`,
  );
  assert.equal(second.body.more, false);
  const all = [...(first.body.objects as JsonObject[]), ...(second.body.objects as JsonObject[])];
  assert.equal(all.length, 3, 'latest versions only by default');
  assert.equal(all.find((object) => object.id === newer.id)?.modified, newer.modified);
  const versions = await call(`collections/campaigns/objects/${String(newer.id)}/versions/`);
  assert.deepEqual(versions.body.versions, [
    '2026-01-01T00:00:00.000Z',
    '2026-02-01T00:00:00.000Z',
  ]);
  const firstVersion = await call(
    `collections/campaigns/objects/${String(newer.id)}/?match[version]=first`,
  );
  assert.equal((firstVersion.body.objects as JsonObject[])[0].modified, '2026-01-01T00:00:00.000Z');
  const later = await call(
    `collections/campaigns/objects/?added_after=${encodeURIComponent(String(first.headers.get('x-taxii-date-added-last')))}`,
  );
  assert.ok(
    ((later.body.objects as JsonObject[] | undefined) ?? []).every(
      (object) => object.id === newer.id,
    ),
  );
  assert.equal(
    (await call('collections/campaigns/objects/?match[type]=campaign')).body.objects,
    undefined,
  );
  assert.equal(
    (
      (await call(`collections/campaigns/objects/?match[id]=${String(newer.id)}`)).body
        .objects as JsonObject[]
    ).length,
    1,
  );
  const manifest = await call('collections/campaigns/manifest/');
  assert.deepEqual(
    (manifest.body.objects as JsonObject[]).map((entry) => entry.media_type),
    Array(3).fill('application/stix+json;version=2.1'),
  );
  assert.equal((await call('collections/campaigns/objects/?added_after=yesterday')).status, 400);
});
