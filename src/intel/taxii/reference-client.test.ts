// The OASIS reference TAXII 2.1 client's exchanges with the hub (fixtures/taxii), replayed in
// order against a hub on a fresh store: every answer has the recorded status, media type and body
// (what differs run to run, the status id and the times objects were added, by shape only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../store/index.js';
import { repositoryRoot, temporaryDirectory } from '../../test-support/paths.js';
import { startHub } from './hub-server.js';

interface Exchange {
  request: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: unknown;
  };
  response: { status: number; headers: Record<string, string>; body: unknown };
}

const volatile = new Set(['request_timestamp', 'date_added']);
const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The body with run-dependent values replaced by their shape. */
function normalized(value: unknown, statusIds: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => normalized(item, statusIds));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        volatile.has(key) && typeof item === 'string' && isoTime.test(item)
          ? '<time>'
          : typeof item === 'string' && statusIds.has(item)
            ? '<status id>'
            : normalized(item, statusIds),
      ]),
    );
  return value;
}

test('the reference TAXII 2.1 client: every recorded exchange answers the same from a fresh hub', async () => {
  const exchanges = JSON.parse(
    readFileSync(join(repositoryRoot, 'fixtures/taxii/reference-client-exchanges.json'), 'utf8'),
  ) as Exchange[];
  const folder = temporaryDirectory('dg-taxii-reference-');
  const store = SqliteStore.open(join(folder, 'hub.db'));
  const hashSecret = (secret: string) =>
    createHmac('sha256', 'test key').update(secret).digest('base64url');
  const basic = Buffer.from(
    exchanges[0].request.headers.Authorization.replace(/^Basic /, ''),
    'base64',
  ).toString();
  const [name, secret] = [basic.slice(0, basic.indexOf(':')), basic.slice(basic.indexOf(':') + 1)];
  await store.taxii.addPartner({
    name,
    secretHash: hashSecret(secret),
    canRead: ['campaigns'],
    canWrite: ['campaigns'],
    amber: true,
    createdAt: new Date().toISOString(),
    revokedAt: null,
  });
  const hub = await startHub({
    store,
    hashSecret,
    port: 0,
    host: '127.0.0.1',
    title: 'DistillGuard hub',
  });
  const statusIds = new Map<string, string>();
  try {
    assert.equal(exchanges.length, 13);
    for (const { request, response } of exchanges) {
      let path = request.path;
      for (const [recorded, replayed] of statusIds) path = path.replace(recorded, replayed);
      const answer = await fetch(`${hub.url}${path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body === null ? undefined : JSON.stringify(request.body),
      });
      const text = await answer.text();
      const what = `${request.method} ${request.path}`;
      assert.equal(answer.status, response.status, `${what}: ${text}`);
      assert.equal(answer.headers.get('content-type'), response.headers['Content-Type'], what);
      for (const header of ['X-TAXII-Date-Added-First', 'X-TAXII-Date-Added-Last'])
        assert.equal(answer.headers.has(header), header in response.headers, `${what}: ${header}`);
      const body = JSON.parse(text) as Record<string, unknown>;
      if (request.method === 'POST') {
        const recordedId = (response.body as Record<string, string>).id;
        statusIds.set(recordedId, String(body.id));
      }
      const ids = new Map(
        [...statusIds].flatMap(([a, b]) => [
          [a, a],
          [b, b],
        ]),
      );
      const host = new URL(hub.url).host;
      const expected = JSON.parse(
        JSON.stringify(response.body).replace(/127\.0\.0\.1:\d+/g, host),
      ) as unknown;
      assert.deepEqual(normalized(body, ids), normalized(expected, ids), what);
    }
  } finally {
    await hub.close();
    await store.close();
  }
});
