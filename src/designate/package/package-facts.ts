// What an evidence package says, gathered once from the store: the case and its history, the
// campaign as it stood when the case was opened, its traffic over time, the models it moved to,
// the infrastructure its accounts share, and the attached audits. Account ids, cards, domains and
// addresses become keyed pseudonyms unless an admin asked for the raw values.
import type { ReportedCampaign } from '../../core/index.js';
import { campaignLabelFor, keyedLabel } from '../../intel/index.js';
import { networkOf } from '../campaign-view.js';
import type {
  CaseAttachmentRow,
  CaseEventRow,
  CaseRow,
  Store,
  TrafficBucket,
} from '../../store/index.js';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

export interface SharedInfrastructure {
  kind: 'card' | 'email domain' | 'network';
  /** A pseudonym (`card-…`), or the value itself in a raw package. */
  label: string;
  /** Labels of the member accounts that use it. */
  members: string[];
}

export interface AuditSummary {
  name: string;
  sha256: string;
  verdict: string;
  log10PValue: number | null;
  suspectModel: string | null;
  scoredTuples: number | null;
  namedCohort: string | null;
  wrongKeys: number | null;
}

export interface PackageFacts {
  caseRow: CaseRow;
  events: CaseEventRow[];
  attachments: CaseAttachmentRow[];
  campaignLabel: string;
  /** The campaign at opening, its accounts as labels. */
  campaign: ReportedCampaign;
  /** Member accounts: label and (raw packages only) id. */
  accounts: { label: string; accountId: string | null }[];
  infrastructure: SharedInfrastructure[];
  sharedTemplates: number;
  bucketMs: number;
  traffic: TrafficBucket[];
  /** The newest model the campaign used, when the traffic shows when it appeared. */
  release: { model: string; firstMs: number; campaignFirstMs: number | null } | null;
  audits: AuditSummary[];
  sightings: number;
  includeRaw: boolean;
  generatedAt: string;
}

function auditSummary(row: CaseAttachmentRow): AuditSummary {
  let evidence: Record<string, unknown> = {};
  try {
    evidence = JSON.parse(row.content.toString('utf8')) as Record<string, unknown>;
  } catch {
    // an audit attached as HTML or text: named, not read
  }
  const number = (value: unknown) => (typeof value === 'number' ? value : null);
  const suspect = evidence.suspect as { model?: string } | undefined;
  const cohorts = evidence.cohorts as { named_cohort?: string | null } | null | undefined;
  const wrongKeys = evidence.null as { keys?: number } | undefined;
  return {
    name: row.name,
    sha256: row.sha256,
    verdict: typeof evidence.verdict === 'string' ? evidence.verdict : 'unread',
    log10PValue: number(evidence.log10_p_value),
    suspectModel: suspect?.model ?? null,
    scoredTuples: number(evidence.scored_tuples),
    namedCohort: cohorts?.named_cohort ?? null,
    wrongKeys: number(wrongKeys?.keys),
  };
}

/** Values two or more members share, grouped (cards, domains, networks). */
async function shared(
  pairs: { accountId: string; value: string }[],
  kind: SharedInfrastructure['kind'],
  name: (value: string) => Promise<string>,
  labelOf: Map<string, string>,
): Promise<SharedInfrastructure[]> {
  const byValue = new Map<string, Set<string>>();
  for (const { accountId, value } of pairs) {
    const members = byValue.get(value) ?? new Set<string>();
    members.add(accountId);
    byValue.set(value, members);
  }
  const groups = [...byValue]
    .filter(([, members]) => members.size >= 2)
    .sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]));
  const result: SharedInfrastructure[] = [];
  for (const [value, members] of groups)
    result.push({
      kind,
      label: await name(value),
      members: [...members].map((id) => labelOf.get(id) ?? id).sort(),
    });
  return result;
}

export async function gatherPackageFacts(
  store: Store,
  caseRow: CaseRow,
  options: { includeRaw: boolean; now?: Date },
): Promise<PackageFacts> {
  const original = JSON.parse(caseRow.snapshot) as ReportedCampaign;
  const raw = options.includeRaw;
  const labelOf = new Map<string, string>();
  for (const id of original.accounts)
    labelOf.set(id, raw ? id : await keyedLabel(store, 'acct', id));
  const campaign: ReportedCampaign = {
    ...original,
    campaign_id: await campaignLabelFor(store, original.campaign_id),
    accounts: original.accounts.map((id) => labelOf.get(id) as string),
  };
  const members = new Set(original.accounts);
  const facts = (await store.readAccounts()).filter((row) => members.has(row.accountId));
  const pseudonym = (prefix: string) => async (value: string) =>
    raw ? value : keyedLabel(store, prefix, value);
  const infrastructure = [
    ...(await shared(
      facts.flatMap((row) =>
        row.paymentFingerprint ? [{ accountId: row.accountId, value: row.paymentFingerprint }] : [],
      ),
      'card',
      pseudonym('card'),
      labelOf,
    )),
    ...(await shared(
      facts.flatMap((row) =>
        row.emailDomain ? [{ accountId: row.accountId, value: row.emailDomain.toLowerCase() }] : [],
      ),
      'email domain',
      pseudonym('domain'),
      labelOf,
    )),
    ...(await shared(
      (await store.designation.addressesByAccount(original.accounts)).map((use) => ({
        accountId: use.accountId,
        value: networkOf(use.address),
      })),
      'network',
      pseudonym('net'),
      labelOf,
    )),
  ];

  const firstMs = original.first_seen ? Date.parse(original.first_seen) : null;
  const lastMs = original.last_seen ? Date.parse(original.last_seen) : null;
  const span = firstMs !== null && lastMs !== null ? lastMs - firstMs : 0;
  const bucketMs = span > 21 * dayMs ? dayMs : hourMs;
  const models = await store.designation.modelsFirstSeen(original.accounts);
  const newest = models.at(-1);
  const [finding] = await store.intel.readCampaignFindings(caseRow.campaignId);
  const traits = finding
    ? (JSON.parse(finding.traits) as { templates?: unknown[] })
    : { templates: [] };
  const attachments = await store.designation.readAttachments(caseRow.caseId);
  return {
    caseRow,
    events: await store.designation.readCaseEvents(caseRow.caseId),
    attachments,
    campaignLabel: campaign.campaign_id,
    campaign,
    accounts: original.accounts.map((id) => ({
      label: labelOf.get(id) as string,
      accountId: raw ? id : null,
    })),
    infrastructure,
    sharedTemplates: traits.templates?.length ?? 0,
    bucketMs,
    traffic: await store.designation.trafficOf(original.accounts, bucketMs),
    release:
      newest && models.length > 1
        ? { model: newest.model, firstMs: newest.firstMs, campaignFirstMs: firstMs }
        : null,
    audits: attachments.filter((row) => row.kind === 'audit').map(auditSummary),
    sightings: attachments.filter((row) => row.kind === 'sighting').length,
    includeRaw: raw,
    generatedAt: (options.now ?? new Date()).toISOString(),
  };
}
