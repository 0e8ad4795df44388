// Cold loads of the dashboard for the page-time benchmark: a fresh browser context (no cache, no
// session) loads `/`, logs in and waits for the overview, beside its floor in alternating order.
import { performance } from 'node:perf_hooks';
import type { Browser, Page } from 'playwright-core';
import {
  fetchFloor,
  logIn,
  whenPresent,
  type ApiCall,
  type FloorRequest,
} from './dashboard-browser.js';
import type { PageRow } from './dashboard-report.js';
import { median } from './measure.js';

/**
 * Cold loads: a fresh context (no cache, no session) loads `/`, logs in and waits for the
 * overview; its floor, in another fresh context, loads one static file as the document and then
 * fetches the same static files, /me and /overview. A first load (not counted) lists the files.
 */
export async function coldLoads(
  browser: Browser,
  base: string,
  token: string,
  rounds: number,
  watch: (page: Page) => void,
): Promise<PageRow> {
  const statics = new Set<string>();
  await coldLoad(browser, base, token, watch, (path) => statics.add(path));
  const [documentPath, ...rest] = [...statics].filter((path) => path !== '/');
  const floorRequest: FloorRequest = {
    token,
    steps: [
      [{ read: 'static', path: '/' }, ...rest.map((path): ApiCall => ({ read: 'static', path }))],
      [{ read: 'json', path: '/me' }],
      [{ read: 'overview' }],
    ],
  };
  const outside: number[] = [];
  const app: number[] = [];
  const floor: number[] = [];
  const form: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const load = async () => {
      const measured = await coldLoad(browser, base, token, watch);
      outside.push(measured.outside);
      app.push(measured.app);
      form.push(measured.form);
    };
    const floorLoad = async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${base}${documentPath}`);
      await page.evaluate(fetchFloor, floorRequest);
      floor.push(performance.now() - started);
      await context.close();
    };
    const order = round % 2 === 0 ? [load, floorLoad] : [floorLoad, load];
    for (const step of order) await step();
    process.stderr.write(
      `cold load ${round + 1}: ${Math.round(outside.at(-1)!)} ms, floor ${Math.round(floor.at(-1)!)} ms\n`,
    );
  }
  return {
    page: `cold load: \`/\`, log in, overview (login form at ${Math.round(median(form))} ms)`,
    route: '`/`',
    reads: `the ${statics.size} static files, /me, /overview`,
    outside,
    app,
    floor,
  };
}

/**
 * One cold load: `/` to the login form shown, plus the log-in (submit) to the overview ready,
 * each timed here around its call into the page; `onStatic` hears each same-origin file fetched.
 */
async function coldLoad(
  browser: Browser,
  base: string,
  token: string,
  watch: (page: Page) => void,
  onStatic?: (path: string) => void,
): Promise<{ outside: number; app: number; form: number }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  watch(page);
  if (onStatic)
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === base && !url.pathname.startsWith('/admin/')) onStatic(url.pathname);
    });
  const started = performance.now();
  await page.goto(`${base}/`, { waitUntil: 'commit' });
  await page.evaluate(whenPresent, '#token');
  const form = performance.now() - started;
  const submitted = performance.now();
  await page.evaluate(logIn, token);
  const outside = form + (performance.now() - submitted);
  const app = Number(await page.getAttribute('main', 'data-ready-ms'));
  await context.close();
  return { outside, app, form };
}
