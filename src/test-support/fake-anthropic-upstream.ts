// A stand-in Anthropic Messages server for tests where the upstream is not what is under test:
// the real wire format (message JSON, and the named SSE events of a streamed message).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnthropicUpstream {
  url: string;
  received: { path: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }[];
  /** The exact bytes of the last stream sent. */
  lastStream: string;
  close(): Promise<void>;
}

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

export async function startFakeAnthropicUpstream(
  reply = 'Bonjour from the Anthropic stand-in.',
): Promise<FakeAnthropicUpstream> {
  const state = { received: [] as FakeAnthropicUpstream['received'], lastStream: '' };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
        string,
        unknown
      >;
      state.received.push({ path: request.url ?? '', headers: request.headers, body });
      const model = String(body.model);
      const message = {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model,
        content: [] as unknown[],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 1 },
      };
      if (body.stream !== true) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            ...message,
            content: [{ type: 'text', text: reply }],
            stop_reason: 'end_turn',
            usage: { input_tokens: 10, output_tokens: 8 },
          }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      const parts = [reply.slice(0, 7), reply.slice(7, 20), reply.slice(20)];
      const stream = [
        event('message_start', { type: 'message_start', message }),
        event('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '' },
        }),
        ': a comment line the gateway must pass through\n\n',
        ...parts.map((text) =>
          event('content_block_delta', {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text },
          }),
        ),
        event('content_block_stop', { type: 'content_block_stop', index: 0 }),
        event('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { output_tokens: 8 },
        }),
        event('message_stop', { type: 'message_stop' }),
      ];
      state.lastStream = stream.join('');
      for (const piece of stream) response.write(piece);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get received() {
      return state.received;
    },
    get lastStream() {
      return state.lastStream;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
