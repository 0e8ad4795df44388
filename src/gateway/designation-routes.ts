// The admin API's designation part under /admin/v1/ (what the dashboard will call): who am I, the
// stored campaigns, cases and their steps, the log's checkpoint and proofs. Users authenticate with
// the token `users add` printed, as "Authorization: Bearer <token>"; no cookie is read, so a page
// of another origin cannot act for them. Every action goes through the same functions as the CLI:
// the same roles, workflow and log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DistillGuardError, type JsonObject } from '../core/index.js';
import {
  actions,
  approvalsOf,
  approveCase,
  expireDue,
  may,
  nextSteps,
  openCase,
  proveEntry,
  requireAction,
  requireCase,
  rolesFor,
  transitionCase,
  userOfToken,
  type Actor,
  type CaseDesk,
  type TransparencyLog,
} from '../designate/index.js';
import type { SqliteStore } from '../store/index.js';
import { jsonBody } from './admin-routes.js';
import { ApiError, sendApiError } from './api-error.js';

export interface DesignationContext {
  store: SqliteStore;
  /** The transparency log, opened on first use. */
  log: () => Promise<TransparencyLog>;
  keyHashSecret: Buffer;
}

const prefix = '/admin/v1';

async function actorOf(request: FastifyRequest, context: DesignationContext): Promise<Actor> {
  const header = request.headers.authorization ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token)
    throw new ApiError(
      401,
      'user_token_required',
      'Log in: send "Authorization: Bearer <token>" with the token `distillguard users add` printed.',
    );
  const actor = await userOfToken(context.store.designation, context.keyHashSecret, token);
  if (!actor)
    throw new ApiError(
      401,
      'user_token_required',
      "The token is no live user's: unknown, or the user was disabled. Ask an admin for a new user (`distillguard users add`).",
    );
  return actor;
}

/** A workflow or role error as the HTTP answer it is. */
function asApiError(error: DistillGuardError): ApiError {
  switch (error.code) {
    case 'forbidden':
      return new ApiError(403, 'role_required', error.message);
    case 'refused':
      return new ApiError(409, 'step_refused', error.message);
    case 'usage':
    case 'input_invalid':
      return new ApiError(
        /^no case '/.test(error.message) ? 404 : 400,
        /^no case '/.test(error.message) ? 'not_found' : 'invalid_request',
        error.message,
      );
    default:
      return new ApiError(500, 'internal_error', error.message);
  }
}

function text(fields: JsonObject, name: string, required: boolean): string | undefined {
  const value = fields[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || (required && value.trim().length === 0))
    throw new ApiError(400, 'invalid_request', `${name}: required, a non-empty string.`, {
      param: name,
    });
  return value;
}

/** Handler of a route for users: authenticates, lapses due designations, runs, and signs what the action appended. */
export type UserWork = (
  actor: Actor,
  request: FastifyRequest,
  reply: FastifyReply,
  desk: CaseDesk,
) => unknown;

export function userHandler(
  context: DesignationContext,
): (work: UserWork) => (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  const deskOf = async (): Promise<CaseDesk> => ({
    store: context.store,
    log: await context.log(),
  });
  return (work) => async (request, reply) => {
    try {
      const actor = await actorOf(request, context);
      const desk = await deskOf();
      await expireDue(desk);
      try {
        return await work(actor, request, reply, desk);
      } finally {
        await desk.log.checkpoint();
      }
    } catch (error) {
      const answer =
        error instanceof ApiError
          ? error
          : error instanceof DistillGuardError
            ? asApiError(error)
            : null;
      if (!answer) throw error;
      sendApiError(reply, 'openai', answer);
      return reply;
    }
  };
}

