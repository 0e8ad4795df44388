// The dashboard's watermark audits under /admin/v1/audits: who may start one (analysts), the list,
// and one audit's result with its evidence. Running them is dashboard-audits.ts's job.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { JsonObject } from '../core/index.js';
import { requireAction, type Actor } from '../designate/index.js';
import type { AuditRunRow } from '../store/index.js';
import { ApiError } from './api-error.js';
import { jsonBody } from './admin-routes.js';
import type { DashboardContext } from './dashboard-routes.js';
import { userHandler } from './designation-routes.js';

const prefix = '/admin/v1';

/** Starts an audit in the background; `done` resolves when it has finished (stored either way). */
export type AuditStarter = (
  actor: Actor,
  request: JsonObject,
) => Promise<{ auditId: string; done: Promise<void> }>;

export const newAuditId = (): string => `audit-${randomUUID().slice(0, 8)}`;

export function registerAuditRoutes(app: FastifyInstance, context: DashboardContext): void {
  const { store } = context;
  const handle = userHandler(context);
  app.get(
    `${prefix}/audits`,
    handle(async (actor) => {
      requireAction(actor, 'read');
      return {
        can_start: context.startAudit !== undefined,
        unavailable: context.startAudit ? null : (context.auditUnavailable ?? null),
        audits: (await store.dashboard.listAuditRuns()).map(auditView),
      };
    }),
  );

  app.post(
    `${prefix}/audits`,
    handle(async (actor, request, reply) => {
      requireAction(actor, 'audit');
      if (!context.startAudit)
        throw new ApiError(
          409,
          'audit_unavailable',
          context.auditUnavailable ?? 'this server cannot run audits.',
        );
      const started = await context.startAudit(actor, jsonBody(request));
      void reply.code(202);
      const row = await store.dashboard.readAuditRun(started.auditId);
      return row ? auditView(row) : { audit_id: started.auditId };
    }),
  );

  app.get(
    `${prefix}/audits/:id`,
    handle(async (actor, request) => {
      requireAction(actor, 'read');
      const row = await store.dashboard.readAuditRun((request.params as { id: string }).id);
      if (!row) throw new ApiError(404, 'not_found', 'no such audit.');
      return {
        ...auditView(row),
        evidence: row.evidence ? (JSON.parse(row.evidence) as unknown) : null,
      };
    }),
  );
}

function auditView(row: AuditRunRow) {
  const evidence = row.evidence
    ? (JSON.parse(row.evidence) as {
        verdict?: string;
        log10_p_value?: number;
        scored_tuples?: number;
        cohorts?: { named_cohort?: string | null } | null;
      })
    : null;
  return {
    audit_id: row.auditId,
    started_by: row.startedBy,
    started_at: row.startedAt,
    finished_at: row.finishedAt,
    status: row.status,
    request: JSON.parse(row.request) as unknown,
    verdict: evidence?.verdict ?? null,
    log10_p_value: evidence?.log10_p_value ?? null,
    scored_tuples: evidence?.scored_tuples ?? null,
    named_cohort: evidence?.cohorts?.named_cohort ?? null,
    error: row.error,
  };
}
