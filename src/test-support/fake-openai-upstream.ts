// A stand-in OpenAI-compatible model server for tests where the upstream is not what is under
// test. It speaks the real wire format: chat completions JSON and SSE chunks, tool calls, errors.
// It echoes a fixed reply, records what it received and the exact bytes it sent, and can hold a
// stream open to test aborts. Legacy completions (`/completions`), logprobs when asked for, and
// special models: `fail-model` (HTTP 500), `busy-model` (HTTP 429 with Retry-After), `fail-midstream` (an error chunk after two content
// chunks, as vLLM sends), `thinking-model` (reasoning_content and a <thinking> span in the text).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface FakeUpstream {
  url: string;
  received: ReceivedRequest[];
  /** The exact bytes of each answer sent, in order (streams once they have ended). */
  sent: string[];
  /** Streams that ended because the gateway went away. */
  aborted: number;
  /** Requests whose connection closed before any answer was sent. */
  abandoned: number;
  close(): Promise<void>;
}

export interface FakeUpstreamOptions {
  reply?: string;
  /** Streams send a chunk, then wait this long between chunks (for disconnect tests). */
  chunkDelayMs?: number;
  chunks?: number;
  /** Waits this long before answering at all (for timeout and early-disconnect tests). */
  headDelayMs?: number;
}

