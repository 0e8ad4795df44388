// What clients see when an upstream misbehaves or the gateway must stay quiet about itself: a
// non-JSON or too-deeply nested answer the gateway has to rewrite gives 502 (not a 500 with a
// stack), a too-deeply nested request 400, an unreachable upstream a generic 502, /v1/models names
// no upstream and is cached, request ids are random, the x-distillguard-* headers can be turned off,
// and Anthropic headers are held to the upstream's allowlist.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import {
  startFakeAnthropicUpstream,
  type FakeAnthropicUpstream,
} from '../test-support/fake-anthropic-upstream.js';
import { parseGatewayConfig } from './gateway-config.js';
import { startGateway, type RunningGateway } from './server.js';
import { overheadHeader, requestIdHeader } from '../core/index.js';

const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
let modelListings = 0;

/** An OpenAI-compatible upstream that answers by model: `not-json`, `deep-tool-call`, anything else a small answer. */
async function oddUpstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      if (request.method === 'GET') {
        modelListings += 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            object: 'list',
            data: [{ id: 'odd-listed', object: 'model', created: 0, owned_by: 'secret-backend' }],
          }),
        );
        return;
      }
      const model = String(
        (JSON.parse(Buffer.concat(parts).toString('utf8')) as { model?: string }).model,
      );
      if (model === 'odd-not-json') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html>maintenance</html>');
        return;
      }
      const message =
        model === 'odd-deep-tool-call'
          ? {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'call_1',
                  type: 'function',
                  function: { name: 'f', arguments: deepArray(20_000) },
                },
              ],
            }
          : { role: 'assistant', content: 'Fine.' };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'chatcmpl-odd',
          object: 'chat.completion',
          created: 0,
          model,
          choices: [{ index: 0, message, finish_reason: 'stop' }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

let folder: string;
let odd: { url: string; server: Server };
let anthropicUpstream: FakeAnthropicUpstream;
let gateway: RunningGateway;
let quiet: RunningGateway;
let secret: string;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'dg-upstream-answers-'));
  odd = await oddUpstream();
  anthropicUpstream = await startFakeAnthropicUpstream();
  const upstreams = [
    {
      name: 'anthropic-third-party',
      url: anthropicUpstream.url,
      api: 'anthropic',
      models: ['claude-*'],
      anthropic_versions: ['2023-06-01'],
      anthropic_betas: ['allowed-beta'],
    },
    { name: 'backend-down', url: 'http://127.0.0.1:9/v1', models: ['down-*'] },
    { name: 'odd-backend', url: odd.url, models: ['odd-*'] },
  ];
  gateway = await startGateway({
    port: 0,
    databasePath: join(folder, 'gateway.db'),
    config: parseGatewayConfig({ upstreams }),
    logLevel: 'silent',
  });
  secret = (await gateway.keys.create('acct-answers')).secret;
  quiet = await startGateway({
    port: 0,
    databasePath: join(folder, 'quiet.db'),
    config: parseGatewayConfig({ upstreams, gateway_headers: false }),
    logLevel: 'silent',
  });
});

after(async () => {
  await gateway.close();
  await quiet.close();
  await anthropicUpstream.close();
  odd.server.closeAllConnections();
  await new Promise((resolve) => odd.server.close(resolve));
  rmSync(folder, { recursive: true, force: true });
});

test("a non-JSON 200 the gateway must translate gives 502 upstream_error in the caller's format", async () => {
  const anthropic = new Anthropic({ apiKey: secret, baseURL: gateway.url, maxRetries: 0 });
  await assert.rejects(
    anthropic.messages.create({
      model: 'odd-not-json',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'hi' }],
    }),
    (error: unknown) =>
      error instanceof Anthropic.InternalServerError &&
      error.status === 502 &&
      /could not be read/.test(error.message),
  );
});

