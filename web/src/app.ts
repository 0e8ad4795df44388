// The dashboard's shell: the login, the navigation and a hash router (#/campaigns/ID). Each page
// renders into <main> and returns what to stop when it is left (live updates, charts).
import { api, ApiFailure, session, whenUnauthorized, type Me } from './api.js';
import { disposeCharts } from './charts.js';
import { errorBox, fill, h, link } from './dom.js';
import { accountPage, accountsPage } from './pages/accounts.js';
import { auditsPage } from './pages/audits.js';
import { campaignPage } from './pages/campaign.js';
import { casePage, casesPage } from './pages/cases.js';
import { intelPage } from './pages/intel.js';
import { overviewPage } from './pages/overview.js';

export interface PageContext {
  me: Me;
  /** Aborted when the page is left. */
  signal: AbortSignal;
}

export type Page = (main: HTMLElement, params: string[], context: PageContext) => Promise<void>;

const routes: { pattern: RegExp; page: Page; nav: string }[] = [
  { pattern: /^\/?$/, page: overviewPage, nav: 'overview' },
  { pattern: /^\/campaigns\/([^/]+)$/, page: campaignPage, nav: 'overview' },
  { pattern: /^\/accounts$/, page: accountsPage, nav: 'accounts' },
  { pattern: /^\/accounts\/([^/]+)$/, page: accountPage, nav: 'accounts' },
  { pattern: /^\/audits$/, page: auditsPage, nav: 'audits' },
  { pattern: /^\/cases$/, page: casesPage, nav: 'cases' },
  { pattern: /^\/cases\/([^/]+)$/, page: casePage, nav: 'cases' },
  { pattern: /^\/intel$/, page: intelPage, nav: 'intel' },
];

const navItems: [string, string][] = [
  ['overview', 'Overview'],
  ['accounts', 'Accounts'],
  ['audits', 'Audits'],
  ['cases', 'Cases'],
  ['intel', 'Partners & intelligence'],
];

const main = document.getElementById('main') as HTMLElement;
const top = document.getElementById('top') as HTMLElement;
let me: Me | null = null;
let leave: AbortController | null = null;

function header(current: string): void {
  fill(
    top,
    h(
      'nav',
      { 'aria-label': 'Main' },
      h('a', { class: 'brand', href: '#/' }, 'DistillGuard'),
      h(
        'ul',
        {},
        navItems.map(([id, title]) =>
          h(
            'li',
            {},
            link(
              `#/${id === 'overview' ? '' : id}`,
              title,
              id === current ? { 'aria-current': 'page' } : {},
            ),
          ),
        ),
      ),
      me
        ? h(
            'div',
            { class: 'who' },
            h('span', { 'data-testid': 'whoami' }, `${me.name} (${me.role})`),
            h('button', { type: 'button', onclick: logout }, 'Log out'),
          )
        : null,
    ),
  );
}

function logout(): void {
  session.clear();
  me = null;
  void route();
}

function loginPage(message?: string): void {
  header('');
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'token-help',
  });
  const status = h('div', { 'aria-live': 'assertive' }, message ? errorBox(message) : null);
  const form = h(
    'form',
    { class: 'login panel', 'aria-label': 'Log in' },
    h('h1', {}, 'Log in'),
    h('label', { for: 'token' }, 'User token'),
    input,
    h(
      'p',
      { id: 'token-help', class: 'muted' },
      'The token `distillguard users add` printed for you (the demo writes them to distillguard-demo/tokens/).',
    ),
    h('button', { type: 'submit' }, 'Log in'),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    session.save(input.value.trim());
    void route();
  });
  fill(main, form);
  input.focus();
}

async function route(): Promise<void> {
  const startedAt = performance.now();
  leave?.abort();
  leave = new AbortController();
  disposeCharts();
  if (!session.token()) return loginPage();
  if (!me) {
    try {
      me = await api<Me>('/me');
    } catch (error) {
      session.clear();
      return loginPage(error instanceof ApiFailure ? error.message : String(error));
    }
  }
  const path = decodeURI(location.hash.replace(/^#/, '')) || '/';
  const match = routes
    .map((item) => ({ item, found: item.pattern.exec(path) }))
    .find((entry) => entry.found);
  header(match?.item.nav ?? '');
  if (!match || !match.found) {
    fill(
      main,
      h('h1', {}, 'No such page'),
      errorBox(`No page ${path}.`),
      link('#/', 'Back to the overview'),
    );
    return;
  }
  fill(main, h('p', { class: 'muted', 'aria-busy': 'true' }, 'Loading…'));
  main.removeAttribute('data-ready');
  try {
    await match.item.page(main, match.found.slice(1).map(decodeURIComponent), {
      me,
      signal: leave.signal,
    });
  } catch (error) {
    if (leave.signal.aborted) return;
    fill(
      main,
      h('h1', {}, 'Could not show this page'),
      errorBox(error instanceof Error ? error.message : String(error)),
      link('#/', 'Back to the overview'),
    );
  }
  // after the first frame with the page drawn: what tests and the page-time benchmark wait for
  requestAnimationFrame(() => {
    main.setAttribute('data-ready-ms', String(Math.round(performance.now() - startedAt)));
    main.setAttribute('data-ready', path);
  });
  main.focus({ preventScroll: true });
}

whenUnauthorized(() => {
  session.clear();
  me = null;
  loginPage('Your session ended: log in again.');
});
window.addEventListener('hashchange', () => void route());
void route();
