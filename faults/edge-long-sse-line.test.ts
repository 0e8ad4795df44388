// M2: an upstream that sends one 8 MB SSE line. The gateway scans each chunk once, fails the stream
// past the event cap with an error event in the caller's format, and keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEdgeUpstream } from './support/edge-upstream.js';
import { startServeWithConfig } from './support/serve.js';

async function streamText(
  url: string,
  init: RequestInit,
): Promise<{ status: number; text: string; ms: number }> {
  const begun = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  return { status: response.status, text: await response.text(), ms: performance.now() - begun };
}

test(
  "an 8 MB SSE line fails the stream with upstream_error in the caller's format; the gateway keeps serving",
  { timeout: 120_000 },
  async () => {
    const upstream = await startEdgeUpstream();
    const serve = await startServeWithConfig({
      upstreams: [{ name: 'edge', url: upstream.url, models: ['*'] }],
    });
    try {
      const key = serve.keys['acct-a'];
      const openai = await streamText(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'long-line',
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
      assert.equal(openai.status, 200);
      const lastEvent = openai.text.trim().split('\n\n').at(-1) ?? '';
      assert.match(lastEvent, /^data: /);
      const error = (
        JSON.parse(lastEvent.slice(6)) as { error: { code: string; type: string; message: string } }
      ).error;
      assert.equal(error.code, 'upstream_error');
      assert.match(error.message, /longer than this gateway accepts/);
      assert.ok(
        openai.text.length < 3 * 1024 * 1024,
        `the client got the start of the line, not all of it (${openai.text.length} characters)`,
      );

      // an Anthropic client of this OpenAI-compatible upstream gets Anthropic's error event
      const anthropic = await streamText(`${serve.url}/v1/messages`, {
        method: 'POST',
        headers: {
          'x-api-key': key,
          'content-type': 'application/json',
          'anthropic-version': '2023-06-01',
        },
        body: JSON.stringify({
          model: 'long-line',
          stream: true,
          max_tokens: 10,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
      assert.equal(anthropic.status, 200);
      assert.match(
        anthropic.text,
        /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The model server sent a stream event longer/,
      );

      const small = await streamText(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(small.status, 200);
      assert.match(small.text, /Small answer/);
      assert.ok(small.ms < 10_000);
    } finally {
      await serve.remove();
      await upstream.close();
    }
  },
);
