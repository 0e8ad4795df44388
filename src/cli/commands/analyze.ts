// `distillguard analyze`: ingest an interaction log (and accounts) into the store and write the report.
import type { Command } from 'commander';
import { DistillGuardError, validateReport, type AnalysisReport } from '../../core/index.js';
import { buildReport, DetectionThread, type AccountFacts } from '../../detect/index.js';
import { loadPartnerIndicators } from '../../intel/index.js';
import { saveCampaignViews } from '../../designate/index.js';
import type { CampaignFindingRow } from '../../store/index.js';
import { ingestWithProgress } from '../ingest-with-progress.js';
import { checkOutputPath, writeOutputFile } from '../write-output.js';
import { defaultDatabasePath, parseNonNegativeInteger } from '../options.js';
import { openStore, storeConfigDescription } from '../open-store.js';

interface AnalyzeOptions {
  interactions: string;
  accounts?: string;
  out: string;
  db: string;
  config?: string;
  maxRejected?: number;
  scores?: string;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('ingest an interaction log into the store and write an analysis report')
    .requiredOption(
      '--interactions <file>',
      "interaction log (.jsonl, .jsonl.gz, or '-' for stdin)",
    )
    .option('--accounts <file>', 'account records (.jsonl or .jsonl.gz)')
    .requiredOption('--out <report>', 'where to write the analysis report (JSON)')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .option(
      '--max-rejected <n>',
      'stop with an error after more than N rejected lines (default: unlimited)',
      parseNonNegativeInteger,
    )
    .option(
      '--scores <file>',
      "also write every account's score (JSON Lines), listed or not: for calibration and audits",
    )
    .action(async (options: AnalyzeOptions) => {
      const report = await analyze(options);
      const { input } = report;
      const span = input.from && input.to ? ` from ${input.from} to ${input.to}` : '';
      process.stdout.write(
        `analysed ${input.interactions.toLocaleString('en-US')} interactions of ${input.accounts.toLocaleString('en-US')} accounts${span}; ` +
          `rejected ${input.rejected ?? 0} lines; ${report.accounts.length} accounts and ${report.campaigns.length} campaigns reported${partnerLine(report)}\n` +
          `report written to ${options.out}\n`,
      );
    });
}

/** ', N of them matching partner indicators' when any does. */
function partnerLine(report: AnalysisReport): string {
  const matched = report.accounts.filter((account) =>
    account.reasons.some((reason) => reason.signal === 'partner_indicator'),
  ).length;
  return matched > 0 ? `, ${matched} of them matching partner indicators` : '';
}

export async function analyze(options: AnalyzeOptions): Promise<AnalysisReport> {
  await checkOutputPath(options.out, '--out');
  if (options.scores) await checkOutputPath(options.scores, '--scores');
  const store = await openStore(options);
  try {
    let rejected = 0;
    if (options.accounts) {
      const accounts = await ingestWithProgress('accounts', options.accounts, store, {
        maxRejected: options.maxRejected,
      });
      rejected += accounts.rejected;
    }
    // tier-1 signals are computed here as records are parsed; profiles and the graph run on the detection thread
    // partners' keyed indicators (intel import) become a signal when we hold their community key
    const partners = await loadPartnerIndicators(store);
    const detection = new DetectionThread({
      addedBenchmarks: await store.readBenchmarkItems(),
      partners: partners.indicators.length > 0 ? partners : null,
    });
    const interactions = await ingestWithProgress('interactions', options.interactions, store, {
      maxRejected: options.maxRejected,
      observer: detection,
    }).catch(async (error: unknown) => {
      await detection.close();
      throw error;
    });
    rejected += interactions.rejected;
    const summary = await store.summarizeInteractionImport(interactions.importId);
    const facts = new Map<string, AccountFacts>();
    for (const { accountId, record: _record, ...known } of await store.readAccounts())
      facts.set(accountId, known);
    const findings = await detection.finish(facts);
    const report = buildReport({ ...summary, rejected }, findings);
    await store.intel.savePartnerMatches(
      findings.partnerMatches.map((match) => ({
        indicatorId: match.indicator_id,
        accountId: match.account_id,
        kind: match.kind,
        partner: match.partner,
        firstMs: match.first_ms,
        lastMs: match.last_ms,
        requests: match.requests,
        analysedAt: report.generated_at,
      })),
    );
    // each flagged account's verdict and reasons stay too: the dashboard says why, not only that
    await store.dashboard.replaceAccountFindings(
      report.accounts.map((account) => ({
        accountId: account.account_id,
        analysedAt: report.generated_at,
        verdict: account.verdict,
        risk: account.risk,
        campaignId: account.campaign_id ?? null,
        reasons: JSON.stringify(account.reasons),
      })),
    );
    // the campaigns stay in the store with their template traits: `intel export` shares them
    const traits = new Map(findings.traits.map((item) => [item.campaign_id, item]));
    const findingRows: CampaignFindingRow[] = report.campaigns.map((campaign) => ({
      campaignId: campaign.campaign_id,
      analysedAt: report.generated_at,
      campaign: JSON.stringify(campaign),
      traits: JSON.stringify(
        traits.get(campaign.campaign_id) ?? {
          campaign_id: campaign.campaign_id,
          templates: [],
          skeleton_bands: [],
        },
      ),
      withdrawnAt: null,
      withdrawnReason: null,
    }));
    await store.intel.saveCampaignFindings(findingRows);
    // what the dashboard draws of each campaign (graph, models), built now rather than on first view
    await saveCampaignViews(
      store,
      findingRows,
      new Map(findings.links.map((item) => [item.campaign_id, item.links])),
    );
    if (options.scores)
      await writeOutputFile(
        options.scores,
        findings.scores.map((score) => JSON.stringify(score)).join('\n') + '\n',
      );
    const validate = validateReport();
    if (!validate(report)) {
      const problem = validate.problem();
      throw new DistillGuardError(
        'internal',
        `the report failed its own schema at '${problem.field}': ${problem.reason}. This is a bug; please report it.`,
      );
    }
    await writeOutputFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await store.close();
  }
}
