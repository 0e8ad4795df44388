// Shared counters in Redis (scale-out): a gateway configured with a Redis that does not answer
// does not start, and says which URL and what to do; Redis killed under a running gateway: the
// gateway keeps answering, /health says the limits are per gateway until Redis is back, and says
// ok again once Redis answers, with no restart. Redis here is a private server on its own port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeUpstream } from '../src/test-support/fake-openai-upstream.js';
import { freePort, privateRedisAvailable, startPrivateRedis } from '../src/test-support/engines.js';
import { call } from './support/config.js';
import { until } from './support/detector.js';
import { startServeWithConfig } from './support/serve.js';
import OpenAI from 'openai';

test(
  'a configured Redis that does not answer stops serve with exit 69, naming the URL without its password',
  { timeout: 60_000 },
  async () => {
    const port = await freePort();
    const upstream = await startFakeUpstream({ reply: 'Served.' });
    try {
      await assert.rejects(
        startServeWithConfig({
          upstreams: [{ name: 'fake', url: upstream.url }],
          counters: { kind: 'redis', url: `redis://ops:s3cret@127.0.0.1:${port}` },
        }),
        (error: Error) => {
          assert.match(error.message, /serve exited with 69/);
          assert.match(
            error.message,
            new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}`),
          );
          assert.match(error.message, /counters\.kind to "memory"/);
          assert.doesNotMatch(error.message, /s3cret/);
          return true;
        },
      );
    } finally {
      await upstream.close();
    }
  },
);

test(
  'Redis killed under a running gateway: answers go on, /health says limits are per gateway, then ok once Redis is back',
  { timeout: 90_000 },
  async (t) => {
    if (!privateRedisAvailable()) {
      t.skip('redis-server is not installed (Debian package redis-server)');
      return;
    }
    const redis = await startPrivateRedis();
    const upstream = await startFakeUpstream({ reply: 'Served.' });
    const gateway = await startServeWithConfig({
      upstreams: [{ name: 'fake', url: `${upstream.url}` }],
      counters: { kind: 'redis', url: redis.url, timeout_ms: 50 },
    });
    const health = async () => (await call(`${gateway.url}/health`, 'GET', null)).body;
    const client = new OpenAI({
      apiKey: gateway.keys['acct-a'],
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
    });
    const chat = () =>
      client.chat.completions.create({
        model: 'any-model',
        messages: [{ role: 'user', content: 'Hello.' }],
      });
    try {
      assert.match(gateway.output(), /throttle buckets shared in redis:\/\/127\.0\.0\.1/);
      await until('the warm start', async () => (await health()).status === 'ok', 20_000);
      assert.deepEqual((await health()).engines, { store: 'ok', counters: 'ok' });

      await redis.stop('SIGKILL');
      await until(
        'health notices Redis is gone',
        async () => (await health()).engines.counters === 'failing',
        20_000,
      );
      const degraded = await health();
      assert.equal(degraded.status, 'degraded');
      assert.ok(
        degraded.reasons.some((reason: string) => /throttle limits are per gateway/.test(reason)),
        JSON.stringify(degraded.reasons),
      );
      assert.doesNotMatch(JSON.stringify(degraded), /ECONNREFUSED|127\.0\.0\.1/);
      const started = performance.now();
      const answer = await chat();
      assert.equal(answer.choices[0].message.content, 'Served.');
      assert.ok(performance.now() - started < 2_000, 'not held up waiting for Redis');

      await redis.start();
      await until(
        'health ok once Redis is back',
        async () => (await health()).status === 'ok',
        20_000,
      );
      assert.deepEqual((await health()).engines, { store: 'ok', counters: 'ok' });
      assert.equal((await chat()).choices[0].message.content, 'Served.');
      assert.match(gateway.output(), /shared counters \(Redis\) not answering/);
      assert.match(gateway.output(), /shared counters \(Redis\) answer again/);
    } finally {
      await gateway.remove();
      await upstream.close();
      await redis.stop();
    }
  },
);
