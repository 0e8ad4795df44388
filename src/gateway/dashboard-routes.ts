// The dashboard's reads under /admin/v1/ (overview, campaigns with their accounts, graph and
// timeline, accounts with their exchanges; audits and intelligence in their own files), for users' bearer tokens: the
// same roles as the designation routes. Raw exchanges and personal data only for roles with
// 'read-raw'; everyone else sees keyed pseudonyms. Every query is indexed or bounded; the graph of
// a campaign is laid out once per analysis and kept.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ReportedCampaign } from '../core/index.js';
import {
  campaignViewOf,
  may,
  requireAction,
  type Actor,
  type CampaignView,
} from '../designate/index.js';
import {
  campaignLabelFor,
  defaultIntelConfig,
  exportIntel,
  isTlpLevel,
  keyedLabel,
  type IntelConfig,
} from '../intel/index.js';
import type { AccountRow, CampaignFindingRow, DecisionRow, SqliteStore } from '../store/index.js';
import { ApiError } from './api-error.js';
import { jsonBody } from './admin-routes.js';
import { registerAuditRoutes, type AuditStarter } from './dashboard-audit-routes.js';
import { registerIntelRoutes } from './dashboard-intel-routes.js';
import { decisionPoints, hourMs, trafficPoints } from './dashboard-series.js';
import { userHandler, type DesignationContext } from './designation-routes.js';

const prefix = '/admin/v1';
const dayMs = 24 * hourMs;

export interface DashboardContext extends DesignationContext {
  /** Starts watermark audits; absent when this server has no watermark key. */
  startAudit?: AuditStarter;
  /** Why audits cannot be started here, when `startAudit` is absent. */
  auditUnavailable?: string;
  /** Who we are in exports (the config's `intel`); the defaults when absent. */
  intel?: IntelConfig;
}

function parseCampaign(row: CampaignFindingRow): ReportedCampaign {
  return JSON.parse(row.campaign) as ReportedCampaign;
}

/** The newest decision of each of these accounts, by account. */
async function latestDecisions(
  store: SqliteStore,
  accountIds: string[],
): Promise<Map<string, DecisionRow>> {
  return new Map(
    (await store.dashboard.latestDecisionsOf(accountIds)).map((row) => [row.accountId, row]),
  );
}

function integerParam(
  request: FastifyRequest,
  name: string,
  fallback: number,
  max: number,
): number {
  const raw = (request.query as Record<string, string | undefined>)[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0 || value > max)
    throw new ApiError(400, 'invalid_request', `${name}: an integer from 0 to ${max}.`, {
      param: name,
    });
  return value;
}

function queryText(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, string | undefined>)[name];
  return value === undefined || value === '' ? undefined : value;
}