export function registerDesignationRoutes(app: FastifyInstance, context: DesignationContext): void {
  const handle = userHandler(context);
  /** Users disabled since: their approvals no longer count. */
  const disabledUsers = async () =>
    new Set(
      (await context.store.designation.listUsers())
        .filter((user) => user.disabledAt !== null)
        .map((user) => user.name),
    );
  const caseView = async (desk: CaseDesk, caseId: string) => {
    // one snapshot: the state, its history and its approvals as they stood together
    const { row, caseEvents, disabled, attachments } = await context.store.designation.snapshot(
      async () => ({
        row: await requireCase(desk, caseId),
        caseEvents: await context.store.designation.readCaseEvents(caseId),
        disabled: await disabledUsers(),
        attachments: await context.store.designation.readAttachments(caseId),
      }),
    );
    return {
      case_id: row.caseId,
      campaign_id: row.campaignId,
      state: row.state,
      opened_by: row.openedBy,
      opened_at: row.openedAt,
      updated_at: row.updatedAt,
      expires_at: row.expiresAt,
      // what the dashboard needs to offer a step: who takes it, what it asks for, its approvals
      next_steps: nextSteps(row.state).map((step) => ({
        to: step.to,
        meaning: step.meaning,
        action: step.action,
        roles: step.action === 'system' ? [] : rolesFor(step.action),
        approvals: step.approvals === true,
        approved_by: step.approvals
          ? approvalsOf(caseEvents, step.to, disabled).map((event) => event.actor)
          : [],
        warning_check: step.warningCheck === true,
        needs_expiry: step.needsExpiry === true,
        needs_statement: step.needsStatement === true,
      })),
      events: caseEvents.map((event) => ({
        kind: event.kind,
        actor: event.actor,
        role: event.role,
        at: event.at,
        from: event.fromState,
        to: event.toState,
        reason: event.reason,
        log_index: event.logIndex,
      })),
      attachments: attachments.map((file) => ({
        kind: file.kind,
        name: file.name,
        sha256: file.sha256,
        bytes: file.content.length,
        added_by: file.addedBy,
        added_at: file.addedAt,
      })),
    };
  };

  app.get(
    `${prefix}/me`,
    handle((actor) => ({ ...actor, actions: actions.filter((action) => may(actor.role, action)) })),
  );

  app.get(
    `${prefix}/campaigns`,
    handle(async (actor) => {
      requireAction(actor, 'read');
      return {
        campaigns: (await context.store.intel.readCampaignFindings()).map((row) => {
          const campaign = JSON.parse(row.campaign) as JsonObject & { accounts: string[] };
          return {
            ...campaign,
            account_count: campaign.accounts.length,
            analysed_at: row.analysedAt,
            withdrawn_at: row.withdrawnAt,
          };
        }),
      };
    }),
  );

  app.get(
    `${prefix}/cases`,
    handle(async (actor) => {
      requireAction(actor, 'read');
      return {
        cases: (await context.store.designation.listCases()).map((row) => ({
          case_id: row.caseId,
          campaign_id: row.campaignId,
          state: row.state,
          opened_by: row.openedBy,
          opened_at: row.openedAt,
          expires_at: row.expiresAt,
        })),
      };
    }),
  );

  app.post(
    `${prefix}/cases`,
    handle(async (actor, request, reply, desk) => {
      const fields = jsonBody(request);
      const row = await openCase(
        desk,
        actor,
        text(fields, 'campaign_id', true) as string,
        text(fields, 'reason', false) ?? null,
      );
      void reply.code(201);
      return caseView(desk, row.caseId);
    }),
  );

  app.get(
    `${prefix}/cases/:id`,
    handle(async (actor, request, _reply, desk) => {
      requireAction(actor, 'read');
      return caseView(desk, (request.params as { id: string }).id);
    }),
  );

  app.post(
    `${prefix}/cases/:id/approvals`,
    handle(async (actor, request, _reply, desk) => {
      const fields = jsonBody(request);
      const caseId = (request.params as { id: string }).id;
      await approveCase(
        desk,
        actor,
        caseId,
        text(fields, 'to', true) as string,
        text(fields, 'reason', true) as string,
      );
      return caseView(desk, caseId);
    }),
  );

  app.post(
    `${prefix}/cases/:id/transitions`,
    handle(async (actor, request, _reply, desk) => {
      const fields = jsonBody(request);
      const caseId = (request.params as { id: string }).id;
      await transitionCase(desk, actor, caseId, {
        to: text(fields, 'to', true) as string,
        reason: text(fields, 'reason', true) as string,
        expiresAt: text(fields, 'expires', false),
        statement: text(fields, 'statement', false),
      });
      return caseView(desk, caseId);
    }),
  );

  app.get(
    `${prefix}/log/checkpoint`,
    handle(async (actor, _request, reply, desk) => {
      requireAction(actor, 'read');
      void reply.type('text/plain; charset=utf-8');
      return (await desk.log.checkpoint()).note;
    }),
  );

  app.get(
    `${prefix}/log/entries/:index/proof`,
    handle(async (actor, request, _reply, desk) => {
      requireAction(actor, 'read');
      const index = Number((request.params as { index: string }).index);
      if (!Number.isSafeInteger(index) || index < 0)
        throw new ApiError(400, 'invalid_request', 'index: an entry number (0, 1, ...).', {
          param: 'index',
        });
      return proveEntry(desk.log, index, await desk.log.checkpoint());
    }),
  );
}
