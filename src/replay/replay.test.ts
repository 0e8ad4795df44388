import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DistillGuardError, replayHeaderNames } from '../core/index.js';
import { startGatewayStandIn, unusedLocalUrl } from '../test-support/gateway-stand-in.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';
import { replay } from './index.js';

const adminToken = 'admin-test-token';
const start = Date.parse('2026-02-02T09:00:00Z');

function record(
  id: string,
  account: string,
  secondsAfterStart: number,
  api: string,
  request: Record<string, unknown>,
  client?: Record<string, unknown>,
): string {
  return JSON.stringify({
    id,
    ts: new Date(start + secondsAfterStart * 1000).toISOString(),
    account_id: account,
    api,
    model: 'orion-1',
    request,
    client,
  });
}

const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'orion-1',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

/** A traffic folder with every api, one invalid and one blank line, and an accounts file with one bad line. */
function trafficFolder(options: { gzip?: boolean } = {}): string {
  const folder = temporaryDirectory('distillguard-replay-');
  const lines = [
    record('r1', 'alice', 0, 'openai.chat', chat({ max_tokens: 4096, stream: true }), {
      ip: '203.0.113.7',
      asn: 64500,
      country: 'DE',
      user_agent: 'OpenAI/Python 1.40.0',
    }),
    record('r2', 'bob', 0.001, 'anthropic.messages', {
      model: 'orion-1',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'hi' }],
    }),
    record('r3', 'alice', 0.002, 'openai.completions', { model: 'orion-1', prompt: 'Once' }),
    record('r4', 'bob', 0.003, 'openai.responses', { model: 'orion-1', input: 'hi' }),
    'not json',
    '',
    record('r5', 'alice', 0.004, 'openai.chat', chat({ max_completion_tokens: 8 })),
    record('r6', 'bob', 0.005, 'openai.chat', chat()),
  ];
  const text = `${lines.join('\n')}\n`;
  if (options.gzip) writeFileSync(join(folder, 'interactions.jsonl.gz'), gzipSync(text));
  else writeFileSync(join(folder, 'interactions.jsonl'), text);
  writeFileSync(
    join(folder, 'accounts.jsonl'),
    [
      '{"account_id":"alice","created_at":"2025-01-01T00:00:00Z"}',
      '{"oops":1}',
      '{"account_id":"bob","created_at":"2025-01-01T00:00:00Z"}',
    ].join('\n') + '\n',
  );
  return folder;
}