export function registerDashboardRoutes(app: FastifyInstance, context: DashboardContext): void {
  const { store } = context;
  const handle = userHandler(context);

  const findingOf = async (campaignId: string): Promise<CampaignFindingRow> => {
    const row = (await store.intel.readCampaignFindings(campaignId))[0];
    if (!row)
      throw new ApiError(
        404,
        'not_found',
        `no campaign '${campaignId}' in the store: campaigns come from \`distillguard analyze --db FILE\`.`,
      );
    return row;
  };

  /** Personal data and secrets as the role may see them: the value, or a keyed pseudonym. */
  const shown = async (
    actor: Actor,
    prefixName: string,
    value: string | null,
  ): Promise<string | null> => {
    if (value === null) return null;
    return may(actor.role, 'read-raw') ? value : keyedLabel(store, prefixName, value);
  };

  const casesByCampaign = async () => {
    const byCampaign = new Map<string, { case_id: string; state: string }[]>();
    for (const row of await store.designation.listCases()) {
      const list = byCampaign.get(row.campaignId) ?? [];
      list.push({ case_id: row.caseId, state: row.state });
      byCampaign.set(row.campaignId, list);
    }
    return byCampaign;
  };

  app.get(
    `${prefix}/overview`,
    handle(async (actor, request) => {
      requireAction(actor, 'read');
      const since = queryText(request, 'since');
      if (since !== undefined && Number.isNaN(Date.parse(since)))
        throw new ApiError(400, 'invalid_request', 'since: an ISO 8601 time.', { param: 'since' });
      const newestMs = await store.dashboard.newestInteractionMs();
      const fromMs = newestMs === 0 ? 0 : Math.floor((newestMs - 7 * dayMs) / hourMs) * hourMs;
      const decisions = await store.readDecisions();
      const cases = await casesByCampaign();
      const findings = await store.intel.readCampaignFindings();
      const benchmark = await store.dashboard.readAccountFindings({ verdict: 'benchmark' });
      const latest = await latestDecisions(
        store,
        benchmark.map((row) => row.accountId),
      );
      return {
        seq: await store.lastInteractionSeq(),
        newest_ms: newestMs,
        bucket_ms: hourMs,
        traffic: await trafficPoints(store, fromMs),
        decisions: decisionPoints(decisions.slice(-2000)),
        decisions_total: decisions.length,
        accounts_by_action: await store.dashboard.accountsByAction(),
        verdicts: await store.dashboard.verdictCounts(),
        campaigns: findings
          .filter((row) => row.withdrawnAt === null)
          .map((row) => {
            const campaign = parseCampaign(row);
            return {
              campaign_id: campaign.campaign_id,
              risk: campaign.risk,
              accounts: campaign.accounts.length,
              interactions: campaign.interactions ?? null,
              first_seen: campaign.first_seen ?? null,
              last_seen: campaign.last_seen ?? null,
              capabilities: campaign.capabilities ?? {},
              top_reason: campaign.reasons[0]?.detail ?? null,
              analysed_at: row.analysedAt,
              cases: cases.get(campaign.campaign_id) ?? [],
            };
          })
          .sort((a, b) => b.risk - a.risk || a.campaign_id.localeCompare(b.campaign_id)),
        benchmark: {
          accounts: benchmark.length,
          examples: benchmark.slice(0, 10).map((row) => ({
            account_id: row.accountId,
            reason: (JSON.parse(row.reasons) as { detail: string }[])[0]?.detail ?? null,
            action: latest.get(row.accountId)?.action ?? 'allow',
          })),
          acted_against: benchmark.filter((row) =>
            ['throttle', 'verify', 'degrade', 'block'].includes(
              latest.get(row.accountId)?.action ?? 'allow',
            ),
          ).length,
        },
        changes:
          since === undefined
            ? null
            : {
                since,
                campaigns: findings
                  .filter((row) => row.analysedAt > since)
                  .map((row) => row.campaignId),
                decisions: decisions.filter((row) => row.ts > since).length,
                cases: (await store.designation.listCases())
                  .filter((row) => row.updatedAt > since)
                  .map((row) => ({ case_id: row.caseId, state: row.state })),
              },
      };
    }),
  );

  app.get(
    `${prefix}/campaigns/:id`,
    handle(async (actor, request) => {
      requireAction(actor, 'read');
      const row = await findingOf((request.params as { id: string }).id);
      const campaign = parseCampaign(row);
      const findings = new Map(
        (await store.dashboard.readAccountFindings({ campaignId: campaign.campaign_id })).map(
          (item) => [item.accountId, item],
        ),
      );
      const traffic = new Map(
        (await store.dashboard.accountTraffic(campaign.accounts)).map((item) => [
          item.accountId,
          item,
        ]),
      );
      const facts = new Map(
        (await store.dashboard.accountsOf(campaign.accounts)).map((item) => [item.accountId, item]),
      );
      const latest = await latestDecisions(store, campaign.accounts);
      const firstMs = campaign.first_seen ? Date.parse(campaign.first_seen) : null;
      const lastMs = campaign.last_seen ? Date.parse(campaign.last_seen) : null;
      const bucketMs =
        firstMs !== null && lastMs !== null && lastMs - firstMs > 21 * dayMs ? dayMs : hourMs;
      const models = (await campaignViewOf(store, row)).models;
      const newest = models.at(-1);
      const actions: Record<string, number> = {};
      const accounts = [];
      for (const accountId of campaign.accounts) {
        const finding = findings.get(accountId);
        const figures = traffic.get(accountId);
        const account = facts.get(accountId);
        const action = latest.get(accountId)?.action ?? 'allow';
        actions[action] = (actions[action] ?? 0) + 1;
        accounts.push({
          account_id: accountId,
          verdict: finding?.verdict ?? null,
          risk: finding?.risk ?? null,
          requests: figures?.requests ?? 0,
          first_ms: figures?.firstMs ?? null,
          last_ms: figures?.lastMs ?? null,
          created_ms: account?.createdAtMs ?? null,
          country: account?.country ?? null,
          card: await shown(actor, 'card', account?.paymentFingerprint ?? null),
          action,
        });
      }
      return {
        campaign_id: campaign.campaign_id,
        label: await campaignLabelFor(store, campaign.campaign_id),
        analysed_at: row.analysedAt,
        withdrawn_at: row.withdrawnAt,
        risk: campaign.risk,
        interactions: campaign.interactions ?? null,
        first_seen: campaign.first_seen ?? null,
        last_seen: campaign.last_seen ?? null,
        capabilities: campaign.capabilities ?? {},
        reasons: campaign.reasons,
        accounts,
        actions,
        timeline: {
          bucket_ms: bucketMs,
          traffic: (await store.designation.trafficOf(campaign.accounts, bucketMs)).map(
            (bucket) => ({ t: bucket.bucketMs, requests: bucket.requests }),
          ),
          models: models.map((model) => ({
            model: model.model,
            first_ms: model.firstMs,
            requests: model.requests,
          })),
          release:
            newest && models.length > 1 ? { model: newest.model, first_ms: newest.firstMs } : null,
        },
        cases: (await casesByCampaign()).get(campaign.campaign_id) ?? [],
      };
    }),
  );

  app.get(
    `${prefix}/campaigns/:id/graph`,
    handle(async (actor, request) => {
      requireAction(actor, 'read');
      const row = await findingOf((request.params as { id: string }).id);
      return graphOf(
        await campaignViewOf(store, row),
        async (kind, value) => (await shown(actor, kindPrefix[kind], value)) as string,
      );
    }),
  );

  // a campaign as a STIX 2.1 bundle to share: what `intel export --campaign` writes, logged the same way
  app.post(
    `${prefix}/campaigns/:id/stix`,
    handle(async (actor, request, reply, desk) => {
      requireAction(actor, 'talk-to-hub');
      const intel = context.intel ?? defaultIntelConfig;
      if (!intel.organization)
        throw new ApiError(
          409,
          'invalid_request',
          'this server names no reporting organisation for its exports: set intel.organization.name in the --config file (docs/intel.md) and restart.',
        );
      const row = await findingOf((request.params as { id: string }).id);
      const fields = jsonBody(request);
      const tlp = fields.tlp ?? intel.default_tlp;
      if (typeof tlp !== 'string' || !isTlpLevel(tlp))
        throw new ApiError(
          400,
          'invalid_request',
          'tlp: clear, green, amber, amber+strict or red.',
          {
            param: 'tlp',
          },
        );
      const result = await exportIntel(store, { campaignId: row.campaignId, tlp, config: intel });
      const text = `${JSON.stringify(result.bundle, null, 2)}\n`;
      await desk.log.append({
        kind: 'intel.export',
        at: new Date().toISOString(),
        actor: actor.name,
        role: actor.role,
        channel: 'dashboard',
        tlp,
        sha256: createHash('sha256').update(text).digest('hex'),
        objects: (result.bundle.objects as unknown[]).length,
        campaigns: result.campaigns.map((campaign) => campaign.label),
      });
      void reply
        .type('application/stix+json;version=2.1')
        .header(
          'content-disposition',
          `attachment; filename="${result.campaigns[0]?.label ?? 'campaign'}.stix.json"`,
        );
      return text;
    }),
  );

  app.get(
    `${prefix}/accounts`,
    handle(async (actor, request) => {
      requireAction(actor, 'read');
      const verdict = queryText(request, 'verdict');
      const campaignId = queryText(request, 'campaign');
      const offset = integerParam(request, 'offset', 0, Number.MAX_SAFE_INTEGER);
      const limit = integerParam(request, 'limit', 100, 1000);
      const { total, rows: page } = await store.dashboard.accountFindingsPage(
        { ...(verdict ? { verdict } : {}), ...(campaignId ? { campaignId } : {}) },
        { offset, limit },
      );
      const traffic = new Map(
        (await store.dashboard.accountTraffic(page.map((item) => item.accountId))).map((item) => [
          item.accountId,
          item,
        ]),
      );
      const latest = await latestDecisions(
        store,
        page.map((item) => item.accountId),
      );
      return {
        total,
        offset,
        accounts: page.map((item) => ({
          account_id: item.accountId,
          verdict: item.verdict,
          risk: item.risk,
          campaign_id: item.campaignId,
          requests: traffic.get(item.accountId)?.requests ?? 0,
          action: latest.get(item.accountId)?.action ?? 'allow',
          reason: (JSON.parse(item.reasons) as { detail: string }[])[0]?.detail ?? null,
        })),
      };
    }),
  );

  app.get(
    `${prefix}/accounts/:id`,
    handle(async (actor, request) => {
      requireAction(actor, 'read');
      const accountId = (request.params as { id: string }).id;
      const finding = await store.dashboard.readAccountFinding(accountId);
      const account: AccountRow | undefined = (await store.dashboard.accountsOf([accountId]))[0];
      const figures = (await store.dashboard.accountTraffic([accountId]))[0];
      if (!finding && !account && !figures)
        throw new ApiError(404, 'not_found', `no account '${accountId}' in the store.`);
      const span = figures ? figures.lastMs - figures.firstMs : 0;
      const models = figures ? await store.dashboard.modelsOfAccount(accountId) : [];
      const bucketMs = span > 21 * dayMs ? dayMs : hourMs;
      return {
        account_id: accountId,
        may_read_raw: may(actor.role, 'read-raw'),
        facts: account
          ? {
              created_ms: account.createdAtMs,
              verification: account.verification,
              organization: await shown(actor, 'org', account.orgId),
              // lower case, as the campaign graph keys them: one domain, one pseudonym
              email_domain: await shown(
                actor,
                'domain',
                account.emailDomain?.toLowerCase() ?? null,
              ),
              card: await shown(actor, 'card', account.paymentFingerprint),
              country: account.country,
              signup_ip: await shown(actor, 'ip', account.signupIp),
            }
          : null,
        finding: finding
          ? {
              verdict: finding.verdict,
              risk: finding.risk,
              campaign_id: finding.campaignId,
              analysed_at: finding.analysedAt,
              reasons: JSON.parse(finding.reasons) as unknown[],
            }
          : null,
        traffic: figures
          ? {
              requests: figures.requests,
              first_ms: figures.firstMs,
              last_ms: figures.lastMs,
              input_tokens: models.reduce((total, model) => total + model.inputTokens, 0),
              output_tokens: models.reduce((total, model) => total + model.outputTokens, 0),
              bucket_ms: bucketMs,
              buckets: (await store.dashboard.trafficOfAccount(accountId, bucketMs)).map(
                (bucket) => ({ t: bucket.bucketMs, requests: bucket.requests }),
              ),
              models: models.map((model) => ({
                model: model.model,
                requests: model.requests,
                input_tokens: model.inputTokens,
                output_tokens: model.outputTokens,
              })),
            }
          : null,
        decisions: (await store.readDecisions({ accountId })).map((row) => ({
          ts: row.ts,
          action: row.action,
          verdict: row.verdict,
          risk: row.risk,
          campaign_id: row.campaignId,
          reason: row.reason,
        })),
      };
    }),
  );

  app.get(
    `${prefix}/accounts/:id/exchanges`,
    handle(async (actor, request) => {
      requireAction(actor, 'read');
      const accountId = (request.params as { id: string }).id;
      const limit = integerParam(request, 'limit', 50, 500);
      const cursor = queryText(request, 'before');
      let before: { tsMs: number; seq: number } | undefined;
      if (cursor !== undefined) {
        const match = /^(\d+):(\d+)$/.exec(cursor);
        if (!match)
          throw new ApiError(400, 'invalid_request', 'before: the next_before of the last page.', {
            param: 'before',
          });
        before = { tsMs: Number(match[1]), seq: Number(match[2]) };
      }
      const rows = await store.dashboard.exchangesOf(accountId, {
        limit,
        ...(before ? { before } : {}),
      });
      const last = rows.at(-1);
      const exchanges = [];
      for (const row of rows)
        exchanges.push({
          id: row.id,
          ts_ms: row.tsMs,
          api: row.api,
          model: row.model,
          client_ip: await shown(actor, 'ip', row.clientIp),
          status: row.status,
          input_tokens: row.inputTokens,
          output_tokens: row.outputTokens,
          latency_ms: row.latencyMs,
        });
      return {
        exchanges,
        next_before: rows.length === limit && last ? `${last.tsMs}:${last.seq}` : null,
      };
    }),
  );

  app.get(
    `${prefix}/exchanges/:id`,
    handle(async (actor, request) => {
      requireAction(actor, 'read-raw');
      const id = (request.params as { id: string }).id;
      const raw = await store.readRawInteraction(id);
      if (raw === null) throw new ApiError(404, 'not_found', `no exchange '${id}' in the store.`);
      return { id, record: JSON.parse(raw) as unknown };
    }),
  );

  registerAuditRoutes(app, context);
  registerIntelRoutes(app, context);
}

const kindPrefix: Record<string, string> = {
  card: 'card',
  'email domain': 'domain',
  network: 'net',
};

/**
 * A campaign's graph as the page draws it: accounts by id, shared values by a label the role may
 * see (a keyed pseudonym unless it may read raw data); edges as pairs of node indexes.
 */
async function graphOf(
  view: CampaignView,
  label: (kind: string, value: string) => Promise<string>,
) {
  const nodes = [];
  for (const node of view.graph.nodes)
    nodes.push({
      kind: node.kind,
      label: node.kind === 'account' ? node.value : await label(node.kind, node.value),
      members: node.members,
      x: node.x,
      y: node.y,
    });
  return {
    analysed_at: view.analysedAt,
    nodes,
    edges: view.graph.edges,
    source: view.graph.source ?? 'infrastructure',
    omitted: view.graph.omitted,
  };
}
