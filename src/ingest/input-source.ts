// Opens an input for streaming: a file path or '-' for standard input, gzip detected by its magic
// bytes (not the extension). Errors that stop the work (missing file, a directory) surface here, once.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DistillGuardError, describeFileError } from '../core/index.js';

export type InputKind = 'file' | 'gzip' | 'stdin' | 'gzip-stdin';

export interface InputSource {
  /** What to call the input in messages: the path as given, or 'stdin'. */
  readonly label: string;
  /** Absolute path, or null for standard input. */
  readonly path: string | null;
  readonly kind: InputKind;
  /** Size in bytes on disk (compressed for gzip), or null when unknown. */
  readonly size: number | null;
  readonly modifiedMs: number | null;
  /** The decompressed byte stream. */
  readonly stream: Readable;
  /** Bytes consumed from the underlying file or pipe so far (compressed for gzip), for progress. */
  bytesConsumed(): number;
}

const readChunkBytes = 1 << 20;

function isGzipMagic(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Opens `path` ('-' for stdin) for streaming. Throws DistillGuardError('input_unreadable') with a clear message. */
export async function openInput(
  path: string,
  stdin: Readable = process.stdin,
): Promise<InputSource> {
  if (path === '-') return openStdin(stdin);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(path, error), {
      cause: error,
    });
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    const gzip = isGzipMagic(head.subarray(0, bytesRead));
    // the stream owns the handle from here on and closes it on end, error or destroy
    const raw = handle.createReadStream({
      start: 0,
      highWaterMark: readChunkBytes,
      autoClose: true,
    });
    let consumed = 0;
    raw.on('data', (chunk) => {
      consumed += (chunk as Buffer).length;
    });
    const stream = gzip ? raw.pipe(createGunzip({ chunkSize: readChunkBytes })) : raw;
    if (gzip) raw.on('error', (error) => stream.destroy(error));
    return {
      label: path,
      path: resolve(path),
      kind: gzip ? 'gzip' : 'file',
      size: stats.size,
      modifiedMs: stats.mtimeMs,
      stream,
      bytesConsumed: () => consumed,
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw new DistillGuardError('input_unreadable', describeFileError(path, error), {
      cause: error,
    });
  }
}

async function openStdin(stdin: Readable): Promise<InputSource> {
  let consumed = 0;
  const first = await readFirstChunk(stdin);
  const plain = new PassThrough({ highWaterMark: readChunkBytes });
  if (first) {
    consumed += first.length;
    plain.write(first);
  }
  stdin.on('data', (chunk: Buffer) => {
    consumed += chunk.length;
  });
  stdin.pipe(plain);
  const gzip = first !== null && isGzipMagic(first);
  const stream = gzip ? plain.pipe(createGunzip({ chunkSize: readChunkBytes })) : plain;
  if (gzip) plain.on('error', (error) => stream.destroy(error));
  return {
    label: 'stdin',
    path: null,
    kind: gzip ? 'gzip-stdin' : 'stdin',
    size: null,
    modifiedMs: null,
    stream,
    bytesConsumed: () => consumed,
  };
}

function readFirstChunk(stdin: Readable): Promise<Buffer | null> {
  return new Promise((resolveChunk, reject) => {
    const onReadable = () => {
      const chunk = stdin.read() as Buffer | string | null;
      if (chunk === null) return;
      cleanup();
      resolveChunk(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    };
    const onEnd = () => {
      cleanup();
      resolveChunk(null);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(
        new DistillGuardError('input_unreadable', `cannot read standard input: ${error.message}`, {
          cause: error,
        }),
      );
    };
    const cleanup = () => {
      stdin.off('readable', onReadable);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
    };
    stdin.on('readable', onReadable);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
  });
}
