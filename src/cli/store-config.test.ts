// The store commands on the store that the config's `storage` block names, as an operator runs
// them: ingest, export, accounts import, keys, users and prune against a fresh PostgreSQL schema
// (skipped without PostgreSQL, failed under CI); a PostgreSQL that does not answer exits 69 naming
// its URL without credentials; serve and hub refuse PostgreSQL; config check says where the store is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userTokenVariable } from '../core/index.js';
import { openPgStore } from '../store/index.js';
import {
  engineOrSkip,
  freePort,
  startPostgresCommand,
  testPostgresUrl,
} from '../test-support/engines.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';
import { dropSchema, testSchema } from '../test-support/stores.js';

const record = (id: string, ts: string, account = 'a1') =>
  JSON.stringify({
    id,
    ts,
    account_id: account,
    api: 'openai.chat',
    model: 'm',
    request: { messages: [{ role: 'user', content: `private prompt ${id}` }] },
    response: { status: 200, text: `private answer ${id}`, usage: { output_tokens: 3 } },
  });

const serveRefusal =
  'storage.kind "postgres" is not supported by serve yet: serve keeps its store in SQLite (--db) until distillguard worker lands (docs/scale.md). The store commands (ingest, export, keys, ...) take it with --config.';

const exportedIds = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { id: string }).id)
    .sort();

test(
  'store commands with --config: ingest, export, accounts, keys, users and prune on PostgreSQL',
  { timeout: 180_000 },
  async (context) => {
    if (!(await engineOrSkip(context, testPostgresUrl, 'PostgreSQL', startPostgresCommand))) return;
    const folder = temporaryDirectory();
    const schema = testSchema();
    try {
      const config = join(folder, 'postgres.json');
      writeFileSync(
        config,
        JSON.stringify({ storage: { kind: 'postgres', url: testPostgresUrl, schema } }),
      );
      // the key-hashing secret and the log's key go beside the default --db, in the working folder
      const cli = (args: string[], env?: NodeJS.ProcessEnv) =>
        runCli([...args, '--config', config], { cwd: folder, env });

      const input = join(folder, 'log.jsonl');
      const recent = new Date(Date.now() - 3_600_000).toISOString();
      writeFileSync(
        input,
        `${[record('old1', '2020-05-01T00:00:00Z'), record('old2', '2020-05-02T00:00:00Z'), record('new1', recent, 'a2')].join('\n')}\n`,
      );
      const first = await cli(['ingest', '--interactions', input]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /interactions: 3 distinct \(3 new, 0 already stored\)/);
      const again = await cli(['ingest', '--interactions', input]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /interactions: 3 distinct \(0 new, 3 already stored\)/);

      const out = join(folder, 'out.jsonl');
      const exported = await cli(['export', '--out', out]);
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stderr, /exported 3 interactions/);
      assert.deepEqual(exportedIds(out), ['new1', 'old1', 'old2']);
      assert.match(readFileSync(out, 'utf8'), /private answer old1/);

      const accounts = join(folder, 'accounts.jsonl');
      writeFileSync(
        accounts,
        `${JSON.stringify({ account_id: 'a1', country: 'NL' })}\n${JSON.stringify({ account_id: 'a2', email_domain: 'example.org' })}\n`,
      );
      const imported = await cli(['accounts', 'import', accounts]);
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stdout, /accounts: 2 stored, 0 lines rejected/);
      const reader = await openPgStore({ url: testPostgresUrl, schema, poolSize: 1 });
      try {
        const rows = await reader.readAccounts();
        assert.deepEqual(rows.map((row) => [row.accountId, row.country, row.emailDomain]).sort(), [
          ['a1', 'NL', null],
          ['a2', null, 'example.org'],
        ]);
      } finally {
        await reader.close();
      }

      const created = await cli(['keys', 'create', '--account', 'a1', '--label', 'ci', '--json']);
      assert.equal(created.code, 0, created.stderr);
      const key = JSON.parse(created.stdout) as { key_id: string; account_id: string };
      assert.equal(key.account_id, 'a1');
      const listed = await cli(['keys', 'list']);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(`^${key.key_id}\\ta1\\t\\S+\\tactive\\tci$`, 'm'));
      const revokeUnknown = await cli(['keys', 'revoke', 'no-such-key']);
      assert.equal(revokeUnknown.code, 64);
      assert.match(
        revokeUnknown.stderr,
        new RegExp(
          `no key 'no-such-key' in PostgreSQL at postgres://127\\.0\\.0\\.1:\\d+/\\S+ \\(schema ${schema}\\)`,
        ),
      );

      // cases, users and log open the store through the same path (acting-user.ts)
      const admin = await cli(['users', 'add', 'root', '--role', 'admin']);
      assert.equal(admin.code, 0, admin.stderr);
      const token = /token \(shown once[^)]*\): (\S+)/.exec(admin.stdout)?.[1];
      assert.ok(token, admin.stdout);
      const users = await cli(['users', 'list', '--as', 'root'], { [userTokenVariable]: token });
      assert.equal(users.code, 0, users.stderr);
      assert.match(users.stdout, /^root\tadmin\t/m);

      const pruned = await cli(['prune', '--older-than', '30d']);
      assert.equal(pruned.code, 0, pruned.stderr);
      assert.match(pruned.stdout, /: 2 exchanges deleted, 0 reduced/);
      assert.equal((await cli(['export', '--out', out])).code, 0);
      assert.deepEqual(exportedIds(out), ['new1']);

      assert.equal(
        existsSync(join(folder, 'distillguard.db')),
        false,
        'no SQLite store was made beside the config',
      );
    } finally {
      await dropSchema(testPostgresUrl, schema);
      rmSync(folder, { recursive: true, force: true });
    }
  },
);

