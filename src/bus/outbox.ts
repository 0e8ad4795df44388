// The gateway's durable outbox in front of the bus: every batch of events is appended to a local
// file, and the bus is fed from the file, in order, one chunk at a time; a cursor file records how
// far the bus has acknowledged. A chunk the bus does not acknowledge is retried with backoff (the
// bus drops the events it already holds, by id), so an outage loses nothing and keeps the order,
// and memory stays one chunk however long the outage. A killed gateway publishes, at its next
// start, what the file holds past the cursor. The file is emptied once all of it is acknowledged
// and it has grown past a bound.
import { existsSync, readFileSync } from 'node:fs';
import { open, rename, writeFile, type FileHandle } from 'node:fs/promises';
import type { InteractionBus, InteractionEvent } from './event-bus.js';

export interface OutboxOptions {
  /** First wait after a failed publish (ms; default 100), doubling up to `retryMaxMs` (default 2,000). */
  retryFirstMs?: number;
  retryMaxMs?: number;
  /** Bytes of the file read and published per chunk at most (default 256 KiB). */
  chunkBytes?: number;
  /** Empty the file once all of it is acknowledged and it is this large (bytes; default 4 MiB). */
  truncateBytes?: number;
  /** Events held in memory while the file cannot be written; beyond it the newest are dropped and counted (default 50,000). */
  maxUnwritten?: number;
  /** Append what was added every this many ms (none: the caller flushes). */
  flushEveryMs?: number;
  log?: OutboxLog;
}

/** pino's signature. */
export interface OutboxLog {
  error(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/** What /health says of the bus. */
export interface OutboxHealth {
  /** False while the bus does not acknowledge (events then wait in the outbox file). */
  publishing: boolean;
  reason: string | null;
  /** When the bus stopped acknowledging (ms since the epoch). */
  since: number | null;
  /** Bytes of the outbox file the bus has not acknowledged yet. */
  pendingBytes: number;
  published: number;
  /** Events the bus already held (repeats after a lost acknowledgement or a restart). */
  duplicates: number;
  /** Why the outbox file cannot be written, if it cannot (events then wait in memory, bounded). */
  file: string | null;
  /** Events dropped because the file could not be written and memory was full. */
  dropped: number;
}

const cursorPathOf = (path: string) => `${path}.cursor`;

/** One line of the file: `["id","account"]<TAB>record JSON`; JSON escapes any tab in the ids. */
const lineOf = (event: InteractionEvent) =>
  `${JSON.stringify([event.id, event.accountId])}\t${event.json}\n`;

/** The events of the complete lines of `text`, and the bytes they take; a torn last line waits. */
function eventsOf(text: string): { events: InteractionEvent[]; bytes: number } {
  const end = text.lastIndexOf('\n');
  if (end < 0) return { events: [], bytes: 0 };
  const events: InteractionEvent[] = [];
  for (const line of text.slice(0, end).split('\n')) {
    const tab = line.indexOf('\t');
    try {
      const [id, accountId] = JSON.parse(line.slice(0, tab)) as [string, string];
      events.push({ id, accountId, json: line.slice(tab + 1) });
    } catch {
      // a line cut by a kill mid-write and written over: its exchange was never acknowledged
    }
  }
  return { events, bytes: Buffer.byteLength(text.slice(0, end + 1)) };
}

/**
 * The file's length up to its last complete line: a line torn by a kill mid-write is cut off, so
 * that the next line appended does not run into it. Its exchange was never acknowledged.
 */
async function endOfLastLine(file: FileHandle): Promise<number> {
  const size = (await file.stat()).size;
  let end = size;
  const chunk = Buffer.allocUnsafe(64 * 1024);
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await file.read(chunk, 0, end - start, start);
    const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline >= 0) {
      end = start + newline + 1;
      break;
    }
    end = start;
  }
  if (end < size) await file.truncate(end);
  return end;
}

