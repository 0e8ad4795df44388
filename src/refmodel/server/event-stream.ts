// Server-sent events to one client, written while the answer is generated: the response is taken
// over from fastify on the first write (so an error raised before it is still a plain JSON error),
// writes wait for the socket to drain, and `closed` turns true once the client has gone.
import type { FastifyReply } from 'fastify';

/** Where a streaming endpoint writes its events (each already framed as `data: ...\n\n`). */
export interface EventSink {
  /** True once the client has disconnected: stop generating. */
  readonly closed: boolean;
  /** Writes the events; resolves when the connection can take more (or has closed). */
  send(events: readonly string[]): Promise<void>;
}

export class EventStream implements EventSink {
  private clientGone = false;

  constructor(private readonly reply: FastifyReply) {
    reply.raw.once('close', () => {
      this.clientGone = true;
    });
  }

  /** Whether the status line and headers have gone out (after that, errors travel as events). */
  get started(): boolean {
    return this.reply.raw.headersSent;
  }

  get closed(): boolean {
    return this.clientGone || this.reply.raw.destroyed;
  }

  async send(events: readonly string[]): Promise<void> {
    if (this.closed || events.length === 0) return;
    const response = this.reply.raw;
    if (!response.headersSent) {
      if (!this.reply.sent) this.reply.hijack();
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
    }
    if (response.write(events.join(''))) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  }

  /** Cuts the connection (server shutdown): `closed` turns true and the generation stops. */
  abort(): void {
    this.reply.raw.destroy();
  }

  /** Ends the response (taking it over from fastify if nothing was written, e.g. the client left first). */
  end(): void {
    if (!this.reply.sent) this.reply.hijack();
    if (!this.reply.raw.destroyed) this.reply.raw.end();
  }
}
