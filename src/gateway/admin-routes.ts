// Admin and sidecar routes, each behind an admin token with its scope (read, act, keys): keys,
// account metadata, decisions, the live assessment, the sidecar pair POST /v1/ingest and
// POST /v1/decide, and /metrics where it shares the public port.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  isJsonObject,
  parseTimestamp,
  validateAccount,
  validateInteraction,
  type Account,
  type Interaction,
  type JsonObject,
} from '../core/index.js';
import type { LiveDetection } from './live-detection.js';
import { parseRecord, toAccountRow } from '../ingest/index.js';
import type { SqliteStore } from '../store/index.js';
import { ApiError, sendApiError } from './api-error.js';
import type { ApiKeys } from './api-keys.js';
import type { AdminScope, AdminTokens } from './admin-tokens.js';
import { requireScope } from './authenticate.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { Enforcement } from './enforcement.js';
import type { GatewayHealth } from './health.js';
import type { InteractionRecorder } from './interaction-recorder.js';

export interface AdminContext {
  store: SqliteStore;
  keys: ApiKeys;
  detection: LiveDetection;
  recorder: InteractionRecorder;
  tokens: AdminTokens;
  health: GatewayHealth;
  enforcement: Enforcement;
  refreshFacts: () => void;
}

interface LineProblem {
  line: number;
  field: string;
  reason: string;
}

/** Splits a body of JSON Lines or a JSON array into records' texts, with their line numbers. */
function recordTexts(request: FastifyRequest): { line: number; text: string }[] {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw new ApiError(
      400,
      'invalid_json',
      'The body is empty: send records as JSON Lines or a JSON array.',
    );
  const text = body.toString('utf8');
  if (text.trimStart().startsWith('[')) {
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch (error) {
      throw new ApiError(
        400,
        'invalid_json',
        `The body is not valid JSON (${(error as Error).message}).`,
      );
    }
    return (items as unknown[]).map((item, index) => ({
      line: index + 1,
      text: JSON.stringify(item),
    }));
  }
  return text
    .split('\n')
    .map((line, index) => ({ line: index + 1, text: line.trim() }))
    .filter((entry) => entry.text.length > 0);
}

function guarded(
  context: { tokens: AdminTokens },
  scope: AdminScope,
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      await requireScope(request.headers, context.tokens, scope);
      return await handler(request, reply);
    } catch (error) {
      if (error instanceof ApiError) {
        sendApiError(reply, 'openai', error);
        return reply;
      }
      throw error;
    }
  };
}

/** One value of a query parameter; a repeated one is a 400 naming it (not a 500 from the store). */
function queryValue(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new ApiError(400, 'invalid_request', `${name}: give it once (a single value).`, {
    param: name,
  });
}

/** The request body as a JSON object (empty: {}); anything else is a 400. */
export function jsonBody(request: FastifyRequest): JsonObject {
  const body = request.body;
  try {
    const parsed: unknown =
      Buffer.isBuffer(body) && body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
    if (isJsonObject(parsed)) return parsed;
  } catch {
    // answered below
  }
  throw new ApiError(400, 'invalid_json', 'The body must be a JSON object.');
}