test('replay routes each api to its endpoint with its auth, replay headers and one key per account', async () => {
  const gateway = await startGatewayStandIn({
    statusFor: (account) => (account === 'bob' ? 429 : 200),
  });
  try {
    const summary = await replay({
      traffic: trafficFolder(),
      gateway: gateway.url,
      adminToken,
      speed: 1e9,
      concurrency: 4,
    });
    const requests = gateway.apiRequests();
    const byId = new Map(
      requests.map((request) => [String(request.headers[replayHeaderNames.id]), request]),
    );
    assert.deepEqual([...byId.keys()].sort(), ['r1', 'r2', 'r3', 'r5', 'r6']);
    assert.equal(byId.get('r1')?.path, '/v1/chat/completions');
    assert.equal(byId.get('r2')?.path, '/v1/messages');
    assert.equal(byId.get('r3')?.path, '/v1/completions');

    const alice = byId.get('r1')!.headers;
    assert.equal(alice.authorization, 'Bearer secret-alice');
    assert.equal(alice[replayHeaderNames.time], '2026-02-02T09:00:00.000Z');
    assert.equal(alice[replayHeaderNames.ip], '203.0.113.7');
    assert.equal(alice[replayHeaderNames.asn], '64500');
    assert.equal(alice[replayHeaderNames.country], 'DE');
    assert.equal(alice['user-agent'], 'OpenAI/Python 1.40.0');
    const bob = byId.get('r2')!.headers;
    assert.equal(bob['x-api-key'], 'secret-bob');
    assert.equal(bob['anthropic-version'], '2023-06-01');
    assert.equal(bob.authorization, undefined);
    assert.equal(bob[replayHeaderNames.ip], undefined, 'fields the record lacks are not invented');
    assert.deepEqual(
      JSON.parse(byId.get('r1')!.body),
      chat({ max_tokens: 4096, stream: true }),
      'without --max-tokens the body is sent as logged',
    );

    const admin = gateway.received.filter((request) => request.path.startsWith('/v1/admin/'));
    assert.equal(admin[0].path, '/v1/admin/accounts', 'accounts are posted before anything else');
    assert.equal(admin[0].headers['content-type'], 'application/x-ndjson');
    const keyRequests = admin
      .filter((request) => request.path === '/v1/admin/keys')
      .map((request) => JSON.parse(request.body).account_id as string);
    assert.deepEqual(
      keyRequests.sort(),
      ['alice', 'bob'],
      'one key per account, even with requests in flight together',
    );
    const firstApiRequest = gateway.received.findIndex(
      (request) => request.path.startsWith('/v1/') && !request.path.startsWith('/v1/admin/'),
    );
    assert.ok(
      gateway.received.findIndex((request) => request.path === '/v1/admin/accounts') <
        firstApiRequest,
    );

    assert.equal(summary.read, 7);
    assert.equal(summary.sent, 5);
    assert.deepEqual(summary.skipped, {
      total: 2,
      by_reason: { 'invalid record': 1, 'openai.responses not served by the gateway': 1 },
    });
    assert.deepEqual(summary.statuses, { 200: 3, 429: 2 });
    assert.deepEqual(summary.per_account, { alice: { 200: 3 }, bob: { 429: 2 } });
    assert.equal(summary.keys_created, 2);
    assert.deepEqual(summary.accounts_posted, {
      accepted: 2,
      rejected: [{ line: 2, field: 'account_id', reason: 'is required but missing' }],
    });
    assert.equal(
      summary.network_errors.total,
      0,
      'the SSE stream was read to its end without error',
    );
  } finally {
    await gateway.close();
  }
});

test('--max-tokens caps every body, and --limit stops after N requests sent (gzip input)', async () => {
  const gateway = await startGatewayStandIn();
  try {
    const summary = await replay({
      traffic: trafficFolder({ gzip: true }),
      gateway: gateway.url,
      adminToken,
      speed: 1e9,
      maxTokens: 16,
      limit: 4,
    });
    assert.equal(summary.sent, 4);
    const bodies = new Map(
      gateway
        .apiRequests()
        .map((request) => [
          String(request.headers[replayHeaderNames.id]),
          JSON.parse(request.body) as Record<string, unknown>,
        ]),
    );
    assert.deepEqual([...bodies.keys()].sort(), ['r1', 'r2', 'r3', 'r5']);
    assert.equal(bodies.get('r1')!.max_tokens, 16);
    assert.equal(bodies.get('r2')!.max_tokens, 16);
    assert.equal(bodies.get('r3')!.max_tokens, 16, 'a request without a limit gets the cap');
    assert.equal(bodies.get('r5')!.max_completion_tokens, 8, 'a smaller limit is kept');
  } finally {
    await gateway.close();
  }
});

