// The recorder's append-only spool: each flush appends its rows with one write(2), so an answered
// exchange is in the page cache (which outlives a killed process) within one flush interval, long
// before the SCHED_IDLE write thread commits it. The next start replays what the store lacks.
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';

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

export class RecorderSpool {
  readonly path: string;
  private fd: number;
  private bytes: number;

  private constructor(path: string, fd: number, bytes: number) {
    this.path = path;
    this.fd = fd;
    this.bytes = bytes;
  }

  /** Opens (creating, 0600: it holds prompts and answers) the spool at `path` for appending. */
  static open(path: string): RecorderSpool {
    const fd = openSync(path, 'a', 0o600);
    let bytes = fstatSync(fd).size;
    if (bytes > 0 && lastByte(path, bytes) !== 0x0a) {
      // a torn last line: end it, so that the next append starts a line of its own
      writeSync(fd, '\n');
      bytes += 1;
    }
    return new RecorderSpool(path, fd, bytes);
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

  /** Appends rows (raw JSON without line breaks) in one write; throws what write(2) threw, with nothing half-written left behind. */
  append(records: readonly { tsMs: number; raw: string | null }[]): void {
    let text = '';
    for (const record of records) if (record.raw !== null) text += `${record.tsMs}\t${record.raw}\n`;
    const buffer = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < buffer.length) written += writeSync(this.fd, buffer, written);
    } catch (error) {
      // disk full mid-write: cut the partial line off, so that the spool stays whole lines
      if (written > 0) {
        try {
          ftruncateSync(this.fd, this.bytes);
        } catch {
          // the torn line is skipped at replay
        }
      }
      throw error;
    }
    this.bytes += buffer.length;
  }

  /** Empties the spool once everything in it is in the store. */
  truncate(): void {
    ftruncateSync(this.fd, 0);
    this.bytes = 0;
  }

  close(): void {
    closeSync(this.fd);
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
