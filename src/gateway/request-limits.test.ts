// The request caps of `limits` through the official clients: `n`, `best_of`, `max_tokens` and
// `max_completion_tokens` above the config's cap get a 400 naming the parameter, in the caller's
// format; requests within the caps are served.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeUpstream, type FakeUpstream } from '../test-support/fake-openai-upstream.js';
import { parseGatewayConfig } from './gateway-config.js';
import { startGateway, type RunningGateway } from './server.js';

let folder: string;
let upstream: FakeUpstream;
let gateway: RunningGateway;
let openai: OpenAI;
let anthropic: Anthropic;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'dg-request-limits-'));
  upstream = await startFakeUpstream({ reply: 'Within the caps.' });
  gateway = await startGateway({
    port: 0,
    databasePath: join(folder, 'gateway.db'),
    upstream: upstream.url,
    logLevel: 'silent',
    config: parseGatewayConfig({ limits: { max_n: 2, max_tokens: 100 } }),
  });
  const { secret } = await gateway.keys.create('acct-limits');
  openai = new OpenAI({ apiKey: secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: secret, baseURL: gateway.url, maxRetries: 0 });
});

after(async () => {
  await gateway.close();
  await upstream.close();
  rmSync(folder, { recursive: true, force: true });
});

const messages = [{ role: 'user' as const, content: 'hi' }];

test('n, best_of, max_tokens and max_completion_tokens over the caps get a 400 naming the parameter', async () => {
  const refused = (param: string) => (error: unknown) =>
    error instanceof OpenAI.BadRequestError &&
    error.param === param &&
    new RegExp(`^400 ${param}: this gateway allows at most`).test(error.message);
  await assert.rejects(
    openai.chat.completions.create({ model: 'm', messages, n: 3 }),
    refused('n'),
  );
  await assert.rejects(
    openai.chat.completions.create({ model: 'm', messages, max_tokens: 101 }),
    refused('max_tokens'),
  );
  await assert.rejects(
    openai.chat.completions.create({ model: 'm', messages, max_completion_tokens: 1_000 }),
    refused('max_completion_tokens'),
  );
  await assert.rejects(
    openai.completions.create({ model: 'm', prompt: 'hi', best_of: 5 }),
    refused('best_of'),
  );
  await assert.rejects(
    anthropic.messages.create({ model: 'm', messages, max_tokens: 4_096 }),
    (error: unknown) =>
      error instanceof Anthropic.BadRequestError &&
      /max_tokens: this gateway allows at most 100 tokens/.test(error.message),
  );
  assert.equal(
    upstream.received.filter(
      (seen) => seen.path.endsWith('completions') || seen.path.endsWith('messages'),
    ).length,
    0,
    'nothing over a cap reached the upstream',
  );
});

test("a model name over 200 characters (the contract's bound) gets a 400 naming model; one of 200 is served", async () => {
  await assert.rejects(
    openai.chat.completions.create({ model: 'm'.repeat(201), messages }),
    (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'model',
  );
  await assert.rejects(
    anthropic.messages.create({ model: 'm'.repeat(100_000), messages, max_tokens: 5 }),
    (error: unknown) =>
      error instanceof Anthropic.BadRequestError &&
      /^400 .*model: at most 200 characters/.test(error.message),
  );
  const completion = await openai.chat.completions.create({ model: 'm'.repeat(200), messages });
  assert.equal(completion.choices.length, 1);
});

test('requests within the caps are served', async () => {
  const completion = await openai.chat.completions.create({
    model: 'm',
    messages,
    n: 2,
    max_tokens: 100,
  });
  assert.equal(completion.choices.length, 2);
  const message = await anthropic.messages.create({ model: 'm', messages, max_tokens: 100 });
  assert.equal(message.content[0].type, 'text');
});
