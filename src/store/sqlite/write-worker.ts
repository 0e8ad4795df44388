// Worker thread that owns the store's write connection, so that SQLite work runs on the second
// core while the main thread reads and validates input.
import { backgroundThread, currentThreadId, type BackgroundPriority } from '../../core/background-priority.js';
import { parentPort, workerData } from 'node:worker_threads';
import { BatchWriter } from './batch-writer.js';
import { BookkeepingWriter } from './bookkeeping-writer.js';
import { openDatabase } from './open-database.js';
import type { WriteReply, WriteRequest, WriterThreadInfo } from './write-protocol.js';

const { path, cacheMb, nice, idle } = workerData as { path: string; cacheMb?: number; nice?: number; idle?: boolean };
// a gateway lowers this thread's priority so that request handling wins the core (Linux only); under
// SCHED_IDLE the store's guard raises it again when writes wait too long (writer-priority.ts)
const priority: BackgroundPriority = nice ? backgroundThread(nice, idle === true) : 'unchanged';
const database = openDatabase(path, { migrate: false, cacheMb });
const writer = new BatchWriter(database);
const bookkeeping = new BookkeepingWriter(database);
const port = parentPort;
if (!port) throw new Error('write-worker must run as a worker thread');
port.postMessage({ thread: currentThreadId(), priority } satisfies WriterThreadInfo);

port.on('message', (request: WriteRequest) => {
  let reply: WriteReply;
  try {
    switch (request.op) {
      case 'interactions': {
        const flags = writer.interactions(request.importId, request.values);
        port.postMessage({ seq: request.seq, ok: true, result: flags.length, flags } satisfies WriteReply, [flags.buffer as ArrayBuffer]);
        return;
      }
      case 'accounts':
        reply = { seq: request.seq, ok: true, result: writer.accounts(request.importId, request.rows) };
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
