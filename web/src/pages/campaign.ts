// A campaign: why it is one (the decisive reasons), its accounts (sortable, filtered, virtualised),
// the graph of accounts linked by the cards, email domains and networks they share, its traffic
// over time with the model release marked, what it targeted, what was done, and the two actions
// that follow: export to STIX, open a case.
import { api, ApiFailure, session } from '../api.js';
import type { Page, PageContext } from '../app.js';
import { barsOption, chart, palette, timeSeriesOption } from '../charts.js';
import { badge, count, errorBox, fill, h, link, percent, section, when } from '../dom.js';
import { virtualTable } from '../table.js';
import { caseLinks } from './parts.js';

interface CampaignAccount {
  account_id: string;
  verdict: string | null;
  risk: number | null;
  requests: number;
  first_ms: number | null;
  last_ms: number | null;
  output_tokens: number;
  models: number;
  created_ms: number | null;
  country: string | null;
  card: string | null;
  action: string;
}

interface Campaign {
  campaign_id: string;
  label: string;
  analysed_at: string;
  withdrawn_at: string | null;
  risk: number;
  interactions: number | null;
  first_seen: string | null;
  last_seen: string | null;
  capabilities: Record<string, number>;
  reasons: { signal: string; detail: string; weight?: number }[];
  accounts: CampaignAccount[];
  actions: Record<string, number>;
  timeline: {
    bucket_ms: number;
    traffic: { t: number; requests: number }[];
    models: { model: string; first_ms: number; requests: number }[];
    release: { model: string; first_ms: number } | null;
  };
  cases: { case_id: string; state: string }[];
}

interface Graph {
  /** Accounts (label: the account id), then the cards, domains and networks they share. */
  nodes: { kind: string; label: string; x: number; y: number; members: number }[];
  /** Pairs of node indexes, with what links them most for the detector's links. */
  edges: [number, number, string?][];
  /** 'detector': accounts as detection linked them; 'infrastructure': accounts and the values they share. */
  source: 'detector' | 'infrastructure';
  omitted: number;
}

/** Accounts in the detector's graph: dark, so the links' colours carry the meaning. */
const accountInk = '#2b3440';

const kindColour: Record<string, string> = {
  account: palette.blue,
  card: palette.vermillion,
  'email domain': palette.purple,
  network: palette.green,
};

function accountsTable(accounts: CampaignAccount[]): HTMLElement {
  return virtualTable<CampaignAccount>({
    label: 'Accounts of the campaign',
    rows: accounts,
    initialSort: { column: 3, descending: true },
    columns: [
      {
        title: 'Account',
        value: (row) => row.account_id,
        cell: (row) => link(`#/accounts/${encodeURIComponent(row.account_id)}`, row.account_id),
        width: 'minmax(12.5rem, 1.4fr)',
      },
      {
        title: 'Verdict',
        value: (row) => row.verdict,
        cell: (row) => badge(row.verdict ?? 'none'),
      },
      {
        title: 'Risk',
        value: (row) => row.risk,
        cell: (row) => (row.risk === null ? '—' : row.risk.toFixed(3)),
        numeric: true,
      },
      {
        title: 'Requests',
        value: (row) => row.requests,
        cell: (row) => count(row.requests),
        numeric: true,
      },
      {
        title: 'First',
        value: (row) => row.first_ms,
        cell: (row) => when(row.first_ms),
        width: 'minmax(11.5rem, 1.2fr)',
      },
      {
        title: 'Signed up',
        value: (row) => row.created_ms,
        cell: (row) => when(row.created_ms),
        width: 'minmax(11.5rem, 1.2fr)',
      },
      { title: 'Card', value: (row) => row.card },
      { title: 'Country', value: (row) => row.country },
      { title: 'Action now', value: (row) => row.action, cell: (row) => badge(row.action) },
    ],
  });
}