export function registerAdminRoutes(app: FastifyInstance, context: AdminContext): void {
  const validAccount = validateAccount();
  const validInteraction = validateInteraction();

  app.post(
    '/v1/admin/keys',
    guarded(context, 'keys', async (request, reply) => {
      const body = jsonBody(request);
      if (
        typeof body.account_id !== 'string' ||
        body.account_id.length === 0 ||
        body.account_id.length > 200
      ) {
        throw new ApiError(
          400,
          'invalid_request',
          'account_id: required, a string of 1 to 200 characters.',
          { param: 'account_id' },
        );
      }
      const created = await context.keys.create(
        body.account_id,
        typeof body.label === 'string' ? body.label : null,
      );
      void reply.code(201);
      return { key_id: created.keyId, account_id: created.accountId, secret: created.secret };
    }),
  );

  app.get(
    '/v1/admin/keys',
    guarded(context, 'read', async (request) => {
      const accountId = queryValue(request, 'account_id');
      return {
        data: (await context.keys.list(accountId)).map((key) => ({
          key_id: key.keyId,
          account_id: key.accountId,
          label: key.label,
          created_at: key.createdAt,
          revoked_at: key.revokedAt,
        })),
      };
    }),
  );

  app.delete(
    '/v1/admin/keys/:keyId',
    guarded(context, 'keys', async (request) => {
      const { keyId } = request.params as { keyId: string };
      if (!(await context.keys.revoke(keyId)))
        throw new ApiError(
          404,
          'not_found',
          `No key '${keyId}'. List keys with GET /v1/admin/keys.`,
        );
      return { key_id: keyId, revoked: true };
    }),
  );

  app.post(
    '/v1/admin/accounts',
    guarded(context, 'act', async (request) => {
      const rejected: LineProblem[] = [];
      const rows = [];
      for (const { line, text } of recordTexts(request)) {
        const parsed = parseRecord<Account>(text, validAccount);
        if (parsed.ok) rows.push(toAccountRow(parsed.record, text));
        else rejected.push({ line, field: parsed.field, reason: parsed.reason });
      }
      const importId = await context.store.beginImport('accounts', {
        kind: 'http',
        path: null,
        size: null,
        modifiedMs: null,
      });
      await context.store.writeAccounts(importId, rows);
      await context.store.finishImport(importId, {
        lines: rows.length + rejected.length,
        accepted: rows.length,
        rejected: rejected.length,
        distinct: rows.length,
        status: 'complete',
      });
      context.refreshFacts();
      return { accepted: rows.length, rejected };
    }),
  );

  app.get(
    '/v1/admin/decisions',
    guarded(context, 'read', async (request) => {
      const limitText = queryValue(request, 'limit');
      const limit = limitText ? Math.min(10_000, Math.max(1, Number(limitText) || 100)) : 1_000;
      const rows = await context.store.readDecisions({
        accountId: queryValue(request, 'account_id'),
        limit,
      });
      return {
        data: rows.map((row) => ({
          ts: row.ts,
          account_id: row.accountId,
          campaign_id: row.campaignId,
          action: row.action,
          verdict: row.verdict,
          risk: row.risk,
          reason: row.reason,
        })),
      };
    }),
  );

  const summary = () => {
    const assessment = context.detection.assessment;
    if (!assessment) return { assessed: false };
    return {
      assessed: true,
      at: new Date(assessment.at).toISOString(),
      interactions: assessment.interactions,
      observed_accounts: assessment.observedAccounts,
      elapsed_ms: Math.round(assessment.elapsedMs),
      accounts: assessment.accounts.map(([accountId, state]) => ({
        account_id: accountId,
        verdict: state.verdict,
        risk: state.risk,
        campaign_id: state.campaignId,
        reasons: context.detection.reasonFor(accountId) ?? '',
      })),
      campaigns: assessment.campaigns.map((campaign) => ({
        campaign_id: campaign.id,
        risk: campaign.risk,
        verdict: campaign.verdict,
        accounts: campaign.accounts,
      })),
    };
  };
  app.get(
    '/v1/admin/assessment',
    guarded(context, 'read', async () => summary()),
  );
  app.get(
    '/v1/admin/health',
    guarded(context, 'read', async () => context.health.report()),
  );
  app.post(
    '/v1/admin/assess',
    guarded(context, 'act', async () => {
      await context.recorder.drain();
      await context.detection.assessNow(await context.store.lastInteractionSeq());
      return summary();
    }),
  );

  app.post(
    '/v1/ingest',
    guarded(context, 'act', async (request) => {
      const rejected: LineProblem[] = [];
      let accepted = 0;
      for (const { line, text } of recordTexts(request)) {
        const parsed = parseRecord<Interaction>(text, validInteraction);
        if (!parsed.ok) {
          rejected.push({ line, field: parsed.field, reason: parsed.reason });
          context.recorder.reject({
            field: parsed.field,
            reason: `line ${line} of a POST /v1/ingest: ${parsed.reason}`,
            text,
          });
          continue;
        }
        context.recorder.add(parsed.record, parseTimestamp(parsed.record.ts));
        accepted += 1;
      }
      return { accepted, rejected };
    }),
  );

  app.post(
    '/v1/decide',
    guarded(context, 'act', async (request) => {
      const body = jsonBody(request);
      if (typeof body.account_id !== 'string' || body.account_id.length === 0) {
        throw new ApiError(
          400,
          'invalid_request',
          'account_id: required, the account about to be served.',
          { param: 'account_id' },
        );
      }
      const nowMs = Date.now();
      const admission = await context.enforcement.admit(body.account_id, nowMs);
      const retryAfter = admission.refusal?.headers['retry-after'];
      // how old the assessment behind this answer is, and whether it is stale (detector down or behind)
      const freshness = context.detection.freshness(nowMs);
      return {
        action: admission.action,
        reason: admission.reason,
        campaign_id: admission.campaignId,
        ttl_s: admission.ttlS,
        assessment_age_s: freshness.ageS === null ? null : Math.round(freshness.ageS * 10) / 10,
        stale: freshness.stale,
        ...(admission.refusal
          ? {
              refuse: {
                status: admission.refusal.status,
                code: admission.refusal.code,
                message: admission.refusal.message,
              },
            }
          : {}),
        ...(retryAfter ? { retry_after_s: Number(retryAfter) } : {}),
        ...(admission.cohort !== null ? { tracer_cohort: admission.cohort } : {}),
      };
    }),
  );
}

/**
 * GET /metrics. On the admin listener it is open (the scraper's network is the admin one); on the
 * public port it needs a `read` token, because counts by action (`action="tracer"`) tell an
 * adversary when its own requests are under a covert action (review M4).
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: GatewayMetrics,
  tokens: AdminTokens | null,
): void {
  const scrape = async (_request: FastifyRequest, reply: FastifyReply) => {
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  };
  app.get('/metrics', tokens ? guarded({ tokens }, 'read', scrape) : scrape);
}
