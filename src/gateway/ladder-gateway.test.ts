// The response ladder through the gateway, with the official clients over real sockets: a fixed
// live view (as the detector would hand over) decides; verify, throttle and degrade reach the caller
// in its API's format, the sidecar routes answer from the same ladder, and decisions are stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import type { LiveAccountState, LiveAssessment, LiveCampaignState } from '../detect/index.js';
import { parsePolicyConfig } from '../respond/index.js';
import { startFakeUpstream, type FakeUpstream } from '../test-support/fake-openai-upstream.js';
import { chat } from '../test-support/interactions.js';
import { LadderEnforcement, type LiveView } from './ladder-enforcement.js';
import { startGateway, type RunningGateway } from './server.js';

const adminToken = 'admin-token-for-ladder-tests';
const reply = 'Six times seven is 42.';

/** What the detector would report: one account per rung of the default rules. */
function fixedView(): LiveView {
  const accounts: [string, LiveAccountState][] = [
    ['acct-verify', { verdict: 'extraction', risk: 0.9, campaignId: null }],
    ['acct-degrade', { verdict: 'extraction', risk: 0.96, campaignId: null }],
    ['acct-throttle', { verdict: 'extraction', risk: 0.6, campaignId: null }],
    ['acct-bench', { verdict: 'benchmark', risk: 0.999, campaignId: null }],
  ];
  const campaigns: LiveCampaignState[] = [];
  const assessment: LiveAssessment = {
    at: 0,
    interactions: 0,
    through: 0,
    observedAccounts: accounts.length,
    accounts,
    campaigns,
    reasons: [],
    elapsedMs: 0,
  };
  const byAccount = new Map(accounts);
  return {
    assessment,
    account: (id: string) => byAccount.get(id),
    campaign: () => undefined,
  } as unknown as LiveView;
}

async function admin(
  gateway: RunningGateway,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
  token: string | null = adminToken,
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await request(`${gateway.url}${path}`, { method, headers, body });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, any> };
}