/** What each kind of detector link means, and its colour (Okabe-Ito). */
const linkKinds: Record<string, { words: string; colour: string }> = {
  template: { words: 'same prompt template', colour: palette.blue },
  skeleton: { words: 'near-identical template', colour: palette.sky },
  payment: { words: 'same card', colour: palette.vermillion },
  address: { words: 'same client address', colour: palette.green },
  organization: { words: 'same organisation', colour: palette.purple },
  signup_burst: { words: 'signed up in the same burst', colour: palette.yellow },
  synchrony: { words: 'synchronised activity', colour: palette.orange },
};

function swatch(colour: string): HTMLElement {
  const element = h('span', { class: 'swatch' });
  element.style.background = colour;
  return element;
}

function graphLegend(graph: Graph): HTMLElement {
  if (graph.source === 'detector') {
    const present = new Set(graph.edges.map((edge) => edge[2] ?? 'template'));
    return h(
      'div',
      { class: 'legend' },
      h('span', {}, swatch(accountInk), 'account'),
      Object.entries(linkKinds)
        .filter(([kind]) => present.has(kind))
        .map(([, kind]) => h('span', {}, swatch(kind.colour), kind.words)),
    );
  }
  return h(
    'div',
    { class: 'legend' },
    h('span', {}, h('span', { class: 'swatch swatch-account' }), 'account (circle)'),
    h('span', {}, h('span', { class: 'swatch swatch-card' }), 'card (square)'),
    h('span', {}, h('span', { class: 'swatch swatch-domain' }), 'email domain (diamond)'),
    h('span', {}, h('span', { class: 'swatch swatch-network' }), 'network /24 (triangle)'),
  );
}

function graphNote(graph: Graph): string {
  const accounts = graph.nodes.filter((node) => node.kind === 'account').length;
  if (graph.source === 'detector')
    return `The ${count(accounts)} accounts as detection linked them: each account's two strongest links and two more of its links drawn evenly (${count(graph.edges.length)} in all), coloured by what the two accounts share most. Click an account to open it; scroll to zoom.`;
  const shared = graph.nodes.length - accounts;
  return shared === 0
    ? 'Its accounts share no card, email domain or network: what links them is behaviour (the reasons above).'
    : `${count(shared)} shared cards, domains and networks link its accounts${graph.omitted > 0 ? `; ${count(graph.omitted)} less shared ones left out of the picture` : ''}. Click an account to open it; scroll to zoom.`;
}

const symbols: Record<string, string> = {
  account: 'circle',
  card: 'rect',
  'email domain': 'diamond',
  network: 'triangle',
};

function graphPanel(graph: Graph): HTMLElement {
  const box = h('div', { class: 'chart tall', 'data-testid': 'campaign-graph' });
  const accounts = graph.nodes.filter((node) => node.kind === 'account').length;
  queueMicrotask(() => {
    const instance = chart(
      box,
      graph.source === 'detector'
        ? `Graph of ${accounts} accounts and ${graph.edges.length} of the links between them`
        : `Graph of ${accounts} accounts linked by ${graph.nodes.length - accounts} shared cards, email domains and networks`,
      {
        tooltip: { renderMode: 'richText', formatter: (params: unknown) => tooltipOf(params) },
        series: [
          {
            type: 'graph',
            layout: 'none',
            roam: true,
            lineStyle: { color: '#9aa3b1', opacity: 0.6, width: 0.8 },
            emphasis: { focus: 'adjacency' },
            data: graph.nodes.map((node) => ({
              name: node.label,
              x: node.x,
              y: node.y,
              value: node.members,
              symbol: symbols[node.kind] ?? 'circle',
              symbolSize:
                node.kind === 'account' ? 6 : Math.min(22, 8 + Math.sqrt(node.members) * 2),
              itemStyle: {
                color:
                  graph.source === 'detector' && node.kind === 'account'
                    ? accountInk
                    : (kindColour[node.kind] ?? palette.grey),
              },
              kind: node.kind,
            })),
            links: graph.edges.map(([source, target, kind]) => ({
              source,
              target,
              ...(kind
                ? { lineStyle: { color: linkKinds[kind]?.colour ?? palette.grey }, kind }
                : {}),
            })),
          },
        ],
      },
    );
    instance.on('click', (params) => {
      const data = params.data as { name?: string; kind?: string } | undefined;
      if (data?.kind === 'account' && data.name)
        location.hash = `#/accounts/${encodeURIComponent(data.name)}`;
    });
  });
  return section(
    'Accounts linked by what they share',
    box,
    graphLegend(graph),
    h('p', { class: 'muted' }, graphNote(graph)),
  );
}

