// Separation (review M4, M10): with --admin-port the public port answers neither the admin API,
// the sidecar nor /metrics; a read-scoped admin token cannot create API keys; an account header
// without the auth proxy's secret is refused, and serve will not start --trust-account-header
// without one. Strict config (item 7): serve refuses a misspelt field before it opens a store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { proxySecretHeader } from '../src/core/index.js';
import { startFakeUpstream } from '../src/test-support/fake-openai-upstream.js';
import { runCli } from '../src/test-support/run-cli.js';
import { call } from './support/config.js';
import { startServe } from './support/serve.js';

const chat = { model: 'any-model', messages: [{ role: 'user' as const, content: 'Hello.' }] };

test(
  '--admin-port: the public port does not answer admin routes or /metrics; a read token cannot create keys',
  { timeout: 120_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-fault-separation-'));
    const upstream = await startFakeUpstream({ reply: 'Served.' });
    const db = join(folder, 'gateway.db');
    try {
      const reader = JSON.parse(
        (
          await runCli([
            'tokens',
            'create',
            '--scope',
            'read',
            '--label',
            'dashboard',
            '--db',
            db,
            '--json',
          ])
        ).stdout,
      ) as { token_id: string; secret: string };
      const keeper = JSON.parse(
        (await runCli(['tokens', 'create', '--scope', 'keys,read', '--db', db, '--json'])).stdout,
      ) as { token_id: string; secret: string };
      const listed = await runCli(['tokens', 'list', '--db', db]);
      assert.match(
        listed.stdout,
        new RegExp(`${reader.token_id}\\tread\\t.*\\tactive\\tdashboard`),
      );
      assert.match(listed.stdout, new RegExp(`${keeper.token_id}\\tread,keys\\t`));
      assert.ok(
        !readFileSync(db).includes(Buffer.from(reader.secret)),
        'token secrets are not in the database',
      );

      const serve = await startServe([
        '--upstream',
        `http://operator:hunter2@${new URL(upstream.url).host}/v1`,
        '--db',
        db,
        '--admin-port',
        '0',
      ]);
      try {
        assert.ok(serve.adminUrl, serve.output());
        // the startup line names the store, the upstream without its credentials, and both
        // listeners. The logger writes it before the "listening" line, but through its own
        // buffer: on a busy host it can reach the pipe after that line, so wait for it (5 s).
        const startupLine = () =>
          serve
            .output()
            .split('\n')
            .find((line) => line.includes('"msg":"distillguard gateway started'));
        for (let waited = 0; !startupLine() && waited < 5_000; waited += 50)
          await new Promise((resolve) => setTimeout(resolve, 50));
        const first = JSON.parse(startupLine() ?? '{}') as Record<string, any>;
        assert.equal(first.store, db);
        assert.equal(first.upstreams[0].url, `http://${new URL(upstream.url).host}/v1`);
        assert.deepEqual(first.listeners, { public: serve.url, admin: serve.adminUrl });
        assert.ok(!serve.output().includes('hunter2'), 'no upstream credentials in the log');

        for (const [method, path] of [
          ['GET', '/metrics'],
          ['GET', '/v1/admin/keys'],
          ['POST', '/v1/admin/keys'],
          ['GET', '/v1/admin/assessment'],
          ['POST', '/v1/decide'],
          ['POST', '/v1/ingest'],
        ] as const) {
          const answer = await call(
            `${serve.url}${path}`,
            method,
            keeper.secret,
            method === 'POST' ? { account_id: 'acct-1' } : undefined,
          );
          assert.equal(answer.status, 404, `${method} ${path} on the public port`);
        }
        const metrics = await call(`${serve.adminUrl}/metrics`, 'GET', null);
        assert.equal(metrics.status, 200);
        assert.match(
          String(metrics.body),
          /distillguard_gateway_requests_total|distillguard_process_cpu/,
        );

        const refused = await call(`${serve.adminUrl}/v1/admin/keys`, 'POST', reader.secret, {
          account_id: 'acct-1',
        });
        assert.equal(refused.status, 403);
        assert.equal(refused.body.error.code, 'insufficient_scope');
        assert.match(refused.body.error.message, /'keys' scope/);
        assert.equal(
          (await call(`${serve.adminUrl}/v1/admin/keys`, 'GET', reader.secret)).status,
          200,
          'read lists keys',
        );
        assert.equal(
          (
            await call(`${serve.adminUrl}/v1/decide`, 'POST', reader.secret, {
              account_id: 'acct-1',
            })
          ).status,
          403,
          'read does not act',
        );
        const created = await call(`${serve.adminUrl}/v1/admin/keys`, 'POST', keeper.secret, {
          account_id: 'acct-1',
        });
        assert.equal(created.status, 201);
        const openai = new OpenAI({
          apiKey: created.body.secret,
          baseURL: `${serve.url}/v1`,
          maxRetries: 0,
        });
        assert.equal(
          (await openai.chat.completions.create(chat)).choices[0].message.content,
          'Served.',
        );

        // a revoked token stops working within the cache's few seconds
        assert.equal((await runCli(['tokens', 'revoke', reader.token_id, '--db', db])).code, 0);
        let status = 200;
        for (let attempt = 0; attempt < 60 && status === 200; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          status = (await call(`${serve.adminUrl}/v1/admin/keys`, 'GET', reader.secret)).status;
        }
        assert.equal(status, 401, 'revoked within 15 s');
      } finally {
        assert.equal(await serve.stop(), 0);
      }
    } finally {
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);

test(
  '--trust-account-header: no start without the proxy secret; a forged account header without it is refused',
  { timeout: 120_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-fault-proxy-secret-'));
    const upstream = await startFakeUpstream({ reply: 'Served.' });
    const db = join(folder, 'gateway.db');
    try {
      const refused = await runCli([
        'serve',
        '--port',
        '0',
        '--upstream',
        upstream.url,
        '--db',
        db,
        '--trust-account-header',
        'x-account',
      ]);
      assert.equal(refused.code, 64);
      assert.match(
        refused.stderr,
        /--trust-account-header needs a secret shared with the auth proxy/,
      );

      const serve = await startServe(
        ['--upstream', upstream.url, '--db', db, '--trust-account-header', 'x-account'],
        { env: { DISTILLGUARD_PROXY_SECRET: 'shared-with-the-auth-proxy-0123' } },
      );
      try {
        const forged = new OpenAI({
          apiKey: 'unused',
          baseURL: `${serve.url}/v1`,
          maxRetries: 0,
          defaultHeaders: { 'x-account': 'acct-victim' },
        });
        await assert.rejects(
          forged.chat.completions.create(chat),
          (error: unknown) =>
            error instanceof OpenAI.AuthenticationError &&
            new RegExp(proxySecretHeader).test(error.message),
        );
        const proxied = new OpenAI({
          apiKey: 'unused',
          baseURL: `${serve.url}/v1`,
          maxRetries: 0,
          defaultHeaders: {
            'x-account': 'acct-real',
            [proxySecretHeader]: 'shared-with-the-auth-proxy-0123',
          },
        });
        assert.equal(
          (await proxied.chat.completions.create(chat)).choices[0].message.content,
          'Served.',
        );
      } finally {
        assert.equal(await serve.stop(), 0);
      }
      const exported = await runCli(['export', '--db', db, '--out', '-']);
      const accounts = exported.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { account_id: string }).account_id);
      assert.ok(
        !accounts.includes('acct-victim'),
        `the forged account never reaches the store: ${accounts.join(', ')}`,
      );
      assert.ok(accounts.includes('acct-real'));
    } finally {
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);

test(
  'a misspelt config field stops serve with its path and the nearest name, before any store exists',
  { timeout: 60_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-fault-config-'));
    try {
      writeFileSync(
        join(folder, 'gateway.json'),
        JSON.stringify({
          upstreams: [{ name: 'a', url: 'http://127.0.0.1:9/v1', timout_ms: 1_000 }],
        }),
      );
      const db = join(folder, 'gateway.db');
      const served = await runCli([
        'serve',
        '--port',
        '0',
        '--config',
        join(folder, 'gateway.json'),
        '--db',
        db,
      ]);
      assert.equal(served.code, 64);
      assert.match(
        served.stderr,
        /gateway\.json: unknown field 'upstreams\[0\]\.timout_ms': did you mean 'timeout_ms'\?/,
      );
      assert.equal(existsSync(db), false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
