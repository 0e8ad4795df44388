// The flagged accounts: every page of /accounts (a chunk of 1,000 at a time, with progress),
// filtered by verdict, in one sortable, filterable table. One account's page is in account.ts.
import { api } from '../api.js';
import { badge, count, fill, h, link, section } from '../dom.js';
import type { Page } from '../app.js';
import { virtualTable, type Column } from '../table.js';
import { accountHref, campaignHref, code, failureBox, field, riskText } from './parts.js';

export { accountPage } from './account.js';

interface AccountListRow {
  account_id: string;
  verdict: string;
  risk: number;
  campaign_id: string | null;
  requests: number;
  action: string;
  reason: string | null;
}

interface AccountList {
  total: number;
  offset: number;
  accounts: AccountListRow[];
}

const verdicts = ['extraction', 'review', 'benchmark'];
/** Rows asked per call: the most /accounts gives. */
const chunk = 1000;

const listColumns: Column<AccountListRow>[] = [
  {
    title: 'Account',
    value: (row) => row.account_id,
    cell: (row) => link(accountHref(row.account_id), row.account_id),
    width: 'minmax(12.5rem, 1.2fr)',
  },
  { title: 'Verdict', value: (row) => row.verdict, cell: (row) => badge(row.verdict) },
  { title: 'Risk', value: (row) => row.risk, cell: (row) => riskText(row.risk), numeric: true },
  {
    title: 'Campaign',
    value: (row) => row.campaign_id,
    cell: (row) => (row.campaign_id ? link(campaignHref(row.campaign_id), row.campaign_id) : '—'),
    width: 'minmax(8rem, 1fr)',
  },
  {
    title: 'Requests',
    value: (row) => row.requests,
    cell: (row) => count(row.requests),
    numeric: true,
  },
  { title: 'Current action', value: (row) => row.action, cell: (row) => badge(row.action) },
  {
    title: 'Top reason',
    value: (row) => row.reason,
    cell: (row) => (row.reason ? h('span', { title: row.reason }, row.reason) : '—'),
    width: 'minmax(16rem, 3fr)',
  },
];

/**
 * Every flagged account of a verdict ('' for all), riskiest first, a chunk at a time; null when
 * `current()` says the answer is no longer wanted (the filter changed or the page was left).
 */
async function fetchAccounts(
  verdict: string,
  current: () => boolean,
  progress: (loaded: number, total: number) => void,
): Promise<AccountListRow[] | null> {
  const rows: AccountListRow[] = [];
  for (let total = Infinity; rows.length < total;) {
    const query = new URLSearchParams({ offset: String(rows.length), limit: String(chunk) });
    if (verdict) query.set('verdict', verdict);
    const page = await api<AccountList>(`/accounts?${query.toString()}`);
    if (!current()) return null;
    total = page.total;
    rows.push(...page.accounts);
    progress(rows.length, total);
    if (page.accounts.length === 0) break;
  }
  return rows;
}

function noAccounts(verdict: string): HTMLElement {
  return h(
    'p',
    { class: 'muted empty' },
    verdict
      ? `No account has the verdict ${verdict} in the latest analysis.`
      : [
          'No flagged accounts yet: ',
          code('distillguard analyze --db FILE'),
          ' stores the accounts it flags, with their reasons.',
        ],
  );
}

function verdictFilter(onChange: (verdict: string) => void): HTMLElement {
  const select = h(
    'select',
    { name: 'verdict' },
    h('option', { value: '' }, 'All verdicts'),
    verdicts.map((verdict) => h('option', { value: verdict }, verdict)),
  );
  select.addEventListener('change', () => onChange(select.value));
  const form = h(
    'form',
    { class: 'inline', 'aria-label': 'Filter accounts' },
    field('accounts-verdict', 'Verdict', select),
  );
  form.addEventListener('submit', (event) => event.preventDefault());
  return form;
}

export const accountsPage: Page = async (main, _params, { signal }) => {
  const status = h('div', { 'aria-live': 'polite' });
  const holder = h('div');
  let generation = 0;

  const show = async (verdict: string) => {
    const mine = ++generation;
    const current = () => mine === generation && !signal.aborted;
    fill(holder);
    fill(status, h('p', { class: 'muted', 'aria-busy': 'true' }, 'Loading accounts…'));
    try {
      const rows = await fetchAccounts(verdict, current, (loaded, total) =>
        fill(
          status,
          h(
            'label',
            { for: 'accounts-progress' },
            `Loaded ${count(loaded)} of ${count(total)} accounts`,
          ),
          h('progress', { id: 'accounts-progress', max: Math.max(total, 1), value: loaded }),
        ),
      );
      if (!rows) return;
      fill(status);
      fill(
        holder,
        rows.length === 0
          ? noAccounts(verdict)
          : virtualTable({
              label: 'Flagged accounts',
              columns: listColumns,
              rows,
              height: 18,
              filterLabel: 'Filter the accounts by any column',
              initialSort: { column: 2, descending: true },
            }),
      );
    } catch (error) {
      if (current()) fill(status, failureBox(error));
    }
  };

  fill(
    main,
    h('h1', {}, 'Flagged accounts'),
    h(
      'p',
      { class: 'muted' },
      'Accounts the latest analysis gave a verdict, riskiest first. Open one to see its reasons and its traffic.',
    ),
    section(
      'Accounts',
      verdictFilter((verdict) => void show(verdict)),
      status,
      holder,
    ),
  );
  await show('');
};