function tooltipOf(params: unknown): string {
  const item = params as { data?: { name?: string; kind?: string; value?: number | null } };
  const data = item.data;
  if (!data) return '';
  if (data.kind === 'account') return `account ${data.name}`;
  if (data.kind && linkKinds[data.kind]) return linkKinds[data.kind].words;
  return `${data.kind} ${data.name}: shared by ${data.value ?? '?'} accounts`;
}

function timelinePanel(campaign: Campaign): HTMLElement {
  const box = h('div', { class: 'chart', 'data-testid': 'campaign-timeline' });
  const { timeline } = campaign;
  const release = timeline.release;
  const marks = release ? [{ at: release.first_ms, label: `${release.model} appears` }] : [];
  queueMicrotask(() =>
    chart(
      box,
      `The campaign's requests per ${timeline.bucket_ms >= 86_400_000 ? 'day' : 'hour'}${release ? `, with the first request to ${release.model} marked` : ''}`,
      timeSeriesOption(
        [
          {
            name: 'requests',
            colour: palette.blue,
            points: timeline.traffic.map((bucket) => [bucket.t, bucket.requests]),
          },
        ],
        marks,
      ),
    ),
  );
  const firstOfCampaign = (model: string) => timeline.models.find((item) => item.model === model);
  return section(
    'Traffic over time',
    box,
    release
      ? h(
          'p',
          {},
          `The newest model, ${release.model}, was first asked anywhere at ${when(release.first_ms)}; this campaign sent it ${count(firstOfCampaign(release.model)?.requests ?? 0)} requests.`,
        )
      : h('p', { class: 'muted' }, 'The campaign used one model: no release to mark.'),
  );
}

function capabilitiesPanel(campaign: Campaign): HTMLElement {
  const entries = Object.entries(campaign.capabilities).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0)
    return section(
      'What it targeted',
      h('p', { class: 'muted' }, 'No capability breakdown in this analysis.'),
    );
  const box = h('div', { class: 'chart' });
  queueMicrotask(() =>
    chart(
      box,
      `Share of the campaign's traffic per capability: ${entries.map(([name, share]) => `${name} ${percent(share)}`).join(', ')}`,
      barsOption(
        entries.map(([name]) => name),
        entries.map(([, share]) => Math.round(share * 1000) / 10),
        '% of requests',
        palette.orange,
      ),
    ),
  );
  return section('What it targeted', box);
}

function actionsPanel(campaign: Campaign, context: PageContext): HTMLElement {
  const status = h('div', { 'aria-live': 'polite' });
  const reason = h('input', {
    id: 'case-reason',
    type: 'text',
    size: 50,
    placeholder: 'why this campaign needs a case',
  });
  const canOpen = context.me.role === 'analyst';
  const open = h('button', { type: 'submit', disabled: !canOpen }, 'Open a case');
  const form = h(
    'form',
    { class: 'inline', 'aria-label': 'Open a case' },
    h('div', {}, h('label', { for: 'case-reason' }, 'Reason'), reason),
    open,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api<{ case_id: string }>('/cases', {
      method: 'POST',
      body: {
        campaign_id: campaign.campaign_id,
        reason: reason.value || 'opened from the dashboard',
      },
    }).then(
      (opened) => (location.hash = `#/cases/${encodeURIComponent(opened.case_id)}`),
      (error: unknown) =>
        fill(status, errorBox(error instanceof ApiFailure ? error.message : String(error))),
    );
  });
  const tlp = h(
    'select',
    { id: 'stix-tlp' },
    ['amber', 'green', 'clear', 'amber+strict', 'red'].map((level) =>
      h('option', { value: level }, `TLP:${level.toUpperCase()}`),
    ),
  );
  const canExport = context.me.role === 'liaison';
  const exportButton = h(
    'button',
    { type: 'button', class: 'secondary', disabled: !canExport },
    'Export to STIX',
  );
  exportButton.addEventListener('click', () => void exportStix(campaign, tlp.value, status));
  const acted = Object.entries(campaign.actions).sort((a, b) => b[1] - a[1]);
  return section(
    'Actions taken, and what to do next',
    h(
      'p',
      {},
      'Each account now: ',
      acted.map(([action, accounts], index) => [
        index > 0 ? ', ' : '',
        badge(action),
        ` ${count(accounts)}`,
      ]),
    ),
    campaign.cases.length > 0
      ? caseLinks(campaign.cases)
      : h('p', { class: 'muted' }, 'No case on this campaign yet.'),
    form,
    canOpen ? null : h('p', { class: 'muted' }, 'Analysts open cases.'),
    h(
      'div',
      { class: 'inline' },
      h('label', { for: 'stix-tlp' }, 'Share as STIX 2.1 (keyed indicators, no user content)'),
      tlp,
      ' ',
      exportButton,
    ),
    canExport ? null : h('p', { class: 'muted' }, 'Liaisons export and share with partners.'),
    status,
  );
}

