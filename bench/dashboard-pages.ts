// Dashboard page-time benchmark: every page of the analyst dashboard in Debian's Chromium against
// `distillguard serve` on a week of about 1M interactions with a campaign of 1,000 accounts,
// beside its floor in the same round (the page's own API calls fetched and parsed in the same
// browser), page and floor in alternating order; then cold loads (a fresh browser context: `/`,
// log in, the overview ready) beside theirs. Prints a markdown table for BENCHMARKS.md.
// Usage: npm run bench:dashboard -- [--data /tmp/dg-bench] [--rounds 7] [--warmup 1]
//        [--scale 1] [--seed 5] [--hydra-accounts 1000] [--json FILE]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath, quietChromiumFlags } from '../src/designate/index.js';
import { builtCliMain, gatewayEnv, gatewayServeArgs, startFakeUpstream } from './bench-targets.js';
import {
  fetchFloor,
  logIn,
  openPage,
  startPage,
  whenPresent,
  type FloorRequest,
} from './dashboard-browser.js';
import { coldLoads } from './dashboard-cold-load.js';
import { dashboardData } from './dashboard-data.js';
import { dashboardPageList, describeReads, type PageSpec } from './dashboard-page-list.js';
import { pageTable, type PageRow } from './dashboard-report.js';
import { freePort, startServerProcess } from './server-process.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: process.env.DISTILLGUARD_BENCH_DATA ?? '/tmp/dg-bench' },
    rounds: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '1' },
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '5' },
    'hydra-accounts': { type: 'string', default: '1000' },
    /** Pause on a blank route before each page and floor, so that one's leftovers miss the next. */
    'settle-ms': { type: 'string', default: '250' },
    json: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const settleMs = Number(values['settle-ms']);
const log = (line: string) => process.stderr.write(`${line}\n`);
const root = fileURLToPath(new URL('../../', import.meta.url));
const runStarted = performance.now();
const problems: string[] = [];

const setupStarted = performance.now();
const data = dashboardData({
  parent: values.data!,
  scale: values.scale!,
  seed: values.seed!,
  hydraAccounts: values['hydra-accounts']!,
});
const setupSeconds = (performance.now() - setupStarted) / 1000;
log(
  data.reused
    ? `data: reused ${data.folder} (made ${data.made_at} in ${totalSetup()} s)`
    : `data: made ${data.folder} in ${setupSeconds.toFixed(0)} s`,
);

