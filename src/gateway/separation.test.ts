// Separation over real sockets with the official OpenAI client: the admin listener, scoped admin
// tokens, /metrics behind a read token on the public port, the proxy secret of
// --trust-account-header, and X-Forwarded-For believed from trusted proxies only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { request } from 'undici';
import { DistillGuardError, proxySecretHeader } from '../core/index.js';
import { startFakeUpstream, type FakeUpstream } from '../test-support/fake-openai-upstream.js';
import { startGateway, type RunningGateway } from './server.js';

const chat = { model: 'any-model', messages: [{ role: 'user' as const, content: 'Hello.' }] };

async function clientAddresses(gateway: RunningGateway): Promise<string[]> {
  await gateway.recorder.drain();
  const addresses: string[] = [];
  for await (const raw of gateway.store.exportInteractions())
    addresses.push((JSON.parse(raw) as { client: { ip: string } }).client.ip);
  return addresses;
}

describe('separation', () => {
  let folder: string;
  let upstream: FakeUpstream;
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'dg-separation-'));
    upstream = await startFakeUpstream({ reply: 'Separated.', chunkDelayMs: 0 });
  });
  after(async () => {
    await upstream.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('without --admin-port: /metrics needs a read token; scopes decide each admin route; a repeated query parameter is a 400', async () => {
    const gateway = await startGateway({
      port: 0,
      databasePath: join(folder, 'shared.db'),
      upstream: upstream.url,
      logLevel: 'silent',
    });
    try {
      const reader = (await gateway.tokens.create(['read'])).secret;
      const actor = (await gateway.tokens.create(['act'])).secret;
      const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
      assert.equal((await request(`${gateway.url}/metrics`)).statusCode, 401);
      assert.equal(
        (await request(`${gateway.url}/metrics`, { headers: bearer(actor) })).statusCode,
        403,
      );
      const scraped = await request(`${gateway.url}/metrics`, { headers: bearer(reader) });
      assert.equal(scraped.statusCode, 200);
      assert.match(
        await scraped.body.text(),
        /distillguard_gateway_requests_total|distillguard_process/,
      );

      const denied = await request(`${gateway.url}/v1/admin/keys`, {
        method: 'POST',
        headers: { ...bearer(reader), 'content-type': 'application/json' },
        body: JSON.stringify({ account_id: 'acct-1' }),
      });
      assert.equal(denied.statusCode, 403);
      const body = (await denied.body.json()) as {
        error: { code: string; type: string; message: string };
      };
      assert.equal(body.error.code, 'insufficient_scope');
      assert.equal(body.error.type, 'permission_error');
      assert.match(body.error.message, /'keys' scope/);
      const decided = await request(`${gateway.url}/v1/decide`, {
        method: 'POST',
        headers: { ...bearer(actor), 'content-type': 'application/json' },
        body: JSON.stringify({ account_id: 'acct-1' }),
      });
      assert.equal(decided.statusCode, 200);
      await decided.body.dump();

      const repeated = await request(`${gateway.url}/v1/admin/keys?account_id=a&account_id=b`, {
        headers: bearer(reader),
      });
      assert.equal(repeated.statusCode, 400);
      assert.equal(
        ((await repeated.body.json()) as { error: { param: string } }).error.param,
        'account_id',
      );
    } finally {
      await gateway.close();
    }
  });

  test('--admin-port: admin routes and metrics only there; the first log line names both listeners', async () => {
    const gateway = await startGateway({
      port: 0,
      adminPort: 0,
      databasePath: join(folder, 'split.db'),
      upstream: upstream.url,
      adminToken: 'bootstrap-token-for-tests',
      logLevel: 'silent',
    });
    try {
      assert.ok(gateway.adminUrl && gateway.adminUrl !== gateway.url);
      assert.equal(gateway.startup.adminUrl, gateway.adminUrl);
      const bearer = { authorization: 'Bearer bootstrap-token-for-tests' };
      for (const path of ['/metrics', '/v1/admin/keys', '/v1/admin/assessment']) {
        assert.equal(
          (await request(`${gateway.url}${path}`, { headers: bearer })).statusCode,
          404,
          `public ${path}`,
        );
      }
      assert.equal(
        (
          await request(`${gateway.url}/v1/decide`, {
            method: 'POST',
            headers: bearer,
            body: '{"account_id":"a"}',
          })
        ).statusCode,
        404,
      );
      assert.equal(
        (await request(`${gateway.adminUrl}/metrics`)).statusCode,
        200,
        'the admin listener serves metrics to its scraper',
      );
      const created = await request(`${gateway.adminUrl}/v1/admin/keys`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ account_id: 'acct-admin' }),
      });
      assert.equal(created.statusCode, 201);
      const { secret } = (await created.body.json()) as { secret: string };
      const openai = new OpenAI({ apiKey: secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
      assert.equal(
        (await openai.chat.completions.create(chat)).choices[0].message.content,
        'Separated.',
      );
      assert.equal(
        (await request(`${gateway.adminUrl}/v1/chat/completions`, { method: 'POST', body: '{}' }))
          .statusCode,
        404,
        'no model routes on the admin listener',
      );
    } finally {
      await gateway.close();
    }
  });

  test('--trust-account-header needs the proxy secret: refused at start without one, 401 for a request without it', async () => {
    await assert.rejects(
      startGateway({
        port: 0,
        databasePath: join(folder, 'nosecret.db'),
        upstream: upstream.url,
        trustAccountHeader: 'x-account',
        logLevel: 'silent',
      }),
      (error: unknown) =>
        error instanceof DistillGuardError &&
        error.code === 'usage' &&
        /needs a secret shared with the auth proxy/.test(error.message),
    );
    const gateway = await startGateway({
      port: 0,
      databasePath: join(folder, 'trusted.db'),
      upstream: upstream.url,
      trustAccountHeader: 'X-Account',
      trustAccountHeaderSecret: 'proxy-secret-0123456789',
      logLevel: 'silent',
    });
    try {
      const proxied = new OpenAI({
        apiKey: 'unused',
        baseURL: `${gateway.url}/v1`,
        maxRetries: 0,
        defaultHeaders: {
          'x-account': 'acct-proxied',
          [proxySecretHeader]: 'proxy-secret-0123456789',
        },
      });
      assert.equal(
        (await proxied.chat.completions.create(chat)).choices[0].message.content,
        'Separated.',
      );
      const forged = new OpenAI({
        apiKey: 'unused',
        baseURL: `${gateway.url}/v1`,
        maxRetries: 0,
        defaultHeaders: { 'x-account': 'acct-victim' },
      });
      await assert.rejects(forged.chat.completions.create(chat), OpenAI.AuthenticationError);
      const guessed = new OpenAI({
        apiKey: 'unused',
        baseURL: `${gateway.url}/v1`,
        maxRetries: 0,
        defaultHeaders: {
          'x-account': 'acct-victim',
          [proxySecretHeader]: 'proxy-secret-012345678',
        },
      });
      await assert.rejects(guessed.chat.completions.create(chat), OpenAI.AuthenticationError);
    } finally {
      await gateway.close();
    }
  });

  test('--trusted-proxies: X-Forwarded-For gives the client address only from a trusted peer', async () => {
    const behind = await startGateway({
      port: 0,
      databasePath: join(folder, 'behind.db'),
      upstream: upstream.url,
      trustedProxies: ['127.0.0.0/8'],
      logLevel: 'silent',
    });
    const direct = await startGateway({
      port: 0,
      databasePath: join(folder, 'direct.db'),
      upstream: upstream.url,
      trustedProxies: ['10.0.0.0/8'],
      logLevel: 'silent',
    });
    try {
      for (const gateway of [behind, direct]) {
        const openai = new OpenAI({
          apiKey: (await gateway.keys.create('acct-xff')).secret,
          baseURL: `${gateway.url}/v1`,
          maxRetries: 0,
          defaultHeaders: { 'x-forwarded-for': '1.2.3.4, 203.0.113.9' },
        });
        await openai.chat.completions.create(chat);
      }
      assert.deepEqual(
        await clientAddresses(behind),
        ['203.0.113.9'],
        'the rightmost untrusted hop',
      );
      assert.deepEqual(
        await clientAddresses(direct),
        ['127.0.0.1'],
        'the socket address: the peer is no trusted proxy',
      );
      await assert.rejects(
        startGateway({
          port: 0,
          databasePath: join(folder, 'bad.db'),
          upstream: upstream.url,
          trustedProxies: ['10.0.0.0/40'],
          logLevel: 'silent',
        }),
        /'10\.0\.0\.0\/40' is not an address or CIDR/,
      );
    } finally {
      await Promise.all([behind.close(), direct.close()]);
    }
  });
});