async function exportStix(campaign: Campaign, tlp: string, status: HTMLElement): Promise<void> {
  const response = await fetch(
    `/admin/v1/campaigns/${encodeURIComponent(campaign.campaign_id)}/stix`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${session.token() ?? ''}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ tlp }),
      credentials: 'omit',
    },
  );
  const text = await response.text();
  if (!response.ok) {
    const message =
      (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? response.statusText;
    fill(status, errorBox(message));
    return;
  }
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const anchor = h(
    'a',
    { href: url, download: `${campaign.label}.stix.json` },
    `Download ${campaign.label}.stix.json`,
  );
  fill(
    status,
    h(
      'p',
      { class: 'notice' },
      `Exported at TLP:${tlp.toUpperCase()} and recorded in the transparency log. `,
      anchor,
    ),
  );
  anchor.click();
}

export const campaignPage: Page = async (main, [campaignId], context) => {
  const [campaign, graph] = await Promise.all([
    api<Campaign>(`/campaigns/${encodeURIComponent(campaignId)}`),
    api<Graph>(`/campaigns/${encodeURIComponent(campaignId)}/graph`),
  ]);
  const summary = h(
    'dl',
    { class: 'kv' },
    h('dt', {}, 'Risk'),
    h('dd', {}, campaign.risk.toFixed(3)),
    h('dt', {}, 'Accounts'),
    h('dd', {}, count(campaign.accounts.length)),
    h('dt', {}, 'Requests'),
    h('dd', {}, campaign.interactions === null ? '—' : count(campaign.interactions)),
    h('dt', {}, 'Active'),
    h('dd', {}, `${when(campaign.first_seen)} to ${when(campaign.last_seen)}`),
    h('dt', {}, 'Shared as'),
    h('dd', {}, campaign.label),
    h('dt', {}, 'Analysed'),
    h('dd', {}, when(campaign.analysed_at)),
  );
  fill(
    main,
    h('p', {}, link('#/', '← Overview')),
    h('h1', {}, `Campaign ${campaign.campaign_id}`),
    campaign.withdrawn_at ? errorBox(`Withdrawn ${when(campaign.withdrawn_at)}.`) : null,
    h(
      'div',
      { class: 'grid' },
      section('Summary', summary),
      section(
        'Why it is a campaign',
        h(
          'ul',
          { class: 'reasons', 'data-testid': 'campaign-reasons' },
          campaign.reasons.map((reason) =>
            h('li', {}, h('strong', {}, reason.signal.replace(/_/g, ' ')), `: ${reason.detail}`),
          ),
        ),
      ),
    ),
    h('div', { class: 'grid' }, graphPanel(graph), timelinePanel(campaign)),
    h('div', { class: 'grid' }, capabilitiesPanel(campaign), actionsPanel(campaign, context)),
    section('Accounts', accountsTable(campaign.accounts)),
  );
};