test('replay sends in log order and waits out the gaps divided by --speed', async () => {
  const folder = temporaryDirectory('distillguard-replay-');
  // 0, 0.4 s and 0.8 s apart in the log; at speed 4 that is 100 ms gaps at least
  writeFileSync(
    join(folder, 'interactions.jsonl'),
    [0, 0.4, 0.8]
      .map((seconds, index) => record(`t${index}`, `acct${index}`, seconds, 'openai.chat', chat()))
      .join('\n'),
  );
  const gateway = await startGatewayStandIn();
  try {
    await replay({ traffic: folder, gateway: gateway.url, adminToken, speed: 4, concurrency: 8 });
    // in the order their heads arrived (the stand-in lists them as their bodies end, which a busy
    // machine can swap between two connections)
    const requests = gateway.apiRequests().sort((a, b) => a.receivedMs - b.receivedMs);
    assert.deepEqual(
      requests.map((request) => request.headers[replayHeaderNames.id]),
      ['t0', 't1', 't2'],
    );
    // a lower bound only (a slow machine makes it later, never earlier): the schedule starts after
    // the health check, and the log puts record i at i * 400 ms, i * 100 ms at speed 4
    const healthReceived = gateway.received.find(
      (request) => request.path === '/health',
    )!.receivedMs;
    requests.forEach((request, index) =>
      assert.ok(request.receivedMs - healthReceived >= index * 100 - 2, `t${index} came too early`),
    );
  } finally {
    await gateway.close();
  }
});

test('dropped connections are counted per account, not fatal', async () => {
  const gateway = await startGatewayStandIn({
    statusFor: (account) => (account === 'bob' ? 0 : 200),
  });
  try {
    const summary = await replay({
      traffic: trafficFolder(),
      gateway: gateway.url,
      adminToken,
      speed: 1e9,
    });
    assert.equal(summary.sent, 5);
    assert.equal(summary.network_errors.total, 2);
    assert.deepEqual(summary.per_account.bob, { network_error: 2 });
    assert.deepEqual(summary.per_account.alice, { 200: 3 });
  } finally {
    await gateway.close();
  }
});

test('an unreachable gateway and a refused admin token stop the replay with a clear error', async () => {
  await assert.rejects(
    replay({ traffic: trafficFolder(), gateway: await unusedLocalUrl(), adminToken }),
    (error: unknown) => {
      assert.ok(error instanceof DistillGuardError);
      assert.equal(error.code, 'gateway_unavailable');
      assert.match(
        error.message,
        /cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
      );
      return true;
    },
  );
  const gateway = await startGatewayStandIn();
  try {
    await assert.rejects(
      replay({ traffic: trafficFolder(), gateway: gateway.url, adminToken: 'wrong' }),
      { code: 'gateway_refused', message: /refused the admin token/ },
    );
  } finally {
    await gateway.close();
  }
});

test('distillguard replay prints a summary, writes --out, and exits 69 with one line when the gateway is down', async () => {
  const gateway = await startGatewayStandIn({
    statusFor: (account) => (account === 'bob' ? 403 : 200),
  });
  const folder = trafficFolder();
  const out = join(folder, 'replay.json');
  try {
    const result = await runCli([
      'replay',
      '--traffic',
      folder,
      '--gateway',
      gateway.url,
      '--admin-token',
      adminToken,
      '--speed',
      '1e9',
      '--out',
      out,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /replayed 5 requests to/);
    assert.match(result.stdout, /by HTTP status: 200: 3, 403: 2/);
    assert.match(result.stdout, /bob\s+429:\s+0\s+403:\s+2/);
    assert.match(result.stderr, /rejected accounts line 2: field 'account_id'/);
    const written = JSON.parse(readFileSync(out, 'utf8')) as {
      per_account: Record<string, Record<string, number>>;
    };
    assert.deepEqual(written.per_account.bob, { 403: 2 });
  } finally {
    await gateway.close();
  }
  const down = await runCli([
    'replay',
    '--traffic',
    folder,
    '--gateway',
    await unusedLocalUrl(),
    '--admin-token',
    adminToken,
  ]);
  assert.equal(down.code, 69);
  assert.equal(down.stderr.trim().split('\n').length, 1, down.stderr);
  assert.match(down.stderr, /^distillguard: cannot reach the gateway/);
  const noToken = await runCli(['replay', '--traffic', folder, '--gateway', 'http://127.0.0.1:1']);
  assert.equal(noToken.code, 64);
  assert.match(noToken.stderr, /DISTILLGUARD_ADMIN_TOKEN/);
});