export class BusOutbox {
  private readonly path: string;
  private readonly bus: InteractionBus;
  private readonly options: OutboxOptions;
  private readonly file: FileHandle;
  private size: number;
  private cursor: number;
  /** Events added since the last append, and those whose append failed (bounded). */
  private unwritten: InteractionEvent[] = [];
  private appending: Promise<void> = Promise.resolve();
  private pumping = false;
  private retryMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private failingSince: number | null = null;
  private failure: string | null = null;
  private fileProblem: string | null = null;
  private published = 0;
  private duplicates = 0;
  private dropped = 0;
  private idle: (() => void)[] = [];
  private closing = false;
  private flushTimer: NodeJS.Timeout | null = null;

  private constructor(
    path: string,
    bus: InteractionBus,
    options: OutboxOptions,
    file: FileHandle,
    size: number,
    cursor: number,
  ) {
    this.path = path;
    this.bus = bus;
    this.options = options;
    this.file = file;
    this.size = size;
    this.cursor = cursor;
  }

  /**
   * Opens the outbox at `path` (created when missing, mode 0600); what it holds past its cursor,
   * left by a previous run, is published first.
   */
  static async open(
    path: string,
    bus: InteractionBus,
    options: OutboxOptions = {},
  ): Promise<BusOutbox> {
    const file = await open(path, 'a+', 0o600);
    const size = await endOfLastLine(file);
    const saved = existsSync(cursorPathOf(path))
      ? Number.parseInt(readFileSync(cursorPathOf(path), 'utf8'), 10) || 0
      : 0;
    // a cursor past the end (the file was emptied before the cursor was saved) starts over:
    // repeats are dropped by id, nothing is skipped
    const cursor = saved <= size ? saved : 0;
    const outbox = new BusOutbox(path, bus, options, file, size, cursor);
    if (options.flushEveryMs !== undefined) {
      outbox.flushTimer = setInterval(() => void outbox.flush(), options.flushEveryMs);
      outbox.flushTimer.unref();
    }
    if (size > cursor) {
      options.log?.info(
        { bytes: size - cursor },
        'publishing what the outbox held from the last run',
      );
      outbox.pump();
    }
    return outbox;
  }

  /** Queues one event; it is appended to the file with its batch at the next `flush`. */
  add(event: InteractionEvent): void {
    if (this.unwritten.length >= (this.options.maxUnwritten ?? 50_000)) {
      this.dropped += 1;
      return;
    }
    this.unwritten.push(event);
  }

  /** Appends the events added since the last flush to the file (one write), then feeds the bus. */
  flush(): Promise<void> {
    if (this.unwritten.length === 0) return this.appending;
    const events = this.unwritten;
    this.unwritten = [];
    this.appending = this.appending.then(async () => {
      const text = events.map(lineOf).join('');
      try {
        await this.file.appendFile(text);
        this.size += Buffer.byteLength(text);
        if (this.fileProblem !== null) {
          this.options.log?.info({}, 'the outbox file is writable again');
          this.fileProblem = null;
        }
      } catch (error) {
        if (this.fileProblem === null)
          this.options.log?.error(
            { err: error },
            'the outbox file cannot be written: events wait in memory (bounded) until it can',
          );
        this.fileProblem = (error as Error).message;
        this.unwritten = events.concat(this.unwritten);
        return;
      }
      this.pump();
    });
    return this.appending;
  }

  health(): OutboxHealth {
    return {
      publishing: this.failingSince === null,
      reason: this.failure,
      since: this.failingSince,
      pendingBytes: this.size - this.cursor,
      published: this.published,
      duplicates: this.duplicates,
      file: this.fileProblem,
      dropped: this.dropped,
    };
  }

