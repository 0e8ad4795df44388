// M1: answers too large to hold. A 300 MB whole answer is refused with 502 (the upstream call
// stopped at limits.upstream_body_bytes), a 211 MB stream is relayed whole but recorded capped, and
// the gateway's memory stays bounded throughout (VmHWM of the serve process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../src/test-support/run-cli.js';
import { startEdgeUpstream } from './support/edge-upstream.js';
import { memoryOf } from './support/edge.js';
import { startServeWithConfig } from './support/serve.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(
  'a 300 MB answer gets 502 and a 211 MB stream is relayed with a capped record; gateway RSS stays under 250 MB',
  { timeout: 300_000 },
  async (context) => {
    const upstream = await startEdgeUpstream();
    const serve = await startServeWithConfig({
      upstreams: [{ name: 'edge', url: upstream.url, models: ['*'] }],
    });
    try {
      const key = serve.keys['acct-a'];
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const before = memoryOf(serve.pid);

      const whole = await fetch(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          model: 'huge-body',
          messages: [{ role: 'user', content: 'all of it' }],
        }),
        signal: AbortSignal.timeout(120_000),
      });
      assert.equal(whole.status, 502);
      const error = (
        (await whole.json()) as { error: { code: string; type: string; message: string } }
      ).error;
      assert.equal(error.code, 'upstream_error');
      assert.match(error.message, /larger than this gateway accepts/);
      for (let waited = 0; !upstream.cut.get('huge-body') && waited < 10_000; waited += 50)
        await sleep(50);
      assert.equal(
        upstream.cut.get('huge-body'),
        1,
        'the upstream answer was stopped, not read to its end',
      );
      assert.ok(
        (upstream.written.get('huge-body') ?? 0) < 200 * 1024 * 1024,
        `the upstream wrote ${upstream.written.get('huge-body')} bytes`,
      );

      const stream = await fetch(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          model: 'huge-stream',
          stream: true,
          messages: [{ role: 'user', content: 'a long one' }],
        }),
        signal: AbortSignal.timeout(240_000),
      });
      assert.equal(stream.status, 200);
      let received = 0;
      let tail = '';
      const reader = stream.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
        tail = (tail + Buffer.from(value).toString('latin1')).slice(-64);
      }
      assert.equal(received, upstream.written.get('huge-stream'), 'every byte relayed');
      assert.match(tail, /data: \[DONE\]\n\n$/);
      const after = memoryOf(serve.pid);
      context.diagnostic(
        `gateway VmHWM ${after.peakMb.toFixed(0)} MB, VmRSS ${after.rssMb.toFixed(0)} MB (at start: VmHWM ${before.peakMb.toFixed(0)} MB)`,
      );
      assert.ok(
        after.peakMb < 250,
        `gateway VmHWM ${after.peakMb.toFixed(0)} MB (before ${before.peakMb.toFixed(0)} MB, now ${after.rssMb.toFixed(0)} MB)`,
      );

      // the record keeps the first limits.recorded_text_chars (1 MiB) and counts the rest
      await serve.stop();
      const exported = await runCli(['export', '--db', serve.database, '--out', '-']);
      assert.equal(exported.code, 0, exported.stderr);
      const records = exported.stdout
        .trim()
        .split('\n')
        .map(
          (line) =>
            JSON.parse(line) as {
              request: { model: string };
              response: { status: number; text?: string; dropped_chars?: number };
            },
        );
      assert.equal(
        records.find((record) => record.request.model === 'huge-body')?.response.status,
        502,
      );
      const streamed = records.find((record) => record.request.model === 'huge-stream');
      assert.equal(streamed?.response.status, 200);
      assert.equal(streamed?.response.text?.length, 1024 * 1024);
      assert.ok(
        (streamed?.response.dropped_chars ?? 0) > 200 * 1024 * 1024,
        `dropped ${streamed?.response.dropped_chars}`,
      );
    } finally {
      await serve.remove();
      await upstream.close();
    }
  },
);
