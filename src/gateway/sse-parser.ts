// Incremental Server-Sent Events parser (WHATWG HTML §9.2.6): bytes in, events out. The gateway
// passes stream bytes through untouched and feeds a copy here to read the text it served.

export interface ServerSentEvent {
  /** The `event:` field; 'message' when absent. */
  event: string;
  /** The `data:` lines joined with '\n'. */
  data: string;
  /** The `id:` field of this event (as eventsource-parser reports it; not carried to later events). */
  id: string | undefined;
}

/**
 * Feeds chunks split at any byte; calls `onEvent` for each complete event.
 * @example
 * const parser = new SseParser((event) => console.log(event.data));
 * parser.push(Buffer.from('data: {"a":1}\n\n'));
 */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly onEvent: (event: ServerSentEvent) => void;
  private pending = '';
  private data: string[] = [];
  private eventName = '';
  private lastId: string | undefined;
  /** The previous chunk ended with CR: a LF at the start of the next one belongs to it. */
  private afterCarriageReturn = false;

  constructor(onEvent: (event: ServerSentEvent) => void) {
    this.onEvent = onEvent;
  }

  push(chunk: Uint8Array): void {
    // the decoder strips a byte-order mark at the start of the stream, as the spec asks
    let text = this.decoder.decode(chunk, { stream: true });
    if (this.afterCarriageReturn && text.charCodeAt(0) === 10) text = text.slice(1);
    this.afterCarriageReturn = false;
    this.consume(text);
  }

  /** Ends the stream: an event without its final blank line is dropped, as the spec says. */
  end(): void {
    this.consume(this.decoder.decode());
    this.pending = '';
    this.data = [];
    this.eventName = '';
  }

  private consume(text: string): void {
    let buffer = this.pending + text;
    let start = 0;
    for (let index = 0; index < buffer.length; index += 1) {
      const code = buffer.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      this.line(buffer.slice(start, index));
      if (code === 13) {
        if (index + 1 < buffer.length) {
          if (buffer.charCodeAt(index + 1) === 10) index += 1;
        } else this.afterCarriageReturn = true;
      }
      start = index + 1;
    }
    buffer = buffer.slice(start);
    this.pending = buffer;
  }

  private line(line: string): void {
    if (line.length === 0) {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.eventName = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        break; // 'retry' and unknown fields do not matter to a reader of the text
    }
  }

  private dispatch(): void {
    if (this.data.length === 0) {
      this.eventName = '';
      this.lastId = undefined;
      return;
    }
    const event: ServerSentEvent = { event: this.eventName || 'message', data: this.data.join('\n'), id: this.lastId };
    this.data = [];
    this.eventName = '';
    this.lastId = undefined;
    this.onEvent(event);
  }
}