test('JSON nested too deeply to rewrite: 400 for a request, 502 for an answer, the gateway still serving', async () => {
  const body = JSON.stringify({
    model: 'odd-small',
    max_tokens: 5,
    messages: [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 't1', name: 'f', input: { deep: '__DEEP__' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
    ],
  }).replace('"__DEEP__"', deepArray(20_000));
  const refused = await fetch(`${gateway.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': secret, 'content-type': 'application/json' },
    body,
  });
  assert.equal(refused.status, 400);
  const refusal = (await refused.json()) as {
    type: string;
    error: { type: string; message: string };
  };
  assert.equal(refusal.error.type, 'invalid_request_error');
  assert.match(refusal.error.message, /nested too deeply/);
  const anthropic = new Anthropic({ apiKey: secret, baseURL: gateway.url, maxRetries: 0 });
  await assert.rejects(
    anthropic.messages.create({
      model: 'odd-deep-tool-call',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'hi' }],
    }),
    (error: unknown) => error instanceof Anthropic.APIError && error.status === 502,
  );
  const served = await anthropic.messages.create({
    model: 'odd-small',
    max_tokens: 5,
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(served.content[0].type === 'text' && served.content[0].text, 'Fine.');
});

test('an unreachable upstream gives a generic 502 that names neither the upstream nor its address', async () => {
  const openai = new OpenAI({ apiKey: secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  await assert.rejects(
    openai.chat.completions.create({
      model: 'down-1',
      messages: [{ role: 'user', content: 'hi' }],
    }),
    (error: unknown) => {
      assert.ok(error instanceof OpenAI.APIError && error.status === 502);
      assert.equal(error.message, '502 The model server could not be reached. Retry later.');
      return true;
    },
  );
});

test('/v1/models names no upstream and asks an upstream for its list at most once a minute', async () => {
  const before = modelListings;
  const first = (await (await fetch(`${gateway.url}/v1/models`)).json()) as {
    data: { id: string; owned_by: string }[];
  };
  await fetch(`${gateway.url}/v1/models`);
  assert.ok(first.data.some((model) => model.id === 'odd-listed'));
  assert.ok(
    first.data.every((model) => model.owned_by === 'distillguard'),
    JSON.stringify(first.data),
  );
  assert.equal(modelListings - before, 1);
});

test('request ids are random UUIDs; gateway_headers: false sends no x-distillguard-* header', async () => {
  const call = (url: string) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'odd-small', messages: [{ role: 'user', content: 'hi' }] }),
    });
  const shown = await call(gateway.url);
  assert.match(
    shown.headers.get(requestIdHeader) ?? '',
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert.ok(Number(shown.headers.get(overheadHeader)) >= 0);
  const quietSecret = (await quiet.keys.create('acct-quiet')).secret;
  const hidden = await fetch(`${quiet.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${quietSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'odd-small', messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(hidden.status, 200);
  assert.deepEqual(
    [...hidden.headers.keys()].filter((name) => name.startsWith('x-distillguard')),
    [],
  );
});

test("anthropic-version and anthropic-beta outside the upstream's allowlist get a 400 naming the header", async () => {
  const send = (headers: Record<string, string>) =>
    fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': secret, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({
        model: 'claude-x',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
  const badBeta = await send({
    'anthropic-version': '2023-06-01',
    'anthropic-beta': 'allowed-beta, costly-beta',
  });
  assert.equal(badBeta.status, 400);
  assert.match(
    ((await badBeta.json()) as { error: { message: string } }).error.message,
    /^anthropic-beta: 'costly-beta'/,
  );
  const badVersion = await send({ 'anthropic-version': '2099-01-01' });
  assert.equal(badVersion.status, 400);
  const allowed = await send({
    'anthropic-version': '2023-06-01',
    'anthropic-beta': 'allowed-beta',
  });
  assert.equal(allowed.status, 200);
  assert.equal(anthropicUpstream.received.at(-1)?.headers['anthropic-beta'], 'allowed-beta');
});