  /**
   * Publishes what is in the outbox for at most `withinMs`, then closes the file. Returns the bytes
   * still unacknowledged: they stay in the file and go to the bus at the next start.
   */
  async close(withinMs: number): Promise<number> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    await this.flush();
    if (this.size > this.cursor) {
      if (this.retryTimer) {
        // a shutdown tries again at once rather than waiting out the backoff
        clearTimeout(this.retryTimer);
        this.retryTimer = null;
        this.pump();
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idle.push(resolve)),
        new Promise((resolve) => (timer = setTimeout(resolve, withinMs))),
      ]);
      clearTimeout(timer);
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.closing = true;
    await this.file.close();
    return this.size - this.cursor;
  }

  /** Publishes the next chunk of the file past the cursor, if none is in flight. */
  private pump(): void {
    if (this.pumping || this.retryTimer !== null || this.closing) return;
    if (this.cursor >= this.size) {
      for (const resolve of this.idle.splice(0)) resolve();
      return;
    }
    this.pumping = true;
    void this.publishChunk().finally(() => {
      this.pumping = false;
      this.pump();
    });
  }

  private async publishChunk(): Promise<void> {
    const length = Math.min(this.size - this.cursor, this.options.chunkBytes ?? 256 * 1024);
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.file.read(buffer, 0, length, this.cursor);
    let { events, bytes } = eventsOf(buffer.subarray(0, bytesRead).toString('utf8'));
    if (bytes === 0) {
      // one line longer than a chunk: read up to its end
      const rest = await this.readLine(this.cursor);
      ({ events, bytes } = eventsOf(rest));
      if (bytes === 0) return;
    }
    try {
      const result = events.length > 0 ? await this.bus.publish(events) : null;
      this.published += result?.published ?? 0;
      this.duplicates += result?.duplicates ?? 0;
    } catch (error) {
      this.failed(error);
      return;
    }
    this.retryMs = 0;
    if (this.failingSince !== null) {
      this.options.log?.info(
        { failedForMs: Date.now() - this.failingSince, pendingBytes: this.size - this.cursor },
        'the bus acknowledges again: the outbox is being published',
      );
      this.failingSince = null;
      this.failure = null;
    }
    await this.advance(this.cursor + bytes);
  }

  /** The text from `offset` to the end of its line (for a line longer than a chunk). */
  private async readLine(offset: number): Promise<string> {
    const buffer = Buffer.allocUnsafe(this.size - offset);
    const { bytesRead } = await this.file.read(buffer, 0, buffer.length, offset);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    return end < 0 ? '' : text.slice(0, end + 1);
  }

  private failed(error: unknown): void {
    this.failure = error instanceof Error ? error.message : String(error);
    if (this.failingSince === null) {
      this.failingSince = Date.now();
      this.options.log?.error(
        { err: error, pendingBytes: this.size - this.cursor },
        'the bus does not acknowledge: events wait in the outbox file and are retried with backoff; this is logged again when it recovers',
      );
    }
    const first = this.options.retryFirstMs ?? 100;
    this.retryMs =
      this.retryMs === 0 ? first : Math.min(this.retryMs * 2, this.options.retryMaxMs ?? 2_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, this.retryMs);
    this.retryTimer.unref();
  }

  /**
   * Saves the cursor at `offset`; empties the file once all of it is acknowledged and large. Runs
   * inside a chunk's publication (so the pump waits) and in the append chain (so no append runs
   * between the check and the truncation).
   */
  private async advance(offset: number): Promise<void> {
    this.cursor = offset;
    try {
      await this.saveCursor(this.cursor);
      if (this.cursor < this.size || this.size < (this.options.truncateBytes ?? 4 * 1024 * 1024))
        return;
      const truncation = this.appending.then(async () => {
        if (this.cursor !== this.size) return;
        // the cursor file goes to 0 first: a kill in between republishes (repeats dropped by id)
        await this.saveCursor(0);
        await this.file.truncate(0);
        this.size = 0;
        this.cursor = 0;
      });
      this.appending = truncation.catch((error: unknown) => {
        this.fileProblem = (error as Error).message;
      });
      await this.appending;
    } catch (error) {
      this.fileProblem = (error as Error).message;
    }
  }

  /** Replaces the cursor file whole (a rename), so a kill leaves the old cursor or the new one. */
  private async saveCursor(cursor: number): Promise<void> {
    const next = `${cursorPathOf(this.path)}.next`;
    await writeFile(next, String(cursor), { mode: 0o600 });
    await rename(next, cursorPathOf(this.path));
  }
}