const words = (text: string, parts: number) => {
  const size = Math.ceil(text.length / parts);
  return Array.from({ length: parts }, (_, index) =>
    text.slice(index * size, (index + 1) * size),
  ).filter((part) => part.length > 0);
};

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const reply = options.reply ?? 'The answer is 42, because six times seven is 42.';
  const state = {
    received: [] as ReceivedRequest[],
    sent: [] as string[],
    aborted: 0,
    abandoned: 0,
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    let body: Record<string, unknown> = {};
    request.on('end', () => {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      state.received.push({ path: request.url ?? '', headers: request.headers, body });
      if (!options.headDelayMs) answer();
      else {
        const timer = setTimeout(answer, options.headDelayMs);
        response.on('close', () => {
          if (response.headersSent) return;
          clearTimeout(timer);
          state.abandoned += 1;
        });
      }
    });
    const answer = () => {
      if (request.method === 'GET' && (request.url ?? '').endsWith('/models')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            object: 'list',
            data: [
              { id: 'fake-model-a', object: 'model', created: 0, owned_by: 'fake' },
              { id: 'fake-model-b', object: 'model', created: 0, owned_by: 'fake' },
            ],
          }),
        );
        return;
      }
      const model = String(body.model ?? 'model');
      if (model === 'busy-model') {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
        response.end(
          JSON.stringify({
            error: {
              message: 'upstream busy',
              type: 'rate_limit_error',
              param: null,
              code: 'rate_limit_exceeded',
            },
          }),
        );
        return;
      }
      if (model === 'fail-model') {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            error: { message: 'upstream exploded', type: 'server_error', param: null, code: null },
          }),
        );
        return;
      }
      const legacy = !(request.url ?? '').endsWith('/chat/completions');
      const thinking = model === 'thinking-model';
      const text = thinking ? `<thinking>private chain of thought</thinking>${reply}` : reply;
      const wantLogprobs = legacy ? typeof body.logprobs === 'number' : body.logprobs === true;
      const tokenLogprobs = (part: string) => {
        const tokens = part.split(/(?<= )/).filter((token) => token.length > 0);
        if (legacy)
          return {
            tokens,
            token_logprobs: tokens.map((_, index) => -0.25 * (index + 1)),
            top_logprobs: null,
            text_offset: tokens.map((_, index) => tokens.slice(0, index).join('').length),
          };
        return {
          content: tokens.map((token, index) => ({
            token,
            logprob: -0.25 * (index + 1),
            bytes: [...Buffer.from(token)],
            top_logprobs: [],
          })),
          refusal: null,
        };
      };
      const tools = !legacy && Array.isArray(body.tools) && body.tools.length > 0;
      const toolCall = {
        id: 'call_1',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      };
      const n = typeof body.n === 'number' ? body.n : 1;
      const created = Math.floor(Date.now() / 1000);
      if (body.stream === true) {
        response.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
        });
        const base = legacy
          ? { id: 'cmpl-fake', object: 'text_completion', created, model }
          : { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created, model };
        const events: string[] = [];
        if (legacy) {
          for (const part of words(text, options.chunks ?? 5))
            events.push(
              JSON.stringify({
                ...base,
                choices: [
                  {
                    index: 0,
                    text: part,
                    logprobs: wantLogprobs ? tokenLogprobs(part) : null,
                    finish_reason: null,
                  },
                ],
              }),
            );
          events.push(
            JSON.stringify({
              ...base,
              choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }],
            }),
          );
        } else
          events.push(
            JSON.stringify({
              ...base,
              choices: [
                { index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null },
              ],
            }),
          );
        if (legacy) {
          // done above
        } else if (model === 'fail-midstream') {
          for (const part of words(reply, 4).slice(0, 2))
            events.push(
              JSON.stringify({
                ...base,
                choices: [{ index: 0, delta: { content: part }, finish_reason: null }],
              }),
            );
          events.push(
            JSON.stringify({
              error: {
                message: 'upstream overloaded midway',
                type: 'server_error',
                param: null,
                code: null,
              },
            }),
          );
        } else if (tools) {
          events.push(
            JSON.stringify({
              ...base,
              choices: [
                {
                  index: 0,
                  delta: {
                    tool_calls: [
                      {
                        index: 0,
                        id: 'call_1',
                        type: 'function',
                        function: { name: 'get_weather', arguments: '' },
                      },
                    ],
                  },
                  finish_reason: null,
                },
              ],
            }),
          );
          events.push(
            JSON.stringify({
              ...base,
              choices: [
                {
                  index: 0,
                  delta: {
                    tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }],
                  },
                  finish_reason: null,
                },
              ],
            }),
          );
          events.push(
            JSON.stringify({
              ...base,
              choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }],
            }),
          );
        } else {
          if (thinking)
            events.push(
              JSON.stringify({
                ...base,
                choices: [
                  {
                    index: 0,
                    delta: { reasoning_content: 'private reasoning' },
                    finish_reason: null,
                  },
                ],
              }),
            );
          for (const part of words(text, options.chunks ?? 5))
            events.push(
              JSON.stringify({
                ...base,
                choices: [
                  {
                    index: 0,
                    delta: { content: part },
                    logprobs: wantLogprobs ? tokenLogprobs(part) : null,
                    finish_reason: null,
                  },
                ],
              }),
            );
          events.push(
            JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
          );
        }
        const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
        if (streamOptions?.include_usage)
          events.push(
            JSON.stringify({
              ...base,
              choices: [],
              usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
            }),
          );
        events.push('[DONE]');
        let index = 0;
        let finished = false;
        let written = '';
        response.on('close', () => {
          if (!finished) state.aborted += 1;
        });
        const next = () => {
          if (response.destroyed) return;
          if (index >= events.length) {
            finished = true;
            state.sent.push(written);
            response.end();
            return;
          }
          written += `data: ${events[index]}\n\n`;
          response.write(`data: ${events[index]}\n\n`);
          index += 1;
          if (options.chunkDelayMs) setTimeout(next, options.chunkDelayMs);
          else next();
        };
        next();
        return;
      }
      const usage = { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 };
      const answerOf = (index: number) => (n > 1 ? `${text} (${index})` : text);
      const payload = legacy
        ? {
            id: 'cmpl-fake',
            object: 'text_completion',
            created,
            model,
            choices: Array.from({ length: n }, (_, index) => ({
              index,
              text: answerOf(index),
              logprobs: wantLogprobs ? tokenLogprobs(answerOf(index)) : null,
              finish_reason: 'stop',
            })),
            usage,
          }
        : {
            id: 'chatcmpl-fake',
            object: 'chat.completion',
            created,
            model,
            usage,
            choices: Array.from({ length: n }, (_, index) => ({
              index,
              message: tools
                ? { role: 'assistant', content: null, tool_calls: [toolCall] }
                : {
                    role: 'assistant',
                    content: answerOf(index),
                    ...(thinking ? { reasoning_content: 'private reasoning' } : {}),
                  },
              finish_reason: tools ? 'tool_calls' : 'stop',
              logprobs: wantLogprobs && !tools ? tokenLogprobs(answerOf(index)) : null,
            })),
          };
      // spaced JSON, as some servers send: a gateway that re-serialises would change the bytes
      const bytes = JSON.stringify(payload, null, 1);
      state.sent.push(bytes);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(bytes);
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get received() {
      return state.received;
    },
    get sent() {
      return state.sent;
    },
    get aborted() {
      return state.aborted;
    },
    get abandoned() {
      return state.abandoned;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
