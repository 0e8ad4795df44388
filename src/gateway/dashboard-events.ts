// Live updates for the dashboard: GET /admin/v1/events, a Server-Sent Events stream for a user's
// bearer token (the page reads it with fetch, so no token travels in a URL and no cookie is
// needed). Once a second the store is asked what changed (interactions, decisions, cases, audits);
// when something did, one `change` event carries the new traffic buckets and decisions, so the
// overview redraws without reloading. A comment every 15 s keeps proxies from closing it.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { requireAction } from '../designate/index.js';
import type { SqliteStore } from '../store/index.js';
import { decisionPoints, hourMs, trafficPoints } from './dashboard-series.js';
import { userHandler, type DesignationContext } from './designation-routes.js';

export interface EventsOptions {
  /** How often the store is asked what changed (default 1 s). */
  pollMs?: number;
}

interface Mark {
  seq: number;
  decisions: number;
  cases: string;
  audits: string;
}

async function markOf(store: SqliteStore): Promise<Mark> {
  const audits = (await store.dashboard.listAuditRuns())[0];
  return {
    seq: await store.lastInteractionSeq(),
    decisions: (await store.dashboard.decisionsMark()).count,
    cases: (await store.designation.listCases()).length + (await store.dashboard.casesMark()),
    audits: audits ? `${audits.auditId}:${audits.status}` : '',
  };
}

export function registerDashboardEvents(
  app: FastifyInstance,
  context: DesignationContext,
  options: EventsOptions = {},
): void {
  const { store } = context;
  const open = new Set<ServerResponse>();
  const pollMs = options.pollMs ?? 1_000;
  app.addHook('onClose', async () => {
    for (const stream of open) stream.end();
  });
  app.get(
    '/admin/v1/events',
    userHandler(context)(async (actor, request, reply) => {
      requireAction(actor, 'read');
      // read before the stream is taken over, so that a failing store still gets an error answer
      let last = await markOf(store);
      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      open.add(stream);
      let sentDecisions = last.decisions;
      let lastBeat = Date.now();
      stream.write(`event: hello\ndata: ${JSON.stringify(last)}\n\n`);
      // the stream may close while the store is read: write nothing after that
      const closed = () => stream.writableEnded || stream.destroyed;
      const poll = async () => {
        const now = await markOf(store);
        if (
          now.seq !== last.seq ||
          now.decisions !== last.decisions ||
          now.cases !== last.cases ||
          now.audits !== last.audits
        ) {
          const newestMs = await store.dashboard.newestInteractionMs();
          const fromMs = Math.floor((newestMs - 2 * hourMs) / hourMs) * hourMs;
          const decisions =
            now.decisions > sentDecisions
              ? (await store.readDecisions()).slice(sentDecisions, now.decisions)
              : [];
          sentDecisions = now.decisions;
          const change = {
            ...now,
            newest_ms: newestMs,
            traffic: await trafficPoints(store, fromMs),
            decisions: decisionPoints(decisions.slice(-500)),
            accounts_by_action: await store.dashboard.accountsByAction(),
            cases_changed: now.cases !== last.cases,
            audits_changed: now.audits !== last.audits,
          };
          if (closed()) return;
          last = now;
          lastBeat = Date.now();
          stream.write(`event: change\ndata: ${JSON.stringify(change)}\n\n`);
        } else if (Date.now() - lastBeat > 15_000) {
          if (closed()) return;
          lastBeat = Date.now();
          stream.write(': still here\n\n');
        }
      };
      // one poll at a time: a tick that comes while the last poll still reads the store is skipped
      let polling = false;
      const timer = setInterval(() => {
        if (polling) return;
        polling = true;
        poll()
          .catch((error: unknown) => {
            request.log.warn({ err: error }, 'dashboard events: reading the store failed');
          })
          .finally(() => {
            polling = false;
          });
      }, pollMs);
      timer.unref();
      const stop = () => {
        clearInterval(timer);
        open.delete(stream);
      };
      stream.on('close', stop);
      request.raw.on('close', () => {
        stop();
        stream.end();
      });
      // a client that left while the first mark was read is gone already: no 'close' comes now
      if (closed()) stop();
      return reply;
    }),
  );
}