const upstream = await startFakeUpstream(await freePort(), undefined);
const port = await freePort();
const server = await startServerProcess(
  'serve',
  [process.execPath, builtCliMain, 'serve', ...gatewayServeArgs(port, upstream.url, data.database)],
  port,
  { env: gatewayEnv() },
);
let browser: Browser | undefined;
try {
  await detectorWarm(server.url);
  const pages = await dashboardPageList(
    server.url,
    data.analyst_token,
    data.campaign_id,
    data.case_id,
  );
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: quietChromiumFlags,
    // Chromium refuses its sandbox to root; elsewhere it keeps it
    chromiumSandbox: process.getuid?.() !== 0,
  });
  const warm = await warmPages(browser, server.url, pages);
  const cold = await coldLoads(browser, server.url, data.analyst_token, rounds, watchForErrors);
  const rows = [...warm, cold];
  const host = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, Chromium ${browser.version()}`;
  const commit = gitCommit();
  const runSeconds = (performance.now() - runStarted) / 1000;
  process.stdout.write(
    [
      `commit ${commit}; host ${host}`,
      `data: ${data.interactions.toLocaleString('en')} interactions, campaign ${data.campaign_id}, ${data.reused ? `reused from ${data.folder}` : `made in ${setupSeconds.toFixed(0)} s`}`,
      `${rounds} rounds after ${warmup} warm-up, page and floor alternating; the run took ${runSeconds.toFixed(0)} s`,
      '',
      pageTable(rows),
      '',
    ].join('\n'),
  );
  if (values.json)
    writeFileSync(
      values.json,
      `${JSON.stringify({ commit, host, data: { ...data, analyst_token: undefined }, rounds, warmup, rows }, null, 2)}\n`,
    );
} finally {
  await browser?.close();
  await server.stop();
  await upstream.stop();
}
if (problems.length > 0) {
  log(problems.join('\n'));
  process.exitCode = 1;
}

function totalSetup(): string {
  const { simulate, analyze, users_and_case } = data.setup_seconds;
  return (simulate + analyze + users_and_case).toFixed(0);
}

/**
 * Waits for /health to say ok: on start the live detector reads the whole store (a minute or more
 * at 1M interactions) in a process of its own, which would take a core from the pages measured.
 */
async function detectorWarm(base: string): Promise<void> {
  const started = performance.now();
  for (let status = ''; status !== 'ok';) {
    if (performance.now() - started > 15 * 60_000)
      throw new Error(`/health still says ${status} after 15 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const response = await fetch(`${base}/health`);
    status = ((await response.json()) as { status: string }).status;
  }
  log(
    `serve: /health ok (the live detector has read the store) after ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

interface PageTimes {
  /** Hash change to main[data-ready=path], measured here around the call into the page. */
  outside: number;
  /** The app's own data-ready-ms (route start to the first frame with the page drawn). */
  app: number;
  /** Hash change to the later panel filled, when the page has one. */
  after: number | null;
}

/** Logs in once, then measures every page beside its floor for `warmup` + `rounds` rounds. */
async function warmPages(browser: Browser, base: string, pages: PageSpec[]): Promise<PageRow[]> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  watchForErrors(page);
  await page.goto(`${base}/`);
  await page.evaluate(whenPresent, '#token');
  await page.evaluate(logIn, data.analyst_token);

  const times = pages.map(() => [] as PageTimes[]);
  const latest = pages.map(() => Number.NaN);
  const floors = pages.map(() => [] as number[]);
  const afterFloors = pages.map(() => [] as number[]);
  for (let round = -warmup; round < rounds; round += 1) {
    const kept = round >= 0;
    for (const [index, spec] of pages.entries()) {
      const floorRequest: FloorRequest = { token: data.analyst_token, steps: spec.calls };
      const measurePage = async () => {
        await blank(page);
        const measured = await timePage(page, spec);
        latest[index] = measured.outside;
        if (kept) times[index].push(measured);
      };
      const measureFloor = async () => {
        await blank(page);
        const floor = await timeFloor(page, floorRequest);
        if (kept) floors[index].push(floor);
        if (!spec.after) return;
        await page.waitForTimeout(settleMs);
        const steps = [...spec.calls, ...spec.after.calls];
        const afterFloor = await timeFloor(page, { ...floorRequest, steps });
        if (kept) afterFloors[index].push(afterFloor);
      };
      // alternate which goes first, so that warmth and the machine's noise fall on both
      const order = round % 2 === 0 ? [measurePage, measureFloor] : [measureFloor, measurePage];
      for (const step of order) await step();
    }
    const label = kept ? `round ${round + 1}` : 'warm-up';
    log(
      `${label}: ${pages.map((spec, index) => `${spec.name.split(' ')[0]} ${Math.round(latest[index])} ms`).join(', ')}`,
    );
  }
  await context.close();

  return pages.flatMap((spec, index) => {
    const row: PageRow = {
      page: spec.name,
      route: `#${spec.path}`,
      reads: describeReads(spec.calls),
      outside: times[index].map((measured) => measured.outside),
      app: times[index].map((measured) => measured.app),
      floor: floors[index],
    };
    if (!spec.after) return [row];
    const after: PageRow = {
      page: `${spec.name.split(' ')[0]}: ${spec.after.name}`,
      route: `#${spec.path}`,
      reads: `${row.reads}, then ${describeReads(spec.after.calls)}`,
      outside: times[index].map((measured) => measured.after ?? Number.NaN),
      app: [],
      floor: afterFloors[index],
    };
    return [row, after];
  });
}

/**
 * One page: hash change to main[data-ready=path], timed here around the call into the page (as
 * the floor is); the later panel's time is the page's own figure plus the same call overhead.
 */
async function timePage(page: Page, spec: PageSpec): Promise<PageTimes> {
  const started = performance.now();
  const inPage = await page.evaluate(openPage, {
    hash: `#${spec.path}`,
    path: spec.path,
    after: spec.after?.shown,
  });
  const total = performance.now() - started;
  const app = Number(await page.getAttribute('main', 'data-ready-ms'));
  const overhead = total - (inPage.after ?? inPage.ready);
  return {
    outside: inPage.ready + overhead,
    app,
    after: inPage.after === null ? null : total,
  };
}

/** The floor, timed here as the page is (from the call into the browser to its answer). */
async function timeFloor(page: Page, request: FloorRequest): Promise<number> {
  const started = performance.now();
  await page.evaluate(fetchFloor, request);
  return performance.now() - started;
}

/** A route no page answers: the page left stops its work (live updates, loads) and draws nothing. */
async function blank(page: Page): Promise<void> {
  await page.evaluate(startPage, '#/bench-blank');
  await page.waitForSelector('main h1:text-is("No such page")', { state: 'attached' });
  await page.waitForTimeout(settleMs);
}

/** Page errors and console errors, which fail the run at its end: a broken page is not a fast one. */
function watchForErrors(page: Page): void {
  page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error')
      problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    return 'unknown';
  }
}
