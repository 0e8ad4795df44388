// A fast fake model API for the gateway benchmark, speaking the OpenAI wire format: a chat
// completion as JSON, or as SSE (`data: {chat.completion.chunk}` events, then `data: [DONE]`),
// each chunk a separate write so time to first token and chunk delivery can be measured.
// Usage: node dist/bench/fake-upstream.js --port P [--chunk-interval-ms 0]
// The number of chunks comes per request from the body's `max_tokens` when streaming.
import { createServer, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'chunk-interval-ms': { type: 'string', default: '0' },
  },
});
const chunkIntervalMs = Number(values['chunk-interval-ms']);
const created = Math.floor(Date.now() / 1000);

interface ChatBody {
  model?: string;
  stream?: boolean;
  max_tokens?: number;
}

function completion(model: string): string {
  return JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'A short answer from the fake upstream.' },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
  });
}

function chunk(model: string, index: number, last: boolean): string {
  const delta = index === 0 ? { role: 'assistant', content: 'tok0 ' } : { content: `tok${index} ` };
  return `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: last ? 'stop' : null }] })}\n\n`;
}

/** Writes `chunks` events, each its own write, a macrotask (or the interval) apart. */
function stream(response: ServerResponse, model: string, chunks: number): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let index = 0;
  const next = () => {
    if (response.destroyed) return;
    response.write(chunk(model, index, index === chunks - 1));
    index += 1;
    if (index < chunks) {
      if (chunkIntervalMs > 0) setTimeout(next, chunkIntervalMs);
      else setImmediate(next);
    } else {
      response.end('data: [DONE]\n\n');
    }
  };
  next();
}

const server = createServer((request, response) => {
  const parts: Buffer[] = [];
  request.on('data', (part: Buffer) => parts.push(part));
  request.on('end', () => {
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      response.writeHead(request.url === '/health' ? 200 : 404, {
        'content-type': 'application/json',
      });
      response.end(
        JSON.stringify(
          request.url === '/health'
            ? { status: 'ok' }
            : {
                error: {
                  message: `fake upstream serves POST .../chat/completions only, not ${request.method} ${request.url}`,
                  type: 'not_found',
                },
              },
        ),
      );
      return;
    }
    let body: ChatBody;
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8')) as ChatBody;
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: { message: 'body is not JSON', type: 'invalid_request_error' } }),
      );
      return;
    }
    const model = body.model ?? 'bench-model';
    if (body.stream) {
      stream(response, model, Math.max(1, body.max_tokens ?? 20));
      return;
    }
    const text = completion(model);
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : values.port;
  process.stdout.write(`fake upstream listening on http://127.0.0.1:${port}\n`);
});
