// The overview: what changed since the last visit, traffic and decisions over time (live), the
// campaigns by risk (a campaign of 800 accounts is one row), and the benchmark runs recognised and
// left alone.
import { api, subscribe } from '../api.js';
import type { Page } from '../app.js';
import { actionColour, chart, palette, timeSeriesOption } from '../charts.js';
import { badge, count, fill, h, link, percent, section, when } from '../dom.js';
import { caseLinks, words } from './parts.js';

interface Bucket {
  t: number;
  requests: number;
}

interface Decision {
  ts: string;
  account_id: string;
  action: string;
  verdict: string | null;
}

interface Overview {
  seq: number;
  newest_ms: number;
  bucket_ms: number;
  traffic: Bucket[];
  decisions: Decision[];
  decisions_total: number;
  accounts_by_action: Record<string, number>;
  verdicts: Record<string, number>;
  campaigns: {
    campaign_id: string;
    risk: number;
    accounts: number;
    interactions: number | null;
    first_seen: string | null;
    last_seen: string | null;
    capabilities: Record<string, number>;
    top_reason: string | null;
    cases: { case_id: string; state: string }[];
  }[];
  benchmark: {
    accounts: number;
    acted_against: number;
    examples: { account_id: string; reason: string | null; action: string }[];
  };
  changes: {
    since: string;
    campaigns: string[];
    decisions: number;
    cases: { case_id: string; state: string }[];
  } | null;
}

interface Change {
  seq: number;
  newest_ms: number;
  traffic: Bucket[];
  decisions: Decision[];
  accounts_by_action: Record<string, number>;
  cases_changed: boolean;
}

const lastVisitKey = 'distillguard.lastVisit';
const enforcing = ['throttle', 'verify', 'degrade', 'block'];
const hourMs = 3_600_000;

function tile(figure: string, caption: string, testId?: string): HTMLElement {
  return h(
    'div',
    { class: 'tile' },
    h('span', { class: 'figure', 'data-testid': testId }, figure),
    h('span', { class: 'caption' }, caption),
  );
}

function decisionSeries(
  decisions: Decision[],
): { name: string; colour: string; points: [number, number][]; stack: string }[] {
  const byAction = new Map<string, Map<number, number>>();
  for (const decision of decisions) {
    const at = Math.floor(Date.parse(decision.ts) / hourMs) * hourMs;
    const buckets = byAction.get(decision.action) ?? new Map<number, number>();
    buckets.set(at, (buckets.get(at) ?? 0) + 1);
    byAction.set(decision.action, buckets);
  }
  return [...byAction].map(([action, buckets]) => ({
    name: action,
    colour: actionColour[action] ?? palette.grey,
    points: [...buckets].sort((a, b) => a[0] - b[0]),
    stack: 'decisions',
  }));
}

function changesPanel(changes: Overview['changes']): HTMLElement {
  if (!changes)
    return section(
      'Since your last visit',
      h(
        'p',
        { class: 'muted' },
        'This is your first visit from this browser: everything below is new to you.',
      ),
    );
  const items = [
    `${count(changes.campaigns.length)} campaign${changes.campaigns.length === 1 ? '' : 's'} found or re-analysed`,
    `${count(changes.decisions)} enforcement decision${changes.decisions === 1 ? '' : 's'}`,
    `${count(changes.cases.length)} case${changes.cases.length === 1 ? '' : 's'} moved`,
  ];
  return h(
    'section',
    { class: 'panel changes', 'aria-label': 'Since your last visit' },
    h('h2', {}, `Since your last visit (${when(changes.since)})`),
    h(
      'ul',
      {},
      items.map((item) => h('li', {}, item)),
    ),
    changes.cases.length > 0 ? caseLinks(changes.cases) : null,
  );
}

function campaignsTable(campaigns: Overview['campaigns']): HTMLElement {
  if (campaigns.length === 0)
    return h(
      'p',
      { class: 'muted' },
      'No campaign found yet: campaigns come from `distillguard analyze --db FILE` over this store.',
    );
  return h(
    'table',
    { class: 'plain', 'data-testid': 'campaigns' },
    h(
      'caption',
      { class: 'muted' },
      'Riskiest first. A campaign is one item however many accounts it has.',
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Campaign', 'Risk', 'Accounts', 'Requests', 'Targets', 'Why', 'Case'].map((title) =>
          h('th', { scope: 'col' }, title),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      campaigns.map((campaign) => {
        const top = Object.entries(campaign.capabilities).sort((a, b) => b[1] - a[1])[0];
        return h(
          'tr',
          {},
          h(
            'td',
            {},
            link(`#/campaigns/${encodeURIComponent(campaign.campaign_id)}`, campaign.campaign_id),
          ),
          h('td', { class: 'num' }, campaign.risk.toFixed(3)),
          h('td', { class: 'num' }, count(campaign.accounts)),
          h(
            'td',
            { class: 'num' },
            campaign.interactions === null ? '—' : count(campaign.interactions),
          ),
          h('td', {}, top ? `${words(top[0])} ${percent(top[1])}` : '—'),
          h('td', {}, campaign.top_reason ?? '—'),
          h(
            'td',
            {},
            campaign.cases.length > 0
              ? campaign.cases.map((item) =>
                  link(
                    `#/cases/${encodeURIComponent(item.case_id)}`,
                    `${item.case_id}: ${item.state}`,
                  ),
                )
              : 'none',
          ),
        );
      }),
    ),
  );
}

