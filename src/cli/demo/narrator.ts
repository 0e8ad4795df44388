// Tells the demo as it happens: campaigns as they are found, actions as they are taken, benchmark
// accounts recognised and left alone. Reads the gateway's live assessment and its decision log.
import type { LiveAssessment } from '../../detect/index.js';
import type { DecisionRow, Store } from '../../store/index.js';

const clock = (startedMs: number) => {
  const seconds = Math.floor((Date.now() - startedMs) / 1000);
  return `[${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}]`;
};

export class DemoNarrator {
  private readonly started = Date.now();
  private readonly write: (line: string) => void;
  private readonly campaigns = new Map<string, number>();
  private readonly benchmarks = new Set<string>();
  private decisionsSeen = 0;
  private reading: Promise<void> = Promise.resolve();
  /** Account → last action, from the decision log. */
  readonly actions = new Map<string, DecisionRow>();
  /** Account → every enforcement action it received (throttle, verify, degrade, block). */
  readonly enforced = new Map<string, Set<string>>();

  constructor(write: (line: string) => void) {
    this.write = write;
  }

  say(text: string): void {
    this.write(`${clock(this.started)} ${text}`);
  }

  assessment(assessment: LiveAssessment): void {
    for (const campaign of assessment.campaigns) {
      const known = this.campaigns.get(campaign.id);
      if (campaign.verdict !== 'extraction') continue;
      if (known === undefined)
        this.say(
          `campaign ${campaign.id} found: ${campaign.accounts.length} linked accounts, risk ${campaign.risk.toFixed(3)}`,
        );
      else if (campaign.accounts.length > known)
        this.say(`campaign ${campaign.id} grew to ${campaign.accounts.length} accounts`);
      this.campaigns.set(campaign.id, Math.max(known ?? 0, campaign.accounts.length));
    }
    for (const [accountId, state] of assessment.accounts) {
      if (state.verdict !== 'benchmark' || this.benchmarks.has(accountId)) continue;
      this.benchmarks.add(accountId);
      this.say(`account ${accountId} recognised as benchmarking: protected, left alone`);
    }
  }

  /** Prints decisions stored since the last call (calls run one after another). */
  decisions(store: Store): Promise<void> {
    const next = this.reading.then(() => this.printDecisions(store));
    this.reading = next.catch(() => undefined);
    return next;
  }

  private async printDecisions(store: Store): Promise<void> {
    const rows = await store.readDecisions();
    for (const row of rows.slice(this.decisionsSeen)) {
      this.actions.set(row.accountId, row);
      if (row.action === 'observe') continue;
      if (row.action !== 'tracer') {
        const seen = this.enforced.get(row.accountId) ?? new Set<string>();
        seen.add(row.action);
        this.enforced.set(row.accountId, seen);
      }
      const campaign = row.campaignId ? ` (campaign ${row.campaignId})` : '';
      this.say(`${row.action.padEnd(8)} ${row.accountId}${campaign}`);
    }
    this.decisionsSeen = rows.length;
  }

  get benchmarkAccounts(): ReadonlySet<string> {
    return this.benchmarks;
  }
}
