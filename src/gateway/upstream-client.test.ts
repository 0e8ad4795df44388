// The upstream client's timeouts, kept by a sweep over the calls in flight instead of undici's
// per-request timers: the head must come in time, then each chunk within the timeout of the last;
// a slow but steady stream does not time out, a call paused for a slow client only past the stall
// limit, and no call outlives its total deadline however it trickles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors } from 'undici';
import { ApiError } from './api-error.js';
import { parseGatewayConfig } from './gateway-config.js';
import {
  CallsInFlight,
  ClientStalledError,
  UpstreamBodyTooLargeError,
  UpstreamCall,
  UpstreamDeadlineError,
} from './upstream-call.js';
import { UpstreamClient, upstreamFailure } from './upstream-client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An upstream that answers each request with `script`: wait, write the head, then chunks with waits between them. */
async function scriptedUpstream(
  script: (response: ServerResponse) => Promise<void>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => void script(response).catch(() => response.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function clientFor(
  url: string,
  timeoutMs: number,
  more: { totalMs?: number; stallMs?: number; maxBodyBytes?: number } = {},
): UpstreamClient {
  const [upstream] = parseGatewayConfig({
    upstreams: [
      {
        name: 'scripted',
        url,
        models: ['*'],
        timeout_ms: timeoutMs,
        timeout_total_ms: more.totalMs ?? 600_000,
      },
    ],
  }).upstreams;
  return new UpstreamClient(upstream, {
    clientStallMs: more.stallMs ?? 30_000,
    maxBodyBytes: more.maxBodyBytes ?? 32 * 1024 * 1024,
  });
}

async function streamChunks(response: ServerResponse, count: number, gapMs: number): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let index = 0; index < count; index += 1) {
    response.write(`data: {"n":${index}}\n\n`);
    await sleep(gapMs);
  }
  response.end('data: [DONE]\n\n');
}

test('a head that does not come within the timeout fails the call with a headers timeout, answered as 504', async () => {
  const upstream = await scriptedUpstream(async (response) => {
    await sleep(1_000);
    response.end('{}');
  });
  const client = clientFor(upstream.url, 200);
  try {
    const call = client.call(client.path('/chat/completions'), '{}', {});
    const started = Date.now();
    const failure = await call.head.then(
      () => null,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof errors.HeadersTimeoutError, `got ${String(failure)}`);
    assert.ok(Date.now() - started < 900, 'failed before the upstream answered');
    const mapped = upstreamFailure(failure);
    assert.ok(mapped instanceof ApiError);
    assert.equal(mapped.status, 504);
    assert.equal(mapped.code, 'upstream_timeout');
  } finally {
    await client.close();
    await upstream.close();
  }
});

test('a stream whose chunks keep coming runs past the timeout; one that stalls mid-body fails with a body timeout', async () => {
  const steady = await scriptedUpstream((response) => streamChunks(response, 8, 80)); // 640 ms in all, 80 ms apart
  const client = clientFor(steady.url, 250);
  try {
    const call = client.call(client.path('/chat/completions'), '{}', {});
    const head = await call.head;
    assert.equal(head.status, 200);
    await call.finished;
    assert.match(call.body().toString(), /\{"n":7\}[\s\S]*\[DONE\]/);
  } finally {
    await client.close();
    await steady.close();
  }

  const stall = await scriptedUpstream(async (response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: {"n":0}\n\n');
    await sleep(1_500);
    response.end('data: [DONE]\n\n');
  });
  const impatient = clientFor(stall.url, 250);
  try {
    const call = impatient.call(impatient.path('/chat/completions'), '{}', {});
    await call.head;
    const failure = await call.finished.then(
      () => null,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof errors.BodyTimeoutError, `got ${String(failure)}`);
    assert.equal((upstreamFailure(failure) as ApiError).status, 504);
  } finally {
    await impatient.close();
    await stall.close();
  }
});

test('a call paused for a slow client does not time out, and resumes to the end', async () => {
  const upstream = await scriptedUpstream((response) => streamChunks(response, 3, 20));
  const client = clientFor(upstream.url, 150);
  try {
    const call = client.call(client.path('/chat/completions'), '{}', {});
    await call.head;
    const received: string[] = [];
    call.consume((chunk) => {
      if (received.length === 0) call.pause(); // the client's socket is full after the first chunk
      received.push(chunk.toString());
    });
    await sleep(600); // four timeouts while paused
    call.resume();
    await call.finished;
    assert.match(received.join(''), /\{"n":2\}[\s\S]*\[DONE\]/);
  } finally {
    await client.close();
    await upstream.close();
  }
});

