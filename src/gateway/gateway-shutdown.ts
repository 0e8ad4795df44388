// The gateway's graceful stop: stop accepting, let requests in flight finish until the drain
// deadline, then close what is left, write every exchange the store will take, and say exactly
// how many it could not store (the import is then `stopped`, not `complete`).
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { SqliteStore } from '../store/index.js';
import type { InteractionRecorder, RecorderLog } from './interaction-recorder.js';

/** What a stop left behind: every exchange recorded is stored, rejected, dropped or unstored. */
export interface ShutdownReport {
  /** Exchanges stored during this run. */
  stored: number;
  /** Records refused at the edge or by the store (in rejected_lines). */
  rejected: number;
  /** Exchanges not stored while running (queue full, retries exhausted). */
  dropped: number;
  /** Exchanges still unstored when the store's share of the deadline ran out. */
  unstored: number;
  /** Whether those are in the spool, which the next start on this store writes. */
  spooled: boolean;
  /** Connections still open at the deadline, closed by force. */
  forcedConnections: number;
}

export interface ShutdownParts {
  /** Stops accepting and resolves once requests in flight have finished (fastify's close). */
  closeListener: () => Promise<void>;
  server: Server;
  recorder: InteractionRecorder;
  store: SqliteStore;
  importId: number;
  /** Everything else that writes or holds resources (enforcement, detector, upstream pools), each bounded by the deadline. */
  others: (() => Promise<void>)[];
  log: RecorderLog;
}

/** The store's least share of the deadline: requests that took all of it still get their exchanges written. */
const storeShareMs = 1_000;

const within = <T>(work: Promise<T>, ms: number): Promise<T | 'late'> =>
  Promise.race([
    work,
    new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), Math.max(0, ms)).unref()),
  ]);

/** Stops the gateway within about `drainMs` (plus the store's share); never waits on the detector's warm start. */
export async function shutDownGateway(
  parts: ShutdownParts,
  drainMs: number,
): Promise<ShutdownReport> {
  const deadline = performance.now() + drainMs;
  const listenerClosed = parts
    .closeListener()
    .catch((error: unknown) => parts.log.warn({ err: error }, 'closing the listener failed'));
  let forcedConnections = 0;
  if ((await within(listenerClosed, drainMs)) === 'late') {
    // requests still running at the deadline (stalled streams, slow clients): their connections go
    forcedConnections = await openConnections(parts.server);
    parts.server.closeAllConnections();
    parts.log.warn(
      { connections: forcedConnections, drainMs },
      'the drain deadline passed: closing the connections still open',
    );
    await within(listenerClosed, 1_000);
  }
  // the exchanges first: the rest (decisions, the detector, upstream pools) gets what is left
  const recorded = await parts.recorder.close(Math.max(deadline - performance.now(), storeShareMs));
  for (const close of parts.others) {
    const result = await within(
      close().catch((error: unknown) =>
        parts.log.warn({ err: error }, 'a part of the gateway failed to close'),
      ),
      Math.max(deadline - performance.now(), 500),
    );
    if (result === 'late')
      parts.log.warn(
        {},
        'a part of the gateway did not close before the deadline; stopping without it',
      );
  }
  const report: ShutdownReport = {
    stored: recorded.recorded,
    rejected: recorded.rejected,
    dropped: recorded.dropped,
    unstored: recorded.unstored,
    spooled: recorded.spooled,
    forcedConnections,
  };
  const lost = report.dropped + report.unstored;
  try {
    await parts.store.finishImport(parts.importId, {
      lines: report.stored + report.rejected + lost,
      accepted: report.stored,
      rejected: report.rejected,
      distinct: report.stored,
      status: lost > 0 ? 'stopped' : 'complete',
    });
  } catch (error) {
    parts.log.error({ err: error }, 'the end of this run could not be recorded in the store');
  }
  await within(parts.store.close(), 5_000);
  return report;
}

/** One line for the log and stderr: what the stop stored and what it could not. */
export function describeShutdown(report: ShutdownReport, spoolPath: string | null): string {
  const lost = report.dropped + report.unstored;
  if (lost === 0)
    return `every exchange was stored (${report.stored.toLocaleString('en-US')}; ${report.rejected} rejected, in rejected_lines)`;
  const parts = [`${lost.toLocaleString('en-US')} exchanges could not be stored`];
  if (report.dropped > 0) parts.push(`${report.dropped} dropped while running`);
  if (report.unstored > 0)
    parts.push(
      report.spooled && spoolPath
        ? `${report.unstored} unstored at the deadline, kept in ${spoolPath}: the next start on this store writes them`
        : `${report.unstored} unstored at the deadline and lost`,
    );
  return `${parts.join('; ')} (${report.stored.toLocaleString('en-US')} stored)`;
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.getConnections((error, count) => resolve(error ? 0 : count)),
  );
}

/**
 * The server's open connections (one listener per connection, nothing per request), so that a stop
 * can tell the answers still being prepared on them to close their connection afterwards.
 */
export function trackConnections(server: Server): { closeAfterAnswers(): void } {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    closeAfterAnswers() {
      for (const socket of sockets) {
        // Node keeps the response being written on a connection as `_httpMessage` (stable since 0.x)
        const response = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
        if (response && !response.headersSent) response.shouldKeepAlive = false;
      }
    },
  };
}
