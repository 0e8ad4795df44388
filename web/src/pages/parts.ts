// Pieces the pages share: a labelled form field, a plain table with its empty state, a key-value
// list, the server's refusal as an alert, and a wait that ends when the page is left.
import { ApiFailure, session, type Me } from '../api.js';
import { errorBox, h, link, type Child } from '../dom.js';

/** The user as /me gives it; `actions` is what the role may do (absent from older servers). */
export type Acting = Me & { actions?: string[] };

/**
 * Whether the user's role may take an action ('open-case', 'approve', 'audit', ...), as the server
 * said in /me. When the server does not say, the control stays enabled and the server decides.
 */
export function mayDo(me: Me, action: string): boolean {
  const actions = (me as Acting).actions;
  return actions === undefined || actions.includes(action);
}

/** The message of a failed call, as the server worded it. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiFailure) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** A refusal or failure as an alert a screen reader announces. */
export const failureBox = (error: unknown): HTMLElement => errorBox(messageOf(error));

/** A control with its visible label (and an optional hint read with it). */
export function field(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id = id;
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { id: `${id}-hint`, class: 'muted hint' }, hint) : null,
  );
}

export interface PlainColumn {
  title: string;
  numeric?: boolean;
  /** Kept on one line (ids, p-values, times). */
  nowrap?: boolean;
}

/** A small table (a few hundred rows at most); `empty` says what would fill it when it has none. */
const classOf = (column: PlainColumn | undefined): string | null =>
  [column?.numeric ? 'num' : '', column?.nowrap ? 'nowrap' : ''].join(' ').trim() || null;

export function plainTable(
  label: string,
  columns: PlainColumn[],
  rows: Child[][],
  empty: Child,
): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted empty' }, empty);
  return h(
    'table',
    { class: 'plain', 'aria-label': label },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((column) => h('th', { scope: 'col', class: classOf(column) }, column.title)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((cell, index) => h('td', { class: classOf(columns[index]) }, cell)),
        ),
      ),
    ),
  );
}

/** A <dl class="kv">; pairs whose value is null or undefined are left out. */
export function keyValues(pairs: [string, Child][]): HTMLElement {
  return h(
    'dl',
    { class: 'kv' },
    pairs
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([key, value]) => [h('dt', {}, key), h('dd', {}, value)]),
  );
}

/** Waits `ms`; resolves false at once when the page is left. */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve(true);
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', stop, { once: true });
  });
}

/** A signal name as words: 'harvest_templates' -> 'harvest templates'. */
export const words = (name: string): string => name.replace(/[_-]+/g, ' ');

/** A risk score of 0..1 with two decimals. */
export const riskText = (risk: number | null | undefined): string =>
  risk === null || risk === undefined ? '—' : risk.toFixed(2);

/** A command or name set in code type. */
export const code = (text: string): HTMLElement => h('code', {}, text);

export const accountHref = (id: string): string => `#/accounts/${encodeURIComponent(id)}`;
export const campaignHref = (id: string): string => `#/campaigns/${encodeURIComponent(id)}`;
export const caseHref = (id: string): string => `#/cases/${encodeURIComponent(id)}`;

/** "Cases: case-1 (evidence), case-2 (shared)", each a link. */
export const caseLinks = (cases: { case_id: string; state: string }[]): HTMLElement =>
  h(
    'p',
    {},
    'Cases: ',
    cases.map((item, index) => [
      index > 0 ? ', ' : '',
      link(caseHref(item.case_id), `${item.case_id} (${item.state})`),
    ]),
  );

/**
 * A text answer of the admin API (the log's checkpoint is text/plain, which `api` would parse as
 * JSON); failures as `api` reports them.
 */
export async function apiText(path: string): Promise<string> {
  const response = await fetch(`/admin/v1${path}`, {
    headers: { authorization: `Bearer ${session.token() ?? ''}`, accept: 'text/plain' },
    credentials: 'omit',
  });
  const text = await response.text();
  if (response.ok) return text;
  let error: { message?: string; code?: string } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  throw new ApiFailure(
    response.status,
    error?.code ?? String(response.status),
    error?.message ?? `${response.status} ${response.statusText}`,
  );
}