test('calls leave the in-flight list however they end, in any order', async () => {
  const list = new CallsInFlight();
  const calls = Array.from({ length: 5 }, () => new UpstreamCall(list));
  const listed = () => {
    const seen: UpstreamCall[] = [];
    list.forEach((call) => seen.push(call));
    return seen;
  };
  assert.equal(list.size, 5);
  assert.deepEqual(listed(), [...calls].reverse(), 'newest first');
  calls[2].onResponseEnd();
  calls[0].onResponseError(null as never, new Error('reset'));
  const failedHead = assert.rejects(calls[0].head, /reset/);
  calls[4].expire(Date.now() + 10_000, { idleMs: 1_000, totalMs: 60_000, stallMs: 30_000 }); // queued in the pool past its timeout
  await assert.rejects(calls[4].head, errors.HeadersTimeoutError);
  assert.deepEqual(listed(), [calls[3], calls[1]]);
  calls[2].onResponseEnd(); // a second end changes nothing
  calls[1].onResponseEnd();
  calls[3].onResponseEnd();
  assert.equal(list.size, 0);
  assert.deepEqual(listed(), []);
  await failedHead;
  await assert.rejects(calls[0].finished, /reset/);
});

test('a call paused past the stall limit fails with ClientStalledError and frees its connection', async () => {
  let closed = 0;
  const upstream = await scriptedUpstream(async (response) => {
    response.on('close', () => (closed += 1));
    await streamChunks(response, 50, 20);
  });
  const client = clientFor(upstream.url, 1_000, { stallMs: 200 });
  try {
    const call = client.call(client.path('/chat/completions'), '{}', {});
    await call.head;
    call.consume(() => call.pause()); // a client that never drains
    const started = Date.now();
    await assert.rejects(call.finished, ClientStalledError);
    assert.ok(
      Date.now() - started < 900,
      'cut at the stall limit (plus a sweep), not the idle timeout',
    );
    for (let waited = 0; closed === 0 && waited < 2_000; waited += 20) await sleep(20);
    assert.equal(closed, 1, 'the upstream connection was closed');
  } finally {
    await client.close();
    await upstream.close();
  }
});

test('an upstream that trickles within the idle timeout is still cut at the total deadline (504)', async () => {
  const upstream = await scriptedUpstream(async (response) => streamChunks(response, 100, 50));
  const client = clientFor(upstream.url, 1_000, { totalMs: 400 });
  try {
    const call = client.call(client.path('/chat/completions'), '{}', {});
    await call.head;
    call.consume(() => undefined);
    const started = Date.now();
    const failure = await call.finished.then(
      () => null,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof UpstreamDeadlineError, `got ${String(failure)}`);
    assert.ok(Date.now() - started < 2_000);
    const mapped = upstreamFailure(failure);
    assert.ok(mapped instanceof ApiError && mapped.status === 504);
  } finally {
    await client.close();
    await upstream.close();
  }
});

test('a whole answer over the body cap fails with 502 and stops the upstream; one within it is collected', async () => {
  let closed = 0;
  const upstream = await scriptedUpstream(async (response) => {
    response.on('close', () => (closed += 1));
    response.writeHead(200, { 'content-type': 'application/json' });
    for (let index = 0; index < 64 && !response.destroyed; index += 1) {
      response.write(Buffer.alloc(16 * 1024, 'a'));
      await sleep(1);
    }
    response.end();
  });
  const client = clientFor(upstream.url, 5_000, { maxBodyBytes: 256 * 1024 });
  try {
    const call = client.call(client.path('/chat/completions'), '{}', {});
    await call.head;
    const failure = await call.finished.then(
      () => null,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof UpstreamBodyTooLargeError, `got ${String(failure)}`);
    assert.equal(call.chunks.length, 0, 'nothing is kept');
    const mapped = upstreamFailure(failure);
    assert.ok(
      mapped instanceof ApiError && mapped.status === 502 && mapped.code === 'upstream_error',
    );
    for (let waited = 0; closed === 0 && waited < 2_000; waited += 20) await sleep(20);
    assert.equal(closed, 1);
  } finally {
    await client.close();
    await upstream.close();
  }
  const small = await scriptedUpstream(async (response) => void response.end('{"ok":true}'));
  const roomy = clientFor(small.url, 5_000, { maxBodyBytes: 11 });
  try {
    const call = roomy.call(roomy.path('/chat/completions'), '{}', {});
    await call.finished;
    assert.equal(call.body().toString(), '{"ok":true}');
  } finally {
    await roomy.close();
    await small.close();
  }
});
