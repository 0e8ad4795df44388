// Worker thread that owns the store's write connection, so that SQLite work runs on the second
// core while the main thread reads and validates input.
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
// environment.js alone: this thread loads nothing it does not use (core/index.js compiles validators)
import { faultWriterDelayVariable } from '../../core/environment.js';
import { BatchWriter } from './batch-writer.js';
import { BookkeepingWriter } from './bookkeeping-writer.js';
import { openDatabase } from './open-database.js';
import type { WriteReply, WriteRequest, WriterThreadInfo } from './write-protocol.js';

const { path, cacheMb } = workerData as { path: string; cacheMb?: number };
const database = openDatabase(path, { migrate: false, cacheMb });
const writer = new BatchWriter(database);
// fault tests only: hold each batch of interactions this long, as a write thread starved by a
// saturated core would (faults/store-kill.test.ts); unset in any real use
const starvedForMs = Number(process.env[faultWriterDelayVariable] ?? 0);
const bookkeeping = new BookkeepingWriter(database);
const port = parentPort;
if (!port) throw new Error('write-worker must run as a worker thread');
// the store's writerThread hook (a gateway's runtime settings) gets this thread's kernel id
port.postMessage({ thread: kernelThreadId() } satisfies WriterThreadInfo);

port.on('message', (request: WriteRequest) => {
  let reply: WriteReply;
  try {
    switch (request.op) {
      case 'interactions': {
        if (starvedForMs > 0)
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, starvedForMs);
        const flags = writer.interactions(request.importId, request.values);
        port.postMessage(
          { seq: request.seq, ok: true, result: flags.length, flags } satisfies WriteReply,
          [flags.buffer as ArrayBuffer],
        );
        return;
      }
      case 'accounts':
        reply = {
          seq: request.seq,
          ok: true,
          result: writer.accounts(request.importId, request.rows),
        };
        break;
      case 'rejections':
        writer.rejections(request.importId, request.rows);
        reply = { seq: request.seq, ok: true, result: request.rows.length };
        break;
      case 'decisions':
        writer.decisions(request.rows);
        reply = { seq: request.seq, ok: true, result: request.rows.length };
        break;
      case 'bookkeeping':
        reply = { seq: request.seq, ok: true, result: bookkeeping.run(request.request) };
        break;
      case 'close':
        database.close();
        port.postMessage({ seq: request.seq, ok: true, result: 0 } satisfies WriteReply);
        port.close();
        return;
    }
  } catch (error) {
    reply = { seq: request.seq, ok: false, message: (error as Error).message };
  }
  port.postMessage(reply);
});

/** This thread's kernel id (Linux), or null where /proc is missing. */
function kernelThreadId(): number | null {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return null;
  }
}
