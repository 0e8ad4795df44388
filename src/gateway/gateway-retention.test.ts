// The `retention` config of `serve`: the gateway prunes on its write thread at start and hourly,
// and a misspelt retention field stops the start with its name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ingest, openInput } from '../ingest/index.js';
import { SqliteStore } from '../store/index.js';
import { startFakeUpstream } from '../test-support/fake-openai-upstream.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { parseGatewayConfig } from './gateway-config.js';
import { startGateway } from './server.js';

const record = (id: string, ts: string) =>
  JSON.stringify({
    id,
    ts,
    account_id: 'a1',
    api: 'openai.chat',
    model: 'm',
    request: { messages: [{ role: 'user', content: `text of ${id}` }] },
  });

test(
  'serve with a retention config prunes old exchanges: text after text_days, rows after exchanges_days',
  { timeout: 60_000 },
  async () => {
    const folder = temporaryDirectory();
    const db = join(folder, 'gateway.db');
    const seeded = SqliteStore.open(db);
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const lines = [
      record('ancient', daysAgo(400)),
      record('month-old', daysAgo(40)),
      record('fresh', daysAgo(1)),
    ];
    await ingest(
      'interactions',
      await openInput('-', Readable.from([`${lines.join('\n')}\n`])),
      seeded,
    );
    await seeded.close();
    const upstream = await startFakeUpstream();
    const gateway = await startGateway({
      port: 0,
      databasePath: db,
      upstream: upstream.url,
      logLevel: 'silent',
      config: parseGatewayConfig({ retention: { text_days: 30, exchanges_days: 365 } }),
    });
    try {
      const deadline = Date.now() + 20_000;
      let rows: { id: string; raw: string }[] = [];
      while (Date.now() < deadline) {
        rows = gateway.store.connection
          .prepare('SELECT id, raw FROM interactions ORDER BY seq')
          .all() as { id: string; raw: string }[];
        if (rows.length === 2 && rows[0].raw.includes('text_pruned_at')) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(
        rows.map((row) => row.id),
        ['month-old', 'fresh'],
        'the exchange older than exchanges_days is deleted',
      );
      assert.doesNotMatch(
        rows[0].raw,
        /text of month-old/,
        'the one older than text_days lost its text',
      );
      assert.match(rows[1].raw, /text of fresh/);
    } finally {
      await gateway.close();
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);

test('a misspelt retention field is refused with its name', () => {
  assert.throws(
    () => parseGatewayConfig({ retention: { text_day: 30 } }),
    /unknown field 'retention.text_day': did you mean 'text_days'?/,
  );
  assert.throws(() => parseGatewayConfig({ retention: { text_days: -1 } }), /retention\.text_days/);
});