describe('the ladder at the gateway', () => {
  let folder: string;
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  const openaiFor = async (account: string) =>
    new OpenAI({
      apiKey: (await gateway.keys.create(account)).secret,
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
    });
  const anthropicFor = async (account: string) =>
    new Anthropic({
      apiKey: (await gateway.keys.create(account)).secret,
      baseURL: gateway.url,
      maxRetries: 0,
    });

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'dg-ladder-gateway-'));
    upstream = await startFakeUpstream({ reply, chunkDelayMs: 0 });
    const policy = parsePolicyConfig({
      throttle: { account: { requests_per_minute: 6, burst: 1 } },
      degrade: { max_tokens: 64, decoy_tools: true },
    });
    gateway = await startGateway({
      port: 0,
      databasePath: join(folder, 'gateway.db'),
      upstream: upstream.url,
      adminToken,
      logLevel: 'silent',
      enforcement: (_live, store, metrics) =>
        new LadderEnforcement(fixedView(), store, policy, metrics),
    });
  });

  after(async () => {
    await gateway.close();
    await upstream.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('verify: 403 verification_required with a message the client can act on, in both APIs', async () => {
    await assert.rejects(
      (await openaiFor('acct-verify')).chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.PermissionDeniedError);
        assert.equal(error.code, 'verification_required');
        assert.match(error.message, /verification/i);
        return true;
      },
    );
    await assert.rejects(
      (await anthropicFor('acct-verify')).messages.create({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.PermissionDeniedError);
        assert.equal(
          (error.error as { error?: { type?: string } }).error?.type,
          'permission_error',
        );
        assert.match(error.message, /verification/i);
        return true;
      },
    );
  });

  test('throttle: an Anthropic caller past its bucket gets 429 rate_limit_error with Retry-After', async () => {
    const client = await anthropicFor('acct-throttle');
    const first = await client.messages.create({
      model: 'm',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(first.content[0].type === 'text' ? first.content[0].text : '', reply);
    await assert.rejects(
      client.messages.create({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.RateLimitError);
        assert.equal(
          (error.error as { error?: { type?: string } }).error?.type,
          'rate_limit_error',
        );
        const retryAfter = Number(error.headers?.get('retry-after'));
        assert.ok(retryAfter >= 1 && retryAfter <= 10, `Retry-After ${retryAfter}`);
        return true;
      },
    );
  });

  test('degrade: max_tokens capped, decoy tools added (the same for the same caller), reasoning and <thinking> removed, plain and streamed', async () => {
    const client = await openaiFor('acct-degrade');
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const answer = await client.chat.completions.create({
      model: 'thinking-model',
      max_tokens: 4_000,
      messages: [{ role: 'user', content: 'think aloud' }],
    });
    const sentUp = upstream.received.at(-1)?.body;
    assert.equal(sentUp?.max_tokens, 64);
    assert.equal(answer.choices[0].message.content, reply);
    assert.equal(
      (answer.choices[0].message as unknown as Record<string, unknown>).reasoning_content,
      undefined,
    );
    assert.match(
      upstream.sent.at(-1) ?? '',
      /private chain of thought/,
      'the upstream did think aloud',
    );

    let streamed = '';
    let reasoning = '';
    for await (const chunk of await client.chat.completions.create({
      model: 'thinking-model',
      messages: [{ role: 'user', content: 'again' }],
      stream: true,
    })) {
      streamed += chunk.choices[0]?.delta?.content ?? '';
      reasoning += String(
        (chunk.choices[0]?.delta as Record<string, unknown> | undefined)?.reasoning_content ?? '',
      );
    }
    assert.equal(streamed, reply);
    assert.equal(reasoning, '');

    const decoyNames = async () => {
      await client.chat.completions.create({
        model: 'm',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'weather?' }],
        tools,
      });
      const names = (
        (upstream.received.at(-1)?.body.tools ?? []) as { function: { name: string } }[]
      ).map((tool) => tool.function.name);
      assert.ok(
        names.includes('get_weather') && names.length > 1,
        `decoys added to ${names.join(', ')}`,
      );
      return names;
    };
    assert.deepEqual(await decoyNames(), await decoyNames());

    // an Anthropic caller of the same account: capped too, on the bridged request
    await (
      await anthropicFor('acct-degrade')
    ).messages.create({
      model: 'm',
      max_tokens: 4_000,
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(upstream.received.at(-1)?.body.max_tokens, 64);
  });

  test('a benchmark verdict is served in full', async () => {
    const answer = await (
      await openaiFor('acct-bench')
    ).chat.completions.create({
      model: 'm',
      max_tokens: 4_000,
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(answer.choices[0].message.content, reply);
    assert.equal(upstream.received.at(-1)?.body.max_tokens, 4_000);
  });

  test('sidecar: /v1/decide answers from the same ladder; /v1/ingest takes JSON Lines or a JSON array and names bad lines; both need the admin token', async () => {
    const decided = await admin(
      gateway,
      'POST',
      '/v1/decide',
      JSON.stringify({ account_id: 'acct-verify' }),
    );
    assert.equal(decided.status, 200);
    assert.equal(decided.body.action, 'verify');
    assert.equal(decided.body.campaign_id, null);
    assert.ok(decided.body.reason.length > 10 && decided.body.ttl_s > 0);
    assert.equal(decided.body.refuse.code, 'verification_required');
    assert.equal(
      (await admin(gateway, 'POST', '/v1/decide', JSON.stringify({ account_id: 'someone-new' })))
        .body.action,
      'observe',
    );
    const missing = await admin(gateway, 'POST', '/v1/decide', JSON.stringify({}));
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.param, 'account_id');

    const now = Date.now();
    const records = [
      chat({ account: 'sidecar-1', ts: now, text: 'first' }),
      chat({ account: 'sidecar-1', ts: now + 1, text: 'second' }),
      chat({ account: 'sidecar-2', ts: now + 2, text: 'third' }),
    ];
    const jsonl = [JSON.stringify(records[0]), '{"id": "broken"', JSON.stringify(records[1])].join(
      '\n',
    );
    const lines = await admin(gateway, 'POST', '/v1/ingest', jsonl);
    assert.equal(lines.status, 200);
    assert.equal(lines.body.accepted, 2);
    assert.deepEqual(
      lines.body.rejected.map((problem: { line: number }) => problem.line),
      [2],
    );
    const array = await admin(
      gateway,
      'POST',
      '/v1/ingest',
      JSON.stringify([records[2], { ...records[2], id: 'no-account', account_id: undefined }]),
    );
    assert.equal(array.body.accepted, 1);
    assert.equal(array.body.rejected[0].line, 2);
    assert.match(JSON.stringify(array.body.rejected[0]), /account_id/);

    await gateway.recorder.drain();
    const stored = new Set<string>();
    for await (const raw of gateway.store.exportInteractions())
      stored.add((JSON.parse(raw) as { id: string }).id);
    assert.ok(
      records.every((record) => stored.has(record.id)),
      'every accepted record is stored',
    );

    for (const path of ['/v1/decide', '/v1/ingest']) {
      for (const token of [null, 'wrong-token']) {
        const refused = await admin(
          gateway,
          'POST',
          path,
          JSON.stringify({ account_id: 'acct-verify' }),
          token,
        );
        assert.equal(refused.status, 401, `${path} with ${token ?? 'no token'}`);
        assert.equal(refused.body.error.code, 'admin_token_required');
      }
    }
  });

  test("each change of an account's action is stored with its reason", async () => {
    let rows: Record<string, any>[] = [];
    for (let attempt = 0; attempt < 100 && rows.length < 3; attempt += 1) {
      rows = (await admin(gateway, 'GET', '/v1/admin/decisions')).body.data;
      if (rows.length < 3) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const byAccount = new Map(rows.map((row) => [row.account_id, row]));
    assert.deepEqual(
      ['acct-verify', 'acct-throttle', 'acct-degrade'].map(
        (account) => byAccount.get(account)?.action,
      ),
      ['verify', 'throttle', 'degrade'],
    );
    for (const account of ['acct-verify', 'acct-throttle', 'acct-degrade'])
      assert.match(byAccount.get(account)?.reason ?? '', new RegExp(account));
    assert.equal(
      byAccount.get('acct-bench'),
      undefined,
      'a benchmark account served in full is not an enforcement decision',
    );
    // and every exchange's record carries its decision, with the reason when it was enforced
    await gateway.recorder.drain();
    const decisions = new Map<string, Record<string, any>[]>();
    for await (const raw of gateway.store.exportInteractions()) {
      const record = JSON.parse(raw) as Record<string, any>;
      decisions.set(record.account_id, [
        ...(decisions.get(record.account_id) ?? []),
        record.decision,
      ]);
    }
    for (const [account, action] of [
      ['acct-verify', 'verify'],
      ['acct-throttle', 'throttle'],
      ['acct-degrade', 'degrade'],
    ]) {
      const seen = decisions.get(account) ?? [];
      assert.ok(
        seen.length > 0 &&
          seen.every((decision) => decision.action === action && decision.reason.includes(account)),
        `${account}: ${JSON.stringify(seen)}`,
      );
    }
    assert.ok(
      (decisions.get('acct-bench') ?? []).every(
        (decision) => decision.action === 'observe' && decision.reason === undefined,
      ),
    );
  });
});
