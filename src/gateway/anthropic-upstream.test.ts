// Models routed by config to an Anthropic upstream: Messages pass through byte for byte (streams
// included) with the upstream key from the environment; OpenAI routes to them answer 400.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { startFakeAnthropicUpstream } from '../test-support/fake-anthropic-upstream.js';
import { startFakeUpstream } from '../test-support/fake-openai-upstream.js';
import { parseGatewayConfig } from './gateway-config.js';
import { startGateway } from './server.js';

test('per-model upstreams: Anthropic passthrough and OpenAI routing side by side', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-anthropic-'));
  const claude = await startFakeAnthropicUpstream();
  const openaiUpstream = await startFakeUpstream({ reply: 'From the OpenAI-compatible server.' });
  process.env.TEST_ANTHROPIC_KEY = 'sk-ant-test-upstream-key';
  const gateway = await startGateway({
    port: 0, databasePath: join(folder, 'gateway.db'), logLevel: 'silent',
    config: parseGatewayConfig({
      upstreams: [
        { name: 'claude', url: claude.url, api: 'anthropic', models: ['claude-*'], api_key_env: 'TEST_ANTHROPIC_KEY' },
        { name: 'local', url: openaiUpstream.url, models: ['*'] },
      ],
    }),
  });
  try {
    const secret = gateway.keys.create('acct-a').secret;
    const anthropic = new Anthropic({ apiKey: secret, baseURL: gateway.url, maxRetries: 0 });
    const message = await anthropic.messages.create({ model: 'claude-test', max_tokens: 50, messages: [{ role: 'user', content: 'Hello' }] });
    assert.equal(message.content[0]?.type === 'text' && message.content[0].text, 'Bonjour from the Anthropic stand-in.');
    const seen = claude.received.at(-1);
    assert.equal(seen?.path, '/v1/messages');
    assert.equal(seen?.headers['x-api-key'], 'sk-ant-test-upstream-key', 'the upstream key, not the client key');
    assert.match(String(seen?.headers['anthropic-version']), /^\d{4}-\d{2}-\d{2}$/, 'the client\'s API version is passed on');

    const streamed = await request(`${gateway.url}/v1/messages`, {
      method: 'POST', headers: { 'x-api-key': secret, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-test', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Hello' }] }),
    });
    assert.equal(await streamed.body.text(), claude.lastStream, 'stream bytes unchanged');

    const openai = new OpenAI({ apiKey: secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const local = await openai.chat.completions.create({ model: 'llama-local', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(local.choices[0].message.content, 'From the OpenAI-compatible server.');
    await assert.rejects(openai.chat.completions.create({ model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] }), (error: unknown) => error instanceof OpenAI.BadRequestError && error.code === 'unsupported_upstream');
  } finally {
    await gateway.close();
    await claude.close();
    await openaiUpstream.close();
    delete process.env.TEST_ANTHROPIC_KEY;
    rmSync(folder, { recursive: true, force: true });
  }
});
