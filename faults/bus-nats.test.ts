// The bus (scale-out): `serve` publishing every exchange to NATS JetStream through its outbox. NATS
// killed mid-traffic and started again, then the gateway killed (SIGKILL) while NATS is down and
// started again: every exchange answered is in the stream exactly once, counted by its id (the
// x-distillguard-request-id each answer carried), and /health says when events wait. NATS here is
// a private server on its own port, storing its stream in a temporary folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect, StringCodec } from 'nats';
import OpenAI from 'openai';
import { requestIdHeader } from '../src/core/index.js';
import { startFakeUpstream } from '../src/test-support/fake-openai-upstream.js';
import { freePort, privateNatsAvailable, startPrivateNats } from '../src/test-support/engines.js';
import { call } from './support/config.js';
import { until } from './support/detector.js';
import { startServe, startServeWithConfig, type ServeProcess } from './support/serve.js';

/** The ids of every message in the stream, in stream order. */
async function streamIds(servers: string, stream: string): Promise<string[]> {
  const connection = await connect({ servers });
  try {
    const manager = await connection.jetstreamManager();
    const info = await manager.streams.info(stream);
    const codec = StringCodec();
    const ids: string[] = [];
    if (info.state.messages === 0) return ids;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq += 1) {
      const message = await manager.streams.getMessage(stream, { seq });
      ids.push((JSON.parse(codec.decode(message.data)) as { id: string }).id);
    }
    return ids;
  } finally {
    await connection.close();
  }
}

test(
  'NATS killed and restarted, then the gateway killed while NATS is down: every answered exchange in the stream exactly once',
  { timeout: 120_000 },
  async (t) => {
    if (!privateNatsAvailable()) {
      t.skip('nats-server is not installed (Debian package nats-server)');
      return;
    }
    const nats = await startPrivateNats();
    const upstream = await startFakeUpstream({ reply: 'Served.' });
    const gateway = await startServeWithConfig(
      {
        upstreams: [{ name: 'fake', url: upstream.url }],
        bus: {
          kind: 'nats',
          servers: nats.url,
          stream: 'DG_FAULT',
          partitions: 4,
          ack_timeout_ms: 500,
        },
      },
      ['acct-a', 'acct-b'],
    );
    let serving: ServeProcess = gateway;
    t.after(async () => {
      await serving.stop('SIGKILL');
      await gateway.remove();
      await upstream.close();
      await nats.remove();
    });
    const answered: string[] = [];
    const send = async (count: number) => {
      for (let index = 0; index < count; index += 1) {
        const account = index % 2 === 0 ? 'acct-a' : 'acct-b';
        const client = new OpenAI({
          apiKey: gateway.keys[account],
          baseURL: `${serving.url}/v1`,
          maxRetries: 0,
        });
        const { data, response } = await client.chat.completions
          .create({ model: 'any-model', messages: [{ role: 'user', content: `hello ${index}` }] })
          .withResponse();
        assert.equal(data.choices[0].message.content, 'Served.');
        answered.push(response.headers.get(requestIdHeader) ?? '');
      }
    };
    const health = async () => (await call(`${serving.url}/health`, 'GET', null)).body;
    assert.match(
      gateway.output(),
      /events published to nats:\/\/127\.0\.0\.1:\d+ \(stream DG_FAULT\)/,
    );

    await send(20);
    await nats.stop('SIGKILL');
    await send(20);
    await until(
      'health says events wait',
      async () => (await health()).engines.bus === 'failing',
      20_000,
    );
    assert.ok(
      (await health()).reasons.some((reason: string) => /events wait in the outbox/.test(reason)),
    );
    await nats.start();
    await until(
      'the outbox drained',
      async () => (await streamIds(nats.url, 'DG_FAULT').catch(() => [])).length >= 40,
      20_000,
    );
    assert.equal((await health()).engines.bus, 'ok');

    await nats.stop('SIGKILL');
    await send(10);
    // the outbox is written every 20 ms: wait for it, then kill the gateway before NATS is back
    await new Promise((resolve) => setTimeout(resolve, 300));
    await serving.stop('SIGKILL');
    await nats.start();
    serving = await startServe([
      '--db',
      gateway.database,
      '--config',
      join(gateway.folder, 'gateway.json'),
    ]);
    await until(
      'the restarted gateway published the rest',
      async () => (await streamIds(nats.url, 'DG_FAULT')).length >= 50,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ids = await streamIds(nats.url, 'DG_FAULT');
    assert.equal(answered.length, 50);
    assert.equal(ids.length, 50, 'no exchange published twice');
    assert.deepEqual([...ids].sort(), [...answered].sort(), 'every answered exchange, by id');
  },
);

test(
  'a configured NATS that does not answer stops serve with exit 69, naming the address',
  { timeout: 60_000 },
  async () => {
    const port = await freePort();
    const upstream = await startFakeUpstream({ reply: 'Served.' });
    try {
      await assert.rejects(
        startServeWithConfig({
          upstreams: [{ name: 'fake', url: upstream.url }],
          bus: { kind: 'nats', servers: `nats://127.0.0.1:${port}` },
        }),
        (error: Error) => {
          assert.match(error.message, /serve exited with 69/);
          assert.match(
            error.message,
            new RegExp(`cannot reach NATS at nats://127\\.0\\.0\\.1:${port}`),
          );
          return true;
        },
      );
    } finally {
      await upstream.close();
    }
  },
);