function benchmarkPanel(benchmark: Overview['benchmark']): HTMLElement {
  return section(
    'Benchmark runs recognised and left alone',
    h(
      'p',
      {},
      `${count(benchmark.accounts)} account${benchmark.accounts === 1 ? '' : 's'} recognised as evaluation traffic; `,
      h('strong', {}, `${count(benchmark.acted_against)} throttled, verified, degraded or blocked`),
      '.',
    ),
    benchmark.examples.length > 0
      ? h(
          'table',
          { class: 'plain' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Account', 'Recognised because', 'Action'].map((title) =>
                h('th', { scope: 'col' }, title),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            benchmark.examples.map((example) =>
              h(
                'tr',
                {},
                h(
                  'td',
                  {},
                  link(`#/accounts/${encodeURIComponent(example.account_id)}`, example.account_id),
                ),
                h('td', {}, example.reason ?? '—'),
                h('td', {}, badge(example.action)),
              ),
            ),
          ),
        )
      : null,
  );
}

const weekMs = 7 * 24 * 3_600_000;

export const overviewPage: Page = async (main, _params, context) => {
  const since = localStorage.getItem(lastVisitKey);
  const data = await api<Overview>(
    `/overview${since ? `?since=${encodeURIComponent(since)}` : ''}`,
  );
  localStorage.setItem(lastVisitKey, new Date().toISOString());
  const traffic = new Map(data.traffic.map((bucket) => [bucket.t, bucket]));
  const decisions = [...data.decisions];
  let interactions = data.seq;

  const tiles = h('div', { class: 'tiles' });
  const paintTiles = () =>
    fill(
      tiles,
      tile(count(interactions), 'interactions stored', 'interactions'),
      tile(count(data.campaigns.length), 'campaigns'),
      tile(count(data.verdicts.extraction ?? 0), 'accounts judged extraction'),
      tile(count(data.verdicts.review ?? 0), 'accounts for review'),
      tile(
        count(
          enforcing.reduce((total, action) => total + (data.accounts_by_action[action] ?? 0), 0),
        ),
        'accounts acted against now',
        'acted',
      ),
      tile(count(data.benchmark.accounts), 'benchmark accounts, left alone'),
    );
  paintTiles();

  const trafficChart = h('div', { class: 'chart', 'data-testid': 'traffic-chart' });
  let newestMs = data.newest_ms;
  const newestNote = h('p', { class: 'muted' }, `Newest request: ${when(newestMs || null)}`);
  const decisionsChart = h('div', { class: 'chart' });
  const liveNote = h(
    'span',
    { class: 'live', 'aria-live': 'polite', 'data-testid': 'live' },
    'live',
  );
  fill(
    main,
    h('h1', {}, 'Overview ', liveNote),
    changesPanel(data.changes),
    tiles,
    h(
      'div',
      { class: 'grid' },
      section('Traffic (requests per hour, the last week of data)', trafficChart, newestNote),
      section(
        'Enforcement decisions over time',
        decisionsChart,
        h(
          'p',
          { class: 'muted' },
          `${count(data.decisions_total)} decisions in all; the newest ${count(decisions.length)} drawn.`,
        ),
      ),
    ),
    section('Campaigns by risk', campaignsTable(data.campaigns)),
    benchmarkPanel(data.benchmark),
  );
  const trafficPoints = () => [...traffic.values()].sort((a, b) => a.t - b.t);
  const trafficView = chart(
    trafficChart,
    'Requests per hour over the last week',
    timeSeriesOption([
      {
        name: 'requests',
        colour: palette.blue,
        points: trafficPoints().map((bucket) => [bucket.t, bucket.requests]),
      },
    ]),
  );
  const decisionsView = chart(
    decisionsChart,
    'Enforcement decisions per hour, by action',
    timeSeriesOption(decisionSeries(decisions), [], 'decisions'),
  );

  subscribe((name, payload) => {
    if (name !== 'change') return;
    const change = payload as Change;
    interactions = change.seq;
    data.accounts_by_action = change.accounts_by_action;
    for (const bucket of change.traffic) traffic.set(bucket.t, bucket);
    // the chart stays the week before the newest request
    if (change.newest_ms > newestMs) {
      newestMs = change.newest_ms;
      newestNote.textContent = `Newest request: ${when(newestMs)}`;
      for (const t of traffic.keys()) if (t < newestMs - weekMs) traffic.delete(t);
    }
    decisions.push(...change.decisions);
    paintTiles();
    trafficView.setOption(
      timeSeriesOption([
        {
          name: 'requests',
          colour: palette.blue,
          points: trafficPoints().map((bucket) => [bucket.t, bucket.requests]),
        },
      ]),
    );
    if (change.decisions.length > 0)
      decisionsView.setOption(
        timeSeriesOption(decisionSeries(decisions.slice(-5000)), [], 'decisions'),
        { replaceMerge: ['series'] },
      );
    liveNote.textContent = `live: updated ${new Date().toISOString().slice(11, 19)} UTC`;
  }, context.signal);
};
