// The analyst dashboard in Chromium, as its users work with it, on a simulated week analysed into
// the gateway's store: logging in (and a wrong token refused), the overview's campaigns
// riskiest first and its figures moving live as a slice of the week is replayed through the gateway, a campaign's accounts,
// graph, timeline and reasons, an account's reasons and raw exchanges (and none of them for a
// viewer), a case opened and moved on by clicks, a watermark audit started from the page that finds
// the campaign's mark; and on every page visited, no console error and no CSP violation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AnalysisReport, ReportedCampaign } from '../core/index.js';
import { chromiumPath, pdfUnavailable, quietChromiumFlags } from '../designate/index.js';
import { parseGatewayConfig, startGateway, type RunningGateway } from '../gateway/index.js';
import { startReferenceModelServer, type ReferenceServer } from '../refmodel/index.js';
import { replay } from '../replay/index.js';
import { cohortOf } from '../respond/index.js';
import { analysedWeek } from '../test-support/analysed-week.js';
import { startFakeUpstream, type FakeUpstream } from '../test-support/fake-openai-upstream.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { fixedWatermarkKey } from '../test-support/watermark-keys.js';
import { deriveCohortKey, watermarkProcessor } from '../watermark/index.js';

// the pages' globals, for the functions that run inside Chromium (this program has no DOM types)
declare const document: any;
declare const echarts: any;
declare const window: any;

const missingChromium = pdfUnavailable();
let folder = '';
let traffic = '';
let databasePath = '';
const master = fixedWatermarkKey('kgw', 'dashboard-ui-master');
/** The gateway's tracer cohorts (the default of `watermark`). */
const cohorts = 16;
const adminToken = 'dashboard-test-admin-token';
const tokens = new Map<string, string>();
/** Console errors, uncaught exceptions and CSP violations, with the user and page they came from. */
const problems: string[] = [];
/** The routes whose page finished drawing, per user. */
const visited = new Set<string>();
let report: AnalysisReport;
let top: ReportedCampaign;
let upstream: FakeUpstream;
let gateway: RunningGateway;
let suspect: ReferenceServer;
let browser: Browser;
/** The case the analyst opened in the browser. */
let openedCase = '';
/** One tab per user, logged in once, as people keep the dashboard open. */
const tabs = new Map<string, Page>();

/** Reports each CSP violation as a console error, whatever the page does with it. */
const reportViolations = `document.addEventListener('securitypolicyviolation', (event) =>
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + event.blockedURI));`;

/** A fresh tab (its own sessionStorage) whose errors are collected; `expected` errors are not. */
async function newTab(user: string, expected?: RegExp): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript({ content: reportViolations });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && !expected?.test(message.text()))
      problems.push(`${user} at ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${user} at ${page.url()}: ${error.message}`));
  return page;
}

/** Waits until the route `path` has drawn (the shell marks <main> after its first frame). */
async function ready(page: Page, path: string, user: string): Promise<void> {
  await page.locator(`main[data-ready="${path}"]`).waitFor();
  const failed = page.getByRole('heading', { name: 'Could not show this page' });
  assert.equal(await failed.count(), 0, `${path}: ${await page.locator('main').innerText()}`);
  visited.add(`${user} ${path.replace(/^(\/[^/]+)\/.+$/, '$1/ID')}`);
}

