// A misbehaving OpenAI-compatible upstream for the edge fault tests. It picks its behaviour from
// the request's `model` and generates large answers as it writes them (with back-pressure), so a
// 300 MB answer never sits in this process's memory. Models:
//   `small`            a normal chat completion (or a short stream)
//   `endless-stream`   SSE content chunks until the gateway stops reading or goes away (at most 1 GB)
//   `huge-body`        a 300 MB JSON chat completion
//   `big-body`         a 20 MB JSON chat completion (within the gateway's default cap)
//   `huge-stream`      a 211 MB stream of content chunks, then [DONE]
//   `long-line`        one 8 MB SSE line (no newline until its end), then a normal event and [DONE]
//   `trickle`          a stream head, then one byte every 500 ms, never finishing
//   `slow-stream`      8 content chunks 400 ms apart, then [DONE]
//   `not-json`         HTTP 200 with an HTML body
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EdgeUpstream {
  url: string;
  /** Answers begun, by model. */
  started: Map<string, number>;
  /** Answers whose connection closed before they were complete, by model. */
  cut: Map<string, number>;
  /** Bytes written per model (counted as written). */
  written: Map<string, number>;
  close(): Promise<void>;
}

const bump = (map: Map<string, number>, key: string, by = 1) =>
  map.set(key, (map.get(key) ?? 0) + by);

const chunkEvent = (text: string) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-edge', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

/** Writes `next()` pieces until it returns null, waiting for 'drain' when the socket is full. */
function pump(
  response: ServerResponse,
  next: () => string | Buffer | null,
  onBytes: (bytes: number) => void,
  onDone: () => void,
): void {
  const write = () => {
    for (;;) {
      if (response.destroyed) return;
      const piece = next();
      if (piece === null) {
        response.end(onDone);
        return;
      }
      onBytes(piece.length);
      if (!response.write(piece)) {
        response.once('drain', write);
        return;
      }
    }
  };
  write();
}

export async function startEdgeUpstream(): Promise<EdgeUpstream> {
  const started = new Map<string, number>();
  const cut = new Map<string, number>();
  const written = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      if (request.method === 'GET') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            object: 'list',
            data: [{ id: 'small', object: 'model', created: 0, owned_by: 'edge' }],
          }),
        );
        return;
      }
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as {
        model?: string;
        stream?: boolean;
      };
      const model = String(body.model ?? 'small');
      bump(started, model);
      let complete = false;
      response.on('close', () => {
        if (!complete) bump(cut, model);
      });
      const done = () => {
        complete = true;
      };
      const count = (bytes: number) => bump(written, model, bytes);
      const sse = () =>
        response.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
        });
      switch (model) {
        case 'endless-stream': {
          sse();
          const piece = chunkEvent('x'.repeat(8 * 1024));
          let left = Math.ceil((1024 * 1024 * 1024) / piece.length);
          pump(response, () => (left-- > 0 ? piece : null), count, done);
          return;
        }
        case 'huge-stream': {
          sse();
          const piece = chunkEvent('y'.repeat(64 * 1024));
          let left = Math.ceil((211 * 1024 * 1024) / piece.length);
          pump(
            response,
            () => (left-- > 0 ? piece : left === -1 ? 'data: [DONE]\n\n' : null),
            count,
            done,
          );
          return;
        }
        case 'big-body':
        case 'huge-body': {
          response.writeHead(200, { 'content-type': 'application/json' });
          const filler = 'z'.repeat(1024 * 1024);
          let left = model === 'big-body' ? 20 : 300;
          let state: 'head' | 'fill' | 'tail' | 'end' = 'head';
          pump(
            response,
            () => {
              if (state === 'head') {
                state = 'fill';
                return '{"id":"chatcmpl-edge","object":"chat.completion","created":0,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"';
              }
              if (state === 'fill') {
                if (--left === 0) state = 'tail';
                return filler;
              }
              if (state === 'tail') {
                state = 'end';
                return '"},"finish_reason":"stop"}]}';
              }
              return null;
            },
            count,
            done,
          );
          return;
        }
        case 'long-line': {
          sse();
          const block = 'q'.repeat(64 * 1024);
          let left = 128; // 8 MB
          let state: 'head' | 'fill' | 'tail' | 'end' = 'head';
          pump(
            response,
            () => {
              if (state === 'head') {
                state = 'fill';
                return 'data: ';
              }
              if (state === 'fill') {
                if (--left === 0) state = 'tail';
                return block;
              }
              if (state === 'tail') {
                state = 'end';
                return `\n\n${chunkEvent('after the long line')}data: [DONE]\n\n`;
              }
              return null;
            },
            count,
            done,
          );
          return;
        }
        case 'trickle': {
          sse();
          const timer = setInterval(() => response.write(':'), 500);
          response.on('close', () => clearInterval(timer));
          return;
        }
        case 'slow-stream': {
          sse();
          let sent = 0;
          const timer = setInterval(() => {
            if (sent++ < 8) response.write(chunkEvent(`part ${sent} `));
            else {
              clearInterval(timer);
              response.end('data: [DONE]\n\n', done);
            }
          }, 400);
          response.on('close', () => clearInterval(timer));
          return;
        }
        case 'not-json':
          response.writeHead(200, { 'content-type': 'text/html' });
          response.end('<html>not an answer</html>', done);
          return;
        default:
          if (body.stream) {
            sse();
            response.end(`${chunkEvent('Small answer.')}data: [DONE]\n\n`, done);
            return;
          }
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              id: 'chatcmpl-edge',
              object: 'chat.completion',
              created: 0,
              model,
              choices: [
                {
                  index: 0,
                  message: { role: 'assistant', content: 'Small answer.' },
                  finish_reason: 'stop',
                },
              ],
              usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
            }),
            done,
          );
      }
    });
  });
  server.keepAliveTimeout = 60_000; // the gateway's pool connections stay as they are during a test
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    started,
    cut,
    written,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
