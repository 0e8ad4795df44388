// Reads byte ranges of a gzip file's decompressed content with one decompressor that only moves
// forward: ranges asked for in order (an export, a warm start) cost one pass over the file in all.
import { createReadStream, type ReadStream } from 'node:fs';
import { createGunzip, type Gunzip } from 'node:zlib';

const chunkBytes = 1 << 16;

export class GzipCursor {
  readonly path: string;
  /** Decompressor passes started so far (a range before the cursor's position starts a new one). */
  passes = 0;
  private file: ReadStream | null = null;
  private gunzip: Gunzip | null = null;
  private chunks: AsyncIterator<Buffer> | null = null;
  /** Decompressed bytes from `position` on, read but not yet asked for. */
  private buffered: Buffer = Buffer.alloc(0);
  private position = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** The `length` bytes at decompressed `offset`; null when the content ends first. Throws when the file cannot be read. */
  async read(offset: number, length: number): Promise<Buffer | null> {
    if (this.chunks === null || offset < this.position) this.restart();
    const end = offset + length;
    for (;;) {
      const bufferedEnd = this.position + this.buffered.length;
      if (end <= bufferedEnd) {
        const range = this.buffered.subarray(offset - this.position, end - this.position);
        this.buffered = this.buffered.subarray(end - this.position);
        this.position = end;
        return range;
      }
      // keep only what the range still needs
      if (offset >= bufferedEnd) {
        this.buffered = Buffer.alloc(0);
        this.position = bufferedEnd;
      } else {
        this.buffered = this.buffered.subarray(offset - this.position);
        this.position = offset;
      }
      const next = await this.chunks!.next();
      if (next.done) return null;
      this.buffered =
        this.buffered.length === 0 ? next.value : Buffer.concat([this.buffered, next.value]);
    }
  }

  close(): void {
    this.gunzip?.destroy();
    this.file?.destroy();
    this.file = null;
    this.gunzip = null;
    this.chunks = null;
  }

  private restart(): void {
    this.close();
    this.passes += 1;
    const file = createReadStream(this.path, { highWaterMark: chunkBytes });
    const gunzip = createGunzip({ chunkSize: chunkBytes });
    file.on('error', (error) => gunzip.destroy(error));
    file.pipe(gunzip);
    this.file = file;
    this.gunzip = gunzip;
    this.chunks = (gunzip as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    this.buffered = Buffer.alloc(0);
    this.position = 0;
  }
}