test(
  'store config at the start: a dead PostgreSQL exits 69, --db and postgres together are refused, serve and hub refuse postgres, config check names the store',
  { timeout: 120_000 },
  async () => {
    const folder = temporaryDirectory();
    try {
      const port = await freePort();
      const dead = join(folder, 'dead.json');
      writeFileSync(
        dead,
        JSON.stringify({
          storage: {
            kind: 'postgres',
            url: `postgres://dg@127.0.0.1:${port}/dg`,
            password_env: 'DG_STORE_CONFIG_TEST_PASSWORD',
          },
        }),
      );
      const env = { DG_STORE_CONFIG_TEST_PASSWORD: 'not-to-be-printed-42' };
      for (const args of [
        ['ingest', '--interactions', join(folder, 'unused.jsonl')],
        ['keys', 'list'],
        ['export', '--out', join(folder, 'never.jsonl')],
      ]) {
        const result = await runCli([...args, '--config', dead], { cwd: folder, env });
        assert.equal(result.code, 69, `${args.join(' ')}: ${result.stderr}`);
        assert.match(
          result.stderr,
          new RegExp(`PostgreSQL at postgres://127\\.0\\.0\\.1:${port}/dg did not answer`),
        );
        assert.ok(!result.stderr.includes('not-to-be-printed-42'), 'the password is not printed');
        assert.ok(!result.stderr.includes('dg@'), 'the user is not printed');
      }
      assert.equal(existsSync(join(folder, 'never.jsonl')), false);

      const both = await runCli([
        'export',
        '--config',
        dead,
        '--db',
        join(folder, 'other.db'),
        '--out',
        join(folder, 'never.jsonl'),
      ]);
      assert.equal(both.code, 64, both.stderr);
      assert.match(
        both.stderr,
        /names the store PostgreSQL at postgres:\/\/127\.0\.0\.1:\d+\/dg \(schema distillguard\), and --db names the SQLite file '.*other\.db': give one of them/,
      );
      assert.equal(existsSync(join(folder, 'other.db')), false);

      const missing = await runCli(['keys', 'list', '--config', join(folder, 'absent.json')]);
      assert.equal(missing.code, 2, missing.stderr);
      assert.match(missing.stderr, /cannot read config '.*absent\.json'/);

      const db = join(folder, 'never.db');
      const served = await runCli(['serve', '--port', '0', '--config', dead, '--db', db], { env });
      assert.equal(served.code, 64, served.stderr);
      assert.equal(served.stderr.trim(), `distillguard: ${serveRefusal}`);
      assert.equal(served.stdout, '', 'nothing started');
      assert.equal(existsSync(db), false, 'no store was created');

      const hub = await runCli(['hub', '--port', '0', '--config', dead], { cwd: folder, env });
      assert.equal(hub.code, 64, hub.stderr);
      assert.match(hub.stderr, /hub needs the SQLite file of --db \(the dashboard it serves/);

      const checked = await runCli(['config', 'check', '--config', dead]);
      assert.equal(checked.code, 0, checked.stderr);
      assert.match(
        checked.stdout,
        new RegExp(
          `valid: .*, store in PostgreSQL at postgres://127\\.0\\.0\\.1:${port}/dg \\(schema distillguard\\) for the store commands`,
        ),
      );
      assert.ok(!checked.stdout.includes('dg@'), 'the user is not printed');

      // without a storage block the store stays the SQLite file of --db, as before
      const plain = join(folder, 'plain.json');
      writeFileSync(plain, JSON.stringify({ policy: { ttl_s: 60 } }));
      const sqliteCheck = await runCli(['config', 'check', plain, '--db', 'stores/main.db']);
      assert.equal(sqliteCheck.code, 0, sqliteCheck.stderr);
      assert.match(sqliteCheck.stdout, /, store in the SQLite file stores\/main\.db\n$/);
      const sqliteDb = join(folder, 'store.db');
      const input = join(folder, 'log.jsonl');
      writeFileSync(input, `${record('s1', '2024-01-01T00:00:00Z')}\n`);
      const ingested = await runCli([
        'ingest',
        '--interactions',
        input,
        '--db',
        sqliteDb,
        '--config',
        plain,
      ]);
      assert.equal(ingested.code, 0, ingested.stderr);
      assert.match(ingested.stdout, /interactions: 1 distinct \(1 new, 0 already stored\)/);
      assert.equal(existsSync(sqliteDb), true, 'the SQLite file of --db holds it');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
