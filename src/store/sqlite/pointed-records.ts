// Reads interactions kept as pointers into the files they were imported from, checking each line
// against the hash taken at import: a file rewritten, rotated or cut short since then gives a
// reason to skip the row, never other text in its place.
import { promises as fs } from 'node:fs';
import { GzipCursor } from './gzip-cursor.js';
import { rawHash } from '../raw-hash.js';

/** Where a stored interaction's raw record lies: its source's kind and path, the byte range, its hash (null before schema version 4). */
export interface RecordPointer {
  kind: string;
  path: string;
  offset: number;
  length: number;
  hash: Buffer | null;
}

/** The record, or why it cannot be given: completes "the file ...". */
export type PointedRead = { raw: string } | { problem: string };

export class PointedRecords {
  private readonly cursors = new Map<string, GzipCursor>();
  private readonly files = new Map<string, Promise<fs.FileHandle>>();
  private readonly touched = new Set<string>();
  private closedPasses = 0;

  /** Decompressor passes over gzip sources so far: one per file for reads in order. */
  get gzipPasses(): number {
    let passes = this.closedPasses;
    for (const cursor of this.cursors.values()) passes += cursor.passes;
    return passes;
  }

  async read(pointer: RecordPointer): Promise<PointedRead> {
    this.touched.add(pointer.path);
    let bytes: Buffer | null;
    try {
      bytes =
        pointer.kind === 'gzip'
          ? await this.cursor(pointer.path).read(pointer.offset, pointer.length)
          : await this.readPlain(pointer);
    } catch {
      return { problem: 'can no longer be read' };
    }
    if (bytes === null || bytes.length < pointer.length)
      return { problem: 'is shorter than when it was imported' };
    const raw = bytes.toString('utf8');
    if (pointer.hash !== null && !rawHash(raw).equals(pointer.hash))
      return {
        problem: 'has changed since it was imported (the line no longer matches the record stored)',
      };
    return { raw };
  }

  /** Closes the files no read touched since the last call: called after each page. */
  endPage(): void {
    for (const [path, cursor] of this.cursors) {
      if (this.touched.has(path)) continue;
      this.closedPasses += cursor.passes;
      cursor.close();
      this.cursors.delete(path);
    }
    for (const handle of this.files.values())
      void handle.then(
        (open) => open.close(),
        () => undefined,
      );
    this.files.clear();
    this.touched.clear();
  }

  close(): void {
    this.touched.clear();
    this.endPage();
  }

  private cursor(path: string): GzipCursor {
    let cursor = this.cursors.get(path);
    if (!cursor) {
      cursor = new GzipCursor(path);
      this.cursors.set(path, cursor);
    }
    return cursor;
  }

  private async readPlain(pointer: RecordPointer): Promise<Buffer> {
    let handle = this.files.get(pointer.path);
    if (!handle) {
      handle = fs.open(pointer.path, 'r');
      this.files.set(pointer.path, handle);
    }
    const buffer = Buffer.alloc(pointer.length);
    const { bytesRead } = await (await handle).read(buffer, 0, pointer.length, pointer.offset);
    return buffer.subarray(0, bytesRead);
  }
}
