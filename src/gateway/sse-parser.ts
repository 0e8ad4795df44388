// Incremental Server-Sent Events parser (WHATWG HTML §9.2.6): bytes in, events out. The gateway
// passes stream bytes through untouched and feeds a copy here to read the text it served. Each
// chunk is scanned once (a line split over many chunks is joined when it ends), and an event that
// grows past the limit fails the stream: an upstream cannot make the parser hold or rescan it.
import { ApiError } from './api-error.js';

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
/** The default cap on one event (its pending line plus the data lines before it), in characters. */
export const defaultMaxEventChars = 1024 * 1024;

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly onEvent: (event: ServerSentEvent) => void;
  private readonly maxEventChars: number;
  /** The unfinished line: its parts as received (joined once, when the line ends). */
  private pending: string[] = [];
  private pendingChars = 0;
  /** Characters of the data lines of the event being read. */
  private dataChars = 0;
  /** Characters examined so far: the input's length, whatever the chunking (tests read it). */
  scanned = 0;
  private data: string[] = [];
  private eventName = '';
  private lastId: string | undefined;
  /** The previous chunk ended with CR: a LF at the start of the next one belongs to it. */
  private afterCarriageReturn = false;

  /** `maxEventChars`: past it, `push` throws an ApiError 502 `upstream_error`. */
  constructor(onEvent: (event: ServerSentEvent) => void, maxEventChars = defaultMaxEventChars) {
    this.onEvent = onEvent;
    this.maxEventChars = maxEventChars;
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
    this.pending = [];
    this.pendingChars = 0;
    this.data = [];
    this.dataChars = 0;
    this.eventName = '';
  }

  private consume(text: string): void {
    this.scanned += text.length;
    let start = 0;
    for (let index = 0; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      if (this.pendingChars === 0) this.line(text.slice(start, index));
      else {
        this.pending.push(text.slice(start, index));
        const line = this.pending.join('');
        this.pending = [];
        this.pendingChars = 0;
        this.line(line);
      }
      if (code === 13) {
        if (index + 1 < text.length) {
          if (text.charCodeAt(index + 1) === 10) index += 1;
        } else this.afterCarriageReturn = true;
      }
      start = index + 1;
    }
    if (start < text.length) {
      this.pending.push(start === 0 ? text : text.slice(start));
      this.pendingChars += text.length - start;
      if (this.pendingChars + this.dataChars > this.maxEventChars) this.tooLong();
    }
  }

  private tooLong(): never {
    this.pending = [];
    this.pendingChars = 0;
    this.data = [];
    this.dataChars = 0;
    throw new ApiError(
      502,
      'upstream_error',
      `The model server sent a stream event longer than this gateway accepts (${this.maxEventChars} characters). Retry the request.`,
    );
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
        this.dataChars += value.length + 1;
        if (this.dataChars > this.maxEventChars) this.tooLong();
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
    const event: ServerSentEvent = {
      event: this.eventName || 'message',
      data: this.data.length === 1 ? this.data[0] : this.data.join('\n'),
      id: this.lastId,
    };
    this.data = [];
    this.dataChars = 0;
    this.eventName = '';
    this.lastId = undefined;
    this.onEvent(event);
  }
}
