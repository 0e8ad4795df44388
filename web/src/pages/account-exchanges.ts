// An account's exchanges, newest first, a page at a time ("Load older"). Roles that may read raw
// traffic open one with Show: the prompt and the answer as text, the whole record folded below.
// Other roles get when, which model and how much, and never a word of the content.
import { api } from '../api.js';
import { count, fill, h, section, when } from '../dom.js';
import { exchangeText } from './exchange-text.js';
import { failureBox, type PlainColumn } from './parts.js';

interface ExchangeRow {
  id: string;
  ts_ms: number;
  api: string;
  model: string;
  client_ip: string | null;
  status: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  latency_ms: number | null;
}

interface ExchangePage {
  exchanges: ExchangeRow[];
  next_before: string | null;
}

const perPage = 50;

const columns: PlainColumn[] = [
  { title: 'Time' },
  { title: 'Model' },
  { title: 'API' },
  { title: 'Client address' },
  { title: 'Status', numeric: true },
  { title: 'Tokens in', numeric: true },
  { title: 'Tokens out', numeric: true },
  { title: 'Latency (ms)', numeric: true },
];

const optional = (value: number | null) => (value === null ? '—' : count(value));

/** The raw record of one exchange, readable, with the whole JSON folded below. */
async function rawExchange(id: string): Promise<HTMLElement> {
  try {
    const answer = await api<{ id: string; record: unknown }>(
      `/exchanges/${encodeURIComponent(id)}`,
    );
    return h(
      'div',
      {},
      h(
        'pre',
        { class: 'exchange', tabindex: 0, 'aria-label': `Exchange ${id}` },
        exchangeText(answer.record),
      ),
      h(
        'details',
        {},
        h('summary', {}, 'The whole record (JSON)'),
        h('pre', { class: 'exchange' }, JSON.stringify(answer.record, null, 2)),
      ),
    );
  } catch (error) {
    return failureBox(error);
  }
}

/** A Show/Hide button that fetches the exchange into `detail` the first time it opens. */
function showButton(id: string, detail: HTMLTableRowElement, cell: HTMLElement): HTMLElement {
  const button = h(
    'button',
    { type: 'button', class: 'secondary', 'aria-expanded': 'false', 'aria-controls': detail.id },
    'Show',
  );
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    button.textContent = open ? 'Hide' : 'Show';
    detail.hidden = !open;
    if (open && !cell.hasChildNodes()) {
      fill(cell, h('p', { class: 'muted', 'aria-busy': 'true' }, 'Loading the exchange…'));
      fill(cell, await rawExchange(id));
    }
  });
  return button;
}

/** The table rows of one exchange: its figures, and with raw reading a hidden row for the record. */
function exchangeRows(row: ExchangeRow, mayReadRaw: boolean): HTMLTableRowElement[] {
  const cells = [
    when(row.ts_ms),
    row.model,
    row.api,
    row.client_ip ?? '—',
    row.status ?? '—',
    optional(row.input_tokens),
    optional(row.output_tokens),
    optional(row.latency_ms),
  ].map((cell, index) => h('td', { class: columns[index].numeric ? 'num' : null }, cell));
  if (!mayReadRaw) return [h('tr', {}, cells)];
  const cell = h('td', { colspan: columns.length + 1 });
  const detail = h('tr', { id: `exchange-${row.id.replace(/[^\w-]/g, '_')}`, hidden: true }, cell);
  return [h('tr', {}, cells, h('td', {}, showButton(row.id, detail, cell))), detail];
}

function exchangesTable(mayReadRaw: boolean, body: HTMLElement): HTMLTableElement {
  const headers = [...columns, ...(mayReadRaw ? [{ title: 'Raw exchange' }] : [])];
  return h(
    'table',
    { class: 'plain', 'aria-label': 'Exchanges, newest first', hidden: true },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((column) =>
          h('th', { scope: 'col', class: column.numeric ? 'num' : null }, column.title),
        ),
      ),
    ),
    body,
  );
}

/** The Exchanges panel of an account; it loads its first page itself. */
export function exchangesPanel(accountId: string, mayReadRaw: boolean): HTMLElement {
  const body = h('tbody');
  const table = exchangesTable(mayReadRaw, body);
  const status = h('div', { 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load older');
  let before: string | null = null;
  let shown = 0;

  const load = async () => {
    more.disabled = true;
    const query = new URLSearchParams({ limit: String(perPage) });
    if (before) query.set('before', before);
    try {
      const page = await api<ExchangePage>(
        `/accounts/${encodeURIComponent(accountId)}/exchanges?${query.toString()}`,
      );
      for (const row of page.exchanges) body.append(...exchangeRows(row, mayReadRaw));
      shown += page.exchanges.length;
      before = page.next_before;
      more.hidden = before === null;
      table.hidden = shown === 0;
      const summary =
        shown === 0
          ? 'No exchanges of this account are stored.'
          : `${count(shown)} exchanges shown${before === null ? ': all there are' : ', newest first'}.`;
      fill(status, h('p', { class: 'muted' }, summary));
    } catch (error) {
      fill(status, failureBox(error));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => void load());
  void load();
  return section(
    'Exchanges',
    mayReadRaw
      ? h('p', { class: 'muted' }, 'Show opens the prompt and the answer as they were exchanged.')
      : h(
          'p',
          { class: 'notice' },
          'Raw exchanges are shown to analysts, reviewers and admins; your role sees when, which model and how much.',
        ),
    table,
    status,
    more,
  );
}
