// M3: clients that send slowly. Slow headers and slow bodies are cut at limits.headers_timeout_ms
// and limits.request_timeout_ms with a 408 in the caller's format; a bad key gets its 401 on the
// headers, before a slow 1 MB upload ends; a long answer is not cut by the request timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startEdgeUpstream } from './support/edge-upstream.js';
import { startServeWithConfig } from './support/serve.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RawExchange {
  socket: Socket;
  /** Everything received so far. */
  received: () => string;
  /** ms from the connect to the first byte received, and to the close (null while open). */
  firstByteMs: () => number | null;
  closedMs: () => number | null;
}

function rawClient(url: string): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const begun = performance.now();
    let received = '';
    let firstByteMs: number | null = null;
    let closedMs: number | null = null;
    const socket = connect({ host: hostname, port: Number(port) }, () =>
      resolve({
        socket,
        received: () => received,
        firstByteMs: () => firstByteMs,
        closedMs: () => closedMs,
      }),
    );
    socket.on('data', (chunk: Buffer) => {
      firstByteMs ??= performance.now() - begun;
      received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (closedMs = performance.now() - begun));
  });
}

async function until(condition: () => boolean, limitMs: number): Promise<void> {
  for (let waited = 0; !condition() && waited < limitMs; waited += 25) await sleep(25);
}

/** Writes `body` in pieces of `piece` bytes every `everyMs` until done or the socket closes; resolves when it stops. */
async function trickle(
  socket: Socket,
  body: Buffer,
  piece: number,
  everyMs: number,
): Promise<boolean> {
  for (let offset = 0; offset < body.length; offset += piece) {
    if (socket.destroyed || !socket.writable) return false;
    socket.write(body.subarray(offset, offset + piece));
    await sleep(everyMs);
  }
  return true;
}

/** The JSON body of a raw HTTP answer (plain or one chunk). */
function jsonOf(raw: string): Record<string, any> {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  return JSON.parse(body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1)) as Record<
    string,
    any
  >;
}

test(
  "slow headers and bodies are cut within the limits with the caller's error format; a bad key is refused before its slow body",
  { timeout: 120_000 },
  async () => {
    const upstream = await startEdgeUpstream();
    const serve = await startServeWithConfig({
      upstreams: [{ name: 'edge', url: upstream.url, models: ['*'] }],
      limits: { headers_timeout_ms: 1_000, request_timeout_ms: 2_000 },
    });
    const { hostname } = new URL(serve.url);
    const key = serve.keys['acct-a'];
    try {
      // headers that trickle in: cut at about 1 s (plus node's check interval), 408 in OpenAI's format
      const slowHeaders = await rawClient(serve.url);
      void trickle(
        slowHeaders.socket,
        Buffer.from(
          `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}\r\nx-filler: ${'a'.repeat(200)}`,
        ),
        5,
        200,
      );
      await until(() => slowHeaders.closedMs() !== null, 10_000);
      assert.ok(
        slowHeaders.closedMs() !== null && slowHeaders.closedMs()! < 4_000,
        `closed after ${slowHeaders.closedMs()} ms`,
      );
      assert.match(slowHeaders.received(), /^HTTP\/1\.1 408 /);
      assert.equal(jsonOf(slowHeaders.received()).error.code, 'request_timeout');

      // a body that trickles in with a good key: cut at about 2 s, 408 in Anthropic's format for /v1/messages
      const body = Buffer.from(
        JSON.stringify({
          model: 'small',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'x'.repeat(4_000) }],
        }),
      );
      const slowBody = await rawClient(serve.url);
      slowBody.socket.write(
        `POST /v1/messages HTTP/1.1\r\nhost: ${hostname}\r\nx-api-key: ${key}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
      );
      void trickle(slowBody.socket, body, 20, 200);
      await until(() => slowBody.closedMs() !== null, 10_000);
      assert.ok(
        slowBody.closedMs() !== null && slowBody.closedMs()! < 5_000,
        `closed after ${slowBody.closedMs()} ms`,
      );
      assert.match(slowBody.received(), /^HTTP\/1\.1 408 /);
      const anthropicError = jsonOf(slowBody.received());
      assert.equal(anthropicError.type, 'error');
      assert.equal(anthropicError.error.type, 'invalid_request_error');
      assert.match(anthropicError.error.message, /did not arrive in time/);

      // a bad key with a slow 1 MB body (200 KB/s, 5 s): 401 on the headers, long before the upload ends
      const upload = Buffer.alloc(1024 * 1024, 'b');
      const badKey = await rawClient(serve.url);
      badKey.socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer dg-not-a-key\r\ncontent-type: application/json\r\ncontent-length: ${upload.length}\r\n\r\n`,
      );
      const uploaded = trickle(badKey.socket, upload, 20 * 1024, 100);
      await until(() => badKey.firstByteMs() !== null, 10_000);
      assert.ok(
        badKey.firstByteMs() !== null && badKey.firstByteMs()! < 2_000,
        `401 after ${badKey.firstByteMs()} ms`,
      );
      assert.match(badKey.received(), /^HTTP\/1\.1 401 /);
      assert.equal(jsonOf(badKey.received()).error.code, 'invalid_api_key');
      assert.equal(
        await uploaded,
        false,
        'the gateway closed the connection before the upload ended',
      );

      // a connection that sends nothing is closed at the headers limit; bytes that are not HTTP get a 400 in OpenAI's format
      const idle = await rawClient(serve.url);
      const garbage = await rawClient(serve.url);
      garbage.socket.write('HELLO THERE\r\n\r\n');
      await until(() => idle.closedMs() !== null && garbage.closedMs() !== null, 10_000);
      assert.ok(
        idle.closedMs() !== null && idle.closedMs()! < 4_000,
        `idle connection closed after ${idle.closedMs()} ms`,
      );
      assert.match(garbage.received(), /^HTTP\/1\.1 400 /);
      assert.equal(jsonOf(garbage.received()).error.type, 'invalid_request_error');

      // Expect: 100-continue with a bad key: the 401 comes instead of 100 Continue
      const expecting = await rawClient(serve.url);
      expecting.socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}\r\nx-api-key: nope\r\nexpect: 100-continue\r\ncontent-length: 10\r\n\r\n`,
      );
      await until(() => expecting.firstByteMs() !== null, 5_000);
      assert.match(expecting.received(), /^HTTP\/1\.1 401 /);
      expecting.socket.destroy();

      // an answer that takes longer than the request timeout is not cut by it (the request had arrived)
      const streamed = await fetch(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'slow-stream',
          stream: true,
          messages: [{ role: 'user', content: 'slowly' }],
        }),
      });
      assert.equal(streamed.status, 200);
      const text = await streamed.text();
      assert.match(text, /part 8 [\s\S]*\[DONE\]/);
    } finally {
      await serve.remove();
      await upstream.close();
    }
  },
);
