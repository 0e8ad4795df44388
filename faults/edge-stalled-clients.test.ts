// H4: clients that open long streams and never read. With the upstream pool limited to 2
// connections, two such clients held both connections forever; now each is cut at the stall
// limit (its upstream connection closed), so another tenant is served, and one account cannot
// hold more than its concurrency cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startEdgeUpstream } from './support/edge-upstream.js';
import { socketsOf } from './support/edge.js';
import { startServeWithConfig } from './support/serve.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw client that sends one request (a stream by default) and never reads the answer. */
function stalledClient(url: string, key: string, model = 'endless-stream'): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({
    model,
    stream: model === 'endless-stream',
    messages: [{ role: 'user', content: 'go on forever' }],
  });
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.pause(); // never resumed: the kernel's buffers fill, then the gateway's
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      resolve(socket);
    });
    socket.on('error', () => undefined); // the gateway resets it
    socket.once('error', reject);
  });
}

test(
  'two non-reading stream clients are cut at the stall limit; another tenant is served; one account is capped',
  { timeout: 120_000 },
  async (context) => {
    const upstream = await startEdgeUpstream();
    const serve = await startServeWithConfig(
      {
        upstreams: [
          { name: 'edge', url: upstream.url, models: ['*'], connections: 2, timeout_ms: 20_000 },
        ],
        limits: { client_stall_ms: 1_000, concurrent_per_account: 2 },
      },
      ['acct-stall', 'acct-other'],
    );
    const sockets: Socket[] = [];
    try {
      sockets.push(
        await stalledClient(serve.url, serve.keys['acct-stall']),
        await stalledClient(serve.url, serve.keys['acct-stall']),
      );
      for (
        let waited = 0;
        (upstream.started.get('endless-stream') ?? 0) < 2 && waited < 10_000;
        waited += 50
      )
        await sleep(50);
      assert.equal(upstream.started.get('endless-stream'), 2, 'both streams reached the upstream');

      // the stalling account is at its cap: a third request of its own is refused at once
      const capped = await fetch(`${serve.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': serve.keys['acct-stall'], 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'small',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'one more' }],
        }),
      });
      assert.equal(capped.status, 429);
      assert.equal(capped.headers.get('retry-after'), '1');
      const cappedBody = (await capped.json()) as {
        type: string;
        error: { type: string; message: string };
      };
      assert.equal(cappedBody.type, 'error');
      assert.equal(cappedBody.error.type, 'rate_limit_error');
      assert.match(cappedBody.error.message, /2 requests in flight/);

      // another tenant's ordinary request waits for a pool connection, which the stall limit frees
      const begun = performance.now();
      const other = await fetch(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${serve.keys['acct-other']}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'hello' }] }),
        signal: AbortSignal.timeout(30_000),
      });
      const tookMs = performance.now() - begun;
      context.diagnostic(
        `the other tenant was served in ${Math.round(tookMs)} ms; ${upstream.written.get('endless-stream')} bytes written for the stalled streams`,
      );
      assert.equal(other.status, 200, await other.clone().text());
      assert.match(
        ((await other.json()) as { choices: { message: { content: string } }[] }).choices[0].message
          .content,
        /Small answer/,
      );
      assert.ok(
        tookMs < 8_000,
        `served in ${Math.round(tookMs)} ms (stall limit 1 s; the upstream idle timeout, 20 s, would give 504)`,
      );

      for (
        let waited = 0;
        (upstream.cut.get('endless-stream') ?? 0) < 2 && waited < 10_000;
        waited += 50
      )
        await sleep(50);
      assert.equal(
        upstream.cut.get('endless-stream'),
        2,
        "the stalled streams' upstream connections were closed",
      );
      const written = upstream.written.get('endless-stream') ?? 0;
      await sleep(1_500);
      assert.equal(
        upstream.written.get('endless-stream') ?? 0,
        written,
        'nothing more is sent for them',
      );

      // the account's slots came back with the cut streams
      const again = await fetch(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${serve.keys['acct-stall']}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          model: 'small',
          messages: [{ role: 'user', content: 'hello again' }],
        }),
      });
      assert.equal(again.status, 200);
    } finally {
      for (const socket of sockets) socket.destroy();
      await serve.remove();
      await upstream.close();
    }
  },
);

test(
  'a client that does not read a 20 MB whole answer loses its connection at the stall limit',
  { timeout: 60_000 },
  async () => {
    const upstream = await startEdgeUpstream();
    const serve = await startServeWithConfig({
      upstreams: [{ name: 'edge', url: upstream.url, models: ['*'] }],
      limits: { client_stall_ms: 1_000 },
    });
    let socket: Socket | null = null;
    try {
      const key = serve.keys['acct-a'];
      const warm = await fetch(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(warm.status, 200);
      await sleep(200);
      const baseline = socketsOf(serve.pid); // listener, detector, one pooled upstream connection
      socket = await stalledClient(serve.url, key, 'big-body');
      for (
        let waited = 0;
        !(upstream.written.get('big-body') ?? 0) && waited < 10_000;
        waited += 50
      )
        await sleep(50);
      await sleep(300);
      const stalled = socketsOf(serve.pid);
      assert.ok(
        stalled > baseline,
        `the stalled client holds a socket (${stalled} against ${baseline})`,
      );
      let now = stalled;
      for (let waited = 0; now > baseline && waited < 8_000; waited += 100) {
        await sleep(100);
        now = socketsOf(serve.pid);
      }
      assert.ok(
        now <= baseline,
        `the gateway closed it (${now} sockets, ${baseline} before the client)`,
      );
    } finally {
      socket?.destroy();
      await serve.remove();
      await upstream.close();
    }
  },
);

test(
  'a client that reads a 20 MB whole answer slowly but steadily (about 2 MB/s) gets all of it past the stall limit',
  { timeout: 60_000 },
  async () => {
    const upstream = await startEdgeUpstream();
    const serve = await startServeWithConfig({
      upstreams: [{ name: 'edge', url: upstream.url, models: ['*'] }],
      limits: { client_stall_ms: 1_000 },
    });
    let socket: Socket | null = null;
    try {
      socket = await stalledClient(serve.url, serve.keys['acct-a'], 'big-body');
      let received = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        socket?.pause();
      });
      const closed = new Promise<void>((resolve) => socket?.once('close', () => resolve()));
      const begun = performance.now();
      // read a little, then wait: 64 KB reads every ~30 ms
      const reader = setInterval(() => socket?.resume(), 30);
      for (let waited = 0; received < 20 * 1024 * 1024 && waited < 40_000; waited += 100)
        await sleep(100);
      clearInterval(reader);
      const tookMs = performance.now() - begun;
      assert.ok(
        received > 20 * 1024 * 1024,
        `received ${received} bytes in ${Math.round(tookMs)} ms`,
      );
      assert.ok(tookMs > 2_000, `the read took ${Math.round(tookMs)} ms, past the 1 s stall limit`);
      socket.destroy();
      await closed;
    } finally {
      socket?.destroy();
      await serve.remove();
      await upstream.close();
    }
  },
);

test(
  'an upstream that trickles a byte every 500 ms is cut at timeout_total_ms',
  { timeout: 60_000 },
  async () => {
    const upstream = await startEdgeUpstream();
    const serve = await startServeWithConfig({
      upstreams: [
        {
          name: 'edge',
          url: upstream.url,
          models: ['*'],
          timeout_ms: 2_000,
          timeout_total_ms: 3_000,
        },
      ],
    });
    try {
      const begun = performance.now();
      const response = await fetch(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${serve.keys['acct-a']}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          model: 'trickle',
          stream: true,
          messages: [{ role: 'user', content: 'slowly' }],
        }),
        signal: AbortSignal.timeout(30_000),
      });
      assert.equal(response.status, 200);
      await response.text().catch(() => ''); // the gateway closes the stream: the client sees it end
      const tookMs = performance.now() - begun;
      assert.ok(tookMs > 2_500 && tookMs < 8_000, `cut after ${Math.round(tookMs)} ms`);
      for (let waited = 0; !upstream.cut.get('trickle') && waited < 5_000; waited += 50)
        await sleep(50);
      assert.equal(upstream.cut.get('trickle'), 1);
    } finally {
      await serve.remove();
      await upstream.close();
    }
  },
);