async function logIn(page: Page, user: string, token: string): Promise<void> {
  const loaded = await page.goto(`${gateway.url}/`);
  // the policy the "no violation" check below holds the pages to
  assert.match(loaded?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
  await page.getByLabel('User token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** The logged-in tab of a user, moved to `hash` (a route such as '#/audits') once drawn there. */
async function tabOf(user: string, hash?: string): Promise<Page> {
  let page = tabs.get(user);
  if (!page) {
    page = await newTab(user);
    await logIn(page, user, tokens.get(user) as string);
    await ready(page, '/', user);
    tabs.set(user, page);
  }
  const shown = await page.evaluate(() => window.location.hash || '#/');
  if (hash !== undefined && hash !== shown) {
    await page.evaluate((target: string) => (window.location.hash = target), hash);
    await ready(page, hash.slice(1), user);
  }
  return page;
}

async function adminApi(path: string, user: string | null, body?: object) {
  const response = await fetch(`${gateway.url}/admin/v1${path}`, {
    method: body ? 'POST' : 'GET',
    headers: {
      ...(user ? { authorization: `Bearer ${tokens.get(user)}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, json: (await response.json()) as any };
}

/** A figure as the pages write it (en-US thousands). */
const figure = (value: number) => value.toLocaleString('en-US');

/** How many pixels of the chart in `selector` are drawn, once any are. */
async function inkOf(page: Page, selector: string): Promise<number> {
  const ink = () =>
    page.evaluate((within: string) => {
      const canvas = document.querySelector(`${within} canvas`);
      if (!canvas || canvas.width === 0) return 0;
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let drawn = 0;
      for (let alpha = 3; alpha < data.length; alpha += 4) if (data[alpha] > 0) drawn += 1;
      return drawn;
    }, selector);
  for (let tries = 0; tries < 50; tries += 1) {
    const drawn = await ink();
    if (drawn > 0) return drawn;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return 0;
}

/** The data of the chart in `selector`, as the chart holds it (series by series). */
function chartData(page: Page, selector: string): Promise<unknown[][]> {
  return page.evaluate(
    (within: string) =>
      echarts
        .getInstanceByDom(document.querySelector(within))
        .getOption()
        .series.map((series: { data: unknown[] }) => series.data),
    selector,
  );
}

/** Requests in a time series chart's data ([time, requests] points). */
const requestsIn = (points: unknown[]) =>
  (points as [number, number][]).reduce((sum, point) => sum + point[1], 0);

/** The pairs of the first definition list in `selector`, as shown. */
function pairsOf(page: Page, selector: string): Promise<Record<string, string>> {
  return page
    .locator(selector)
    .first()
    .evaluate((list: any) => {
      const pairs: Record<string, string> = {};
      for (const term of list.querySelectorAll('dt'))
        pairs[term.textContent] = term.nextElementSibling?.textContent ?? '';
      return pairs;
    });
}

/** Every string of a request body at least 24 characters long: its prompt text and system prompt. */
function promptTexts(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.length >= 24) into.push(value);
  } else if (Array.isArray(value)) for (const item of value) promptTexts(item, into);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) promptTexts(item, into);
  return into;
}

interface SimulatedExchange {
  id: string;
  account_id: string;
  request: unknown;
  client?: { ip?: string };
}

/** The simulated exchanges of one account, from the file the simulator wrote. */
async function simulatedExchanges(accountId: string): Promise<SimulatedExchange[]> {
  const found = [];
  const lines = createInterface({ input: createReadStream(join(traffic, 'interactions.jsonl')) });
  for await (const line of lines)
    if (line.includes(`"account_id":"${accountId}"`)) {
      const record = JSON.parse(line) as SimulatedExchange;
      if (record.account_id === accountId) found.push(record);
    }
  return found;
}

/** The simulated account record: its card, e-mail domain and sign-up address. */
function simulatedAccount(accountId: string): Record<string, string> {
  const line = readFileSync(join(traffic, 'accounts.jsonl'), 'utf8')
    .split('\n')
    .find((candidate) => candidate.includes(`"account_id":"${accountId}"`));
  assert.ok(line, `${accountId} is in accounts.jsonl`);
  return JSON.parse(line) as Record<string, string>;
}

describe('the dashboard in Chromium', { skip: missingChromium ?? false }, () => {
  before(async () => {
    folder = temporaryDirectory('dg-dashboard-ui-');
    databasePath = join(folder, 'provider.db');
    const week = await analysedWeek(folder, databasePath, {
      scale: '0.01',
      seed: '21',
      people: [
        ['dana', 'admin'],
        ['ana', 'analyst'],
        ['vic', 'viewer'],
      ],
      master,
    });
    report = week.report;
    traffic = week.traffic;
    top = [...report.campaigns].sort((a, b) => b.risk - a.risk)[0];
    for (const [name, token] of week.tokens) tokens.set(name, token);
    upstream = await startFakeUpstream();
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      databasePath,
      upstream: upstream.url,
      logLevel: 'silent',
      adminToken,
      config: parseGatewayConfig({
        watermark: {
          master_key_file: week.masterKeyFile,
          default_scheme: 'kgw',
          audit_prompts_file: week.auditPromptsFile,
        },
      }),
    });
    // a suspect whose answers carry the top campaign's cohort mark, as a model distilled from them would
    const cohort = cohortOf({ campaignId: top.campaign_id, accountId: '' }, cohorts);
    suspect = await startReferenceModelServer({
      port: 0,
      logitsProcessor: watermarkProcessor(deriveCohortKey(master, String(cohort))),
    });
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: quietChromiumFlags,
      // Chromium refuses its sandbox to root; elsewhere it keeps it
      chromiumSandbox: process.getuid?.() !== 0,
    });
  });

  after(async () => {
    await browser?.close();
    await suspect?.close();
    await gateway?.close();
    await upstream?.close();
    // the simulated week is about 110 MB
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test('login: a wrong token is refused with the reason and shows nothing; an analyst gets in', async () => {
    const stranger = await newTab('stranger', /status of 401/);
    const asked: string[] = [];
    stranger.on('request', (request) => {
      if (request.url().includes('/admin/v1/')) asked.push(new URL(request.url()).pathname);
    });
    await logIn(stranger, 'stranger', 'dgu-not-a-token');
    await assert.doesNotReject(
      stranger.getByRole('alert').filter({ hasText: "The token is no live user's" }).waitFor(),
    );
    assert.ok(await stranger.getByLabel('User token').isVisible(), 'still at the login');
    const shown = await stranger.locator('body').innerText();
    for (const campaign of report.campaigns)
      assert.ok(!shown.includes(campaign.campaign_id), `a stranger sees ${campaign.campaign_id}`);
    assert.deepEqual(asked, ['/admin/v1/me'], 'nothing but who the token is was asked');
    await stranger.context().close();

    const page = await tabOf('ana', '#/');
    assert.equal(await page.getByTestId('whoami').innerText(), 'ana (analyst)');
  });

  test('overview: campaigns riskiest first as analysed; the figures move live as requests pass the gateway', async () => {
    const page = await tabOf('ana', '#/');
    const rows = page.getByTestId('campaigns').locator('tbody tr');
    const shown = await rows.evaluateAll((cells: any[]) =>
      cells.map((row) => [...row.cells].slice(0, 3).map((cell: any) => cell.textContent)),
    );
    const byRisk = [...report.campaigns].sort((a, b) => b.risk - a.risk);
    assert.deepEqual(
      shown,
      byRisk.map((campaign) => [
        campaign.campaign_id,
        campaign.risk.toFixed(3),
        figure(campaign.accounts.length),
      ]),
    );
    const stored = report.input.interactions;
    assert.equal(await page.getByTestId('interactions').innerText(), figure(stored));
    const [drawn] = await chartData(page, '[data-testid="traffic-chart"]');
    assert.equal(requestsIn(drawn), stored, 'the traffic chart holds every stored request');

    // a slice of the simulated week replayed through the gateway's public port (`distillguard
    // replay`, as the demo replays its week) while the page stays open (no reload)
    await page.evaluate(() => (window.keptSinceLoad = true));
    const live = join(folder, 'live');
    mkdirSync(live);
    const slice: string[] = [];
    for await (const line of createInterface({
      input: createReadStream(join(traffic, 'interactions.jsonl')),
    })) {
      // under accounts of their own, so that the analysed campaigns stay as the report has them
      const record = JSON.parse(line) as { account_id: string };
      slice.push(JSON.stringify({ ...record, account_id: `acct_live_${slice.length % 3}` }));
      if (slice.length === 20) break;
    }
    writeFileSync(join(live, 'interactions.jsonl'), `${slice.join('\n')}\n`);
    const replayed = await replay({
      traffic: live,
      gateway: gateway.url,
      adminToken,
      speed: 1e9,
      concurrency: 4,
      maxTokens: 16,
    });
    const sent = replayed.sent;
    assert.equal(sent, slice.length, JSON.stringify(replayed.skipped));
    assert.equal(replayed.network_errors.total, 0);
    await page
      .getByTestId('interactions')
      .filter({ hasText: new RegExp(`^${figure(stored + sent)}$`) })
      .waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId('live').innerText(), /^live: updated /);
    // the chart is the week before the newest request: the simulated week lies months before
    // today, so it now holds just the requests sent now, and the newest request is today's
    const [redrawn] = await chartData(page, '[data-testid="traffic-chart"]');
    assert.equal(
      requestsIn(redrawn),
      sent,
      'the chart drew the new requests, and only the last week',
    );
    assert.match(
      await page.getByText(/^Newest request: /).innerText(),
      new RegExp(`^Newest request: ${new Date().toISOString().slice(0, 10)} `),
    );
    assert.equal(
      await page.evaluate(() => window.keptSinceLoad),
      true,
      'the page was not reloaded',
    );
  });

  test("the top campaign's page: its accounts, the graph detection found it in, its timeline, its reasons in words", async () => {
    const page = await tabOf('ana', '#/');
    await page.getByRole('link', { name: top.campaign_id, exact: true }).click();
    await ready(page, `/campaigns/${top.campaign_id}`, 'ana');

    const table = page.getByRole('table', { name: 'Accounts of the campaign' });
    assert.equal(await table.getAttribute('aria-rowcount'), String(top.accounts.length + 1));
    const listed = await table
      .locator('.vt-body [role="row"]')
      .evaluateAll((rows: any[]) => rows.map((row) => row.querySelector('a').textContent));
    assert.deepEqual([...listed].sort(), [...top.accounts].sort());

    const graph = await adminApi(`/campaigns/${top.campaign_id}/graph`, 'ana');
    assert.equal(graph.status, 200);
    assert.equal(graph.json.source, 'detector');
    const graphChart = page.getByTestId('campaign-graph');
    assert.equal(
      await graphChart.getAttribute('aria-label'),
      `Graph of ${top.accounts.length} accounts and ${graph.json.edges.length} of the links between them`,
    );
    const [nodes] = await chartData(page, '[data-testid="campaign-graph"]');
    assert.deepEqual(
      (nodes as { name: string }[]).map((node) => node.name).sort(),
      [...top.accounts].sort(),
    );
    assert.ok((await inkOf(page, '[data-testid="campaign-graph"]')) > 500, 'the graph is drawn');

    const [timeline] = await chartData(page, '[data-testid="campaign-timeline"]');
    assert.equal(requestsIn(timeline), top.interactions);
    assert.ok(
      (await inkOf(page, '[data-testid="campaign-timeline"]')) > 500,
      'the timeline is drawn',
    );

    const reasons = await page.getByTestId('campaign-reasons').locator('li').allInnerTexts();
    assert.deepEqual(
      reasons,
      top.reasons.map((reason) => `${reason.signal.replace(/_/g, ' ')}: ${reason.detail}`),
    );

    // a viewer reads the same page but may not open a case
    const viewer = await tabOf('vic', `#/campaigns/${top.campaign_id}`);
    assert.ok(await viewer.getByRole('button', { name: 'Open a case' }).isDisabled());
  });

  test('an account: its verdict and reasons; an analyst opens a raw exchange, a viewer sees no prompt text', async () => {
    const page = await tabOf('ana', `#/campaigns/${top.campaign_id}`);
    // the busiest account, first as the table sorts by requests
    const first = page
      .getByRole('table', { name: 'Accounts of the campaign' })
      .locator('.vt-body a')
      .first();
    const accountId = await first.innerText();
    await first.click();
    await ready(page, `/accounts/${accountId}`, 'ana');
    const finding = report.accounts.find((account) => account.account_id === accountId);
    assert.ok(finding, `${accountId} is in the report`);

    const verdict = await pairsOf(page, 'section[aria-label="Verdict"] dl');
    assert.equal(verdict.Verdict, finding.verdict);
    assert.equal(verdict.Risk, finding.risk.toFixed(2));
    assert.equal(verdict.Campaign, top.campaign_id);
    const reasons = await page
      .locator('section[aria-label="Verdict"] ul.reasons li')
      .allInnerTexts();
    assert.equal(reasons.length, finding.reasons.length);
    finding.reasons.forEach((reason, index) =>
      assert.ok(
        reasons[index].startsWith(`${reason.signal.replace(/[_-]+/g, ' ')}: ${reason.detail}`),
        reasons[index],
      ),
    );

    const simulated = await simulatedExchanges(accountId);
    await page
      .locator('section[aria-label="Exchanges"]')
      .getByText(/exchanges shown/)
      .waitFor();
    await page.getByRole('button', { name: 'Show', exact: true }).first().click();
    const opened = page.locator('pre.exchange[aria-label^="Exchange "]');
    await opened.waitFor();
    const exchangeId = ((await opened.getAttribute('aria-label')) ?? '').slice('Exchange '.length);
    const record = simulated.find((item) => item.id === exchangeId);
    assert.ok(record, `${exchangeId} is one of the account's simulated exchanges`);
    const text = await opened.innerText();
    assert.ok(
      promptTexts(record.request).some((prompt) => text.includes(prompt)),
      'the analyst reads the prompt',
    );

    const viewer = await tabOf('vic', `#/accounts/${accountId}`);
    assert.deepEqual(await pairsOf(viewer, 'section[aria-label="Verdict"] dl'), verdict);
    await viewer
      .locator('section[aria-label="Exchanges"]')
      .getByText(/exchanges shown/)
      .waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'Show' }).count(), 0);
    assert.equal(await viewer.getByRole('columnheader', { name: 'Raw exchange' }).count(), 0);
    assert.ok(await viewer.getByText('Raw exchanges are shown to analysts').isVisible());
    const viewerSees = await viewer.locator('body').innerText();
    const prompts = [...new Set(simulated.flatMap((item) => promptTexts(item.request)))];
    assert.ok(prompts.length > 0);
    for (const prompt of prompts)
      assert.ok(
        !viewerSees.includes(prompt.slice(0, 24)),
        `a viewer sees "${prompt.slice(0, 24)}"`,
      );
    // nor the account's personal data, which the analyst's page shows
    const facts = simulatedAccount(accountId);
    const personal = [facts.payment_fingerprint, facts.email_domain, facts.signup_ip];
    const analystSees = await page.locator('body').innerText();
    for (const value of personal.filter(Boolean))
      assert.ok(analystSees.includes(value), `the analyst sees ${value}`);
    const addresses = simulated.map((item) => item.client?.ip).filter((ip) => ip !== undefined);
    for (const value of [...personal, ...addresses].filter(Boolean))
      assert.ok(!viewerSees.includes(value as string), `a viewer sees ${value}`);
  });

  test('a case: an analyst opens it and moves it one step by clicking; a viewer gets no controls', async () => {
    const page = await tabOf('ana', `#/campaigns/${top.campaign_id}`);
    await page
      .getByLabel('Reason', { exact: true })
      .fill('top campaign of the week, from the dashboard');
    await page.getByRole('button', { name: 'Open a case' }).click();
    await page.waitForURL(/#\/cases\/case-\d+$/);
    const caseId = decodeURIComponent(new URL(page.url()).hash.slice('#/cases/'.length));
    await ready(page, `/cases/${caseId}`, 'ana');
    openedCase = caseId;
    const summary = () => pairsOf(page, 'section[aria-label="Summary"] dl');
    assert.equal((await summary()).State, 'opened');

    await page.getByRole('button', { name: 'Move to evidence', exact: true }).click();
    const form = page.getByRole('form', { name: 'Move the case to evidence' });
    await form.getByLabel('Reason').fill('gathering the evidence');
    await form.getByRole('button', { name: 'Move to evidence' }).click();
    await page.getByRole('status').filter({ hasText: 'The case is now evidence.' }).waitFor();
    assert.equal((await summary()).State, 'evidence');

    const stored = gateway.store.designation;
    assert.equal((await stored.findCase(caseId))?.state, 'evidence');
    const events = await stored.readCaseEvents(caseId);
    const history = await page
      .getByRole('table', { name: 'Case history, oldest first' })
      .locator('tbody tr')
      .evaluateAll((rows: any[]) =>
        rows.map((row) => [...row.cells].slice(1).map((cell: any) => cell.textContent)),
      );
    assert.deepEqual(
      history,
      events.map((event) => [
        `${event.actor} (${event.role})`,
        event.kind === 'opened'
          ? 'opened the case'
          : `moved it ${event.fromState} → ${event.toState}`,
        event.reason ?? '—',
        `Entry ${event.logIndex}`,
      ]),
    );
    assert.deepEqual(
      events.map((event) => [event.actor, event.kind, event.toState]),
      [
        ['ana', 'opened', 'opened'],
        ['ana', 'transition', 'evidence'],
      ],
    );

    const viewer = await tabOf('vic', `#/cases/${caseId}`);
    assert.equal((await pairsOf(viewer, 'section[aria-label="Summary"] dl')).State, 'evidence');
    assert.equal(await viewer.locator('section[aria-label="Next steps"] button').count(), 0);
    assert.ok(
      await viewer.getByText(/^Move to internal-review — the .+ takes this step\.$/).isVisible(),
    );
  });

  test("an audit started from the Audits page finds the campaign's mark in the suspect and shows its p-value", async () => {
    const page = await tabOf('ana');
    await page.getByRole('link', { name: 'Audits' }).click();
    await ready(page, '/audits', 'ana');
    await page.getByLabel('Suspect API (base URL)').fill(`${suspect.url}/v1`);
    await page.getByLabel('Model', { exact: true }).fill('suspect-1');
    await page.getByLabel('Whose answers to trace').selectOption(`campaign:${top.campaign_id}`);
    await page.getByLabel('Number of prompts').fill('40');
    await page.getByRole('button', { name: 'Start the audit' }).click();

    const result = page.getByTestId('audit-result');
    await result
      .locator('.badge')
      .filter({ hasText: /^(radioactive|not_detected|too_few_tuples)$/ })
      .waitFor({ timeout: 60_000 });
    const audits = await adminApi('/audits', 'vic');
    assert.equal(audits.json.audits.length, 1);
    const audit = audits.json.audits[0];
    assert.equal(audit.verdict, 'radioactive', JSON.stringify(audit));
    assert.equal(audit.started_by, 'ana');
    const shown = await pairsOf(page, '[data-testid="audit-result"] dl');
    assert.equal(
      shown['p-value'],
      `p ≈ 1e${Math.round(audit.log10_p_value)}: the chance that an unmarked model's answers score this high`,
    );
    assert.ok(audit.log10_p_value < -10, `p = 10^${audit.log10_p_value}`);
    assert.equal(
      shown['Named cohort'],
      String(cohortOf({ campaignId: top.campaign_id, accountId: '' }, cohorts)),
    );
    assert.equal(await result.locator('.badge').first().innerText(), 'radioactive');
    assert.ok((await inkOf(page, '[data-testid="audit-result"]')) > 500, 'the null chart is drawn');

    // a viewer reads the audit but may not start one
    const viewer = await tabOf('vic', '#/audits');
    assert.equal(await viewer.getByRole('button', { name: 'Start the audit' }).count(), 0);
    assert.ok(await viewer.getByText('Starting an audit needs the analyst role').isVisible());
    assert.equal(
      await viewer
        .getByRole('table', { name: 'Audits, newest first' })
        .locator('.badge')
        .last()
        .innerText(),
      'radioactive',
    );
  });

  test('the API: 401 without a token, 403 for what a viewer may not do', async () => {
    for (const path of ['/overview', `/campaigns/${top.campaign_id}`, '/events'])
      assert.equal((await adminApi(path, null)).status, 401, path);
    const refusals: [string, object][] = [
      ['/cases', { campaign_id: top.campaign_id, reason: 'a viewer tries' }],
      [`/cases/${openedCase}/transitions`, { to: 'internal-review', reason: 'a viewer tries' }],
      ['/audits', { suspect_url: `${suspect.url}/v1`, model: 'm', campaign_id: top.campaign_id }],
    ];
    for (const [path, body] of refusals) {
      const refused = await adminApi(path, 'vic', body);
      assert.equal(refused.status, 403, path);
      assert.equal(refused.json.error.code, 'role_required');
      assert.match(refused.json.error.message, /needs the analyst role/, path);
    }
    assert.equal((await gateway.store.designation.findCase(openedCase))?.state, 'evidence');
  });

  test('no console error and no CSP violation on any page visited', async () => {
    // the pages not visited above draw too
    for (const hash of ['#/accounts', '#/cases', '#/intel']) await tabOf('ana', hash);
    for (const route of [
      'ana /accounts',
      'ana /cases',
      'ana /intel',
      'ana /',
      'ana /campaigns/ID',
      'ana /accounts/ID',
      'ana /cases/ID',
      'ana /audits',
      'vic /campaigns/ID',
      'vic /accounts/ID',
      'vic /cases/ID',
      'vic /audits',
    ])
      assert.ok(visited.has(route), `${route} was not visited: ${[...visited].join(', ')}`);
    assert.deepEqual(problems, []);
  });
});
