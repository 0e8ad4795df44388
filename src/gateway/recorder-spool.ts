// The recorder's append-only spool: each flush appends its rows with one write(2), so an answered
// exchange is in the page cache (which outlives a killed process) within one flush interval, long
// before the SCHED_IDLE write thread commits it. The next start replays what the store lacks.
// Writes and truncations run in order on libuv's thread pool, never on the request thread: a
// write(2) or ftruncate(2) can block for a hundred milliseconds while the kernel writes dirty pages
// back (at 3,000 req/s the synchronous version added 150 ms to the gateway's p99; BENCHMARKS.md).
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncate,
  openSync,
  readFileSync,
  readSync,
  write,
  writeSync,
} from 'node:fs';

/** One spooled row: its `ts` in ms and the record's raw JSON (one line). */
export interface SpooledRecord {
  tsMs: number;
  raw: string;
}

export interface SpoolContents {
  records: SpooledRecord[];
  /** Lines that did not parse (a write torn by the kill), skipped. */
  unreadable: number;
}

/** The spool beside a store: `<db>.spool` (none for an in-memory store). */
export function spoolPathFor(databasePath: string): string | null {
  return databasePath === ':memory:' ? null : `${databasePath}.spool`;
}

/** The bus's outbox beside the store (`<db>.outbox`, with its `.cursor`); in the working folder for an in-memory store. */
export function outboxPathFor(databasePath: string): string {
  return databasePath === ':memory:' ? 'distillguard.outbox' : `${databasePath}.outbox`;
}

type SpoolOperation = { kind: 'append'; buffer: Buffer } | { kind: 'truncate' };

export class RecorderSpool {
  readonly path: string;
  private readonly fd: number;
  /** The spool's size once every queued operation is done. */
  private bytes: number;
  /** Bytes on file now (what a failed append is cut back to). */
  private written: number;
  private readonly pending: SpoolOperation[] = [];
  private busy = false;
  private idle: (() => void)[] = [];
  private readonly onDone: (error: Error | null) => void;

  private constructor(
    path: string,
    fd: number,
    bytes: number,
    onDone: (error: Error | null) => void,
  ) {
    this.path = path;
    this.fd = fd;
    this.bytes = bytes;
    this.written = bytes;
    this.onDone = onDone;
  }

  /**
   * Opens (creating, 0600: it holds prompts and answers) the spool at `path` for appending.
   * `onDone` hears how each queued write or truncation went (null: done).
   */
  static open(
    path: string,
    onDone: (error: Error | null) => void = () => undefined,
  ): RecorderSpool {
    const fd = openSync(path, 'a', 0o600);
    let bytes = fstatSync(fd).size;
    if (bytes > 0 && lastByte(path, bytes) !== 0x0a) {
      // a torn last line: end it, so that the next append starts a line of its own
      writeSync(fd, '\n');
      bytes += 1;
    }
    return new RecorderSpool(path, fd, bytes, onDone);
  }

  /** What a spool at `path` holds (nothing when there is none). */
  static read(path: string): SpoolContents {
    if (!existsSync(path)) return { records: [], unreadable: 0 };
    const records: SpooledRecord[] = [];
    let unreadable = 0;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.length === 0) continue;
      const tab = line.indexOf('\t');
      const tsMs = Number(line.slice(0, tab));
      if (tab <= 0 || !Number.isFinite(tsMs)) {
        unreadable += 1;
        continue;
      }
      records.push({ tsMs, raw: line.slice(tab + 1) });
    }
    return { records, unreadable };
  }

  get size(): number {
    return this.bytes;
  }

  /** Queues rows (raw JSON without line breaks) as one write, after every write queued before it. */
  append(records: readonly { tsMs: number; raw: string | null }[]): void {
    let text = '';
    for (const record of records)
      if (record.raw !== null) text += `${record.tsMs}\t${record.raw}\n`;
    if (text.length === 0) return;
    const buffer = Buffer.from(text, 'utf8');
    this.bytes += buffer.length;
    this.enqueue({ kind: 'append', buffer });
  }

  /** Queues emptying the spool (once everything in it is in the store), after the writes before it. */
  truncate(): void {
    this.bytes = 0;
    this.enqueue({ kind: 'truncate' });
  }

  /** Resolves once every queued write and truncation is done. */
  settled(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Waits for what is queued, then closes the file. */
  async close(): Promise<void> {
    await this.settled();
    closeSync(this.fd);
  }

  private enqueue(operation: SpoolOperation): void {
    this.pending.push(operation);
    if (!this.busy) this.next();
  }

  private next(): void {
    const operation = this.pending.shift();
    if (!operation) {
      this.busy = false;
      for (const resolve of this.idle.splice(0)) resolve();
      return;
    }
    this.busy = true;
    if (operation.kind === 'truncate') {
      ftruncate(this.fd, 0, (error) => {
        if (!error) this.written = 0;
        this.finish(error);
      });
    } else this.writeFrom(operation.buffer, 0);
  }

  private writeFrom(buffer: Buffer, offset: number): void {
    write(this.fd, buffer, offset, buffer.length - offset, null, (error, count) => {
      if (error) {
        this.bytes = Math.max(0, this.bytes - buffer.length);
        // disk full mid-write: cut the partial line off, so that the spool stays whole lines (a
        // torn line left behind is skipped at replay)
        if (offset > 0) ftruncate(this.fd, this.written, () => this.finish(error));
        else this.finish(error);
        return;
      }
      if (offset + count < buffer.length) {
        this.writeFrom(buffer, offset + count);
        return;
      }
      this.written += buffer.length;
      this.finish(null);
    });
  }

  private finish(error: Error | null): void {
    this.onDone(error);
    this.next();
  }
}

function lastByte(path: string, size: number): number {
  const fd = openSync(path, 'r');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, size - 1);
    return byte[0];
  } finally {
    closeSync(fd);
  }
}
