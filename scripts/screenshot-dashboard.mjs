// Screenshots of every dashboard page, for docs/screenshots/: logs in with a user's token in
// Debian's Chromium at a laptop's size (1440 x 900), opens each page as a user would (the top
// campaign, its busiest account, the first case and audit where there are any), waits for the page
// to say it is ready (main[data-ready]) and saves dashboard-<page>.png. Prints each page's time
// from navigation to ready, and fails on a console error or a Content-Security-Policy violation.
//
//   node scripts/screenshot-dashboard.mjs BASE_URL TOKEN_FILE [OUT_DIR]   (OUT_DIR: docs/screenshots)
//
// e.g. after `npx distillguard demo --no-dashboard` and
// `npx distillguard serve --db distillguard-demo/cases.db --port 8080`:
//   node scripts/screenshot-dashboard.mjs http://127.0.0.1:8080 distillguard-demo/tokens/ana.token
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, tokenFile, outDir = 'docs/screenshots'] = process.argv.slice(2);
if (!base || !tokenFile) {
  process.stderr.write(
    'usage: node scripts/screenshot-dashboard.mjs BASE_URL TOKEN_FILE [OUT_DIR]\n',
  );
  process.exit(64);
}
const token = readFileSync(tokenFile, 'utf8').trim();
mkdirSync(outDir, { recursive: true });

async function api(path) {
  const response = await fetch(new URL(`/admin/v1${path}`, base), {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

// what to show: the riskiest campaign, its busiest account, the first case and finished audit
const overview = await api('/overview');
const campaign = overview.campaigns[0];
const pages = [['overview', '/']];
if (campaign) {
  pages.push(['campaign', `/campaigns/${campaign.campaign_id}`]);
  const detail = await api(`/campaigns/${campaign.campaign_id}`);
  const busiest = [...detail.accounts].sort((a, b) => b.requests - a.requests)[0];
  pages.push(['accounts', '/accounts'], ['account', `/accounts/${busiest.account_id}`]);
}
const { audits } = await api('/audits');
pages.push(['audits', '/audits']);
// a finished audit's result opens beside the list
const finished = audits.find((audit) => audit.status !== 'running' && audit.status !== 'failed');
const { cases } = await api('/cases');
pages.push(['cases', '/cases']);
if (cases[0]) pages.push(['case', `/cases/${cases[0].case_id}`]);
pages.push(['intel', '/intel']);

const browser = await chromium.launch({
  executablePath: process.env.DISTILLGUARD_CHROMIUM || '/usr/bin/chromium',
  args: [
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  chromiumSandbox: process.getuid?.() !== 0,
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(new URL('/', base).href);
  await page.getByLabel('User token').fill(token);
  await page.keyboard.press('Enter');
  await page.waitForSelector('main[data-ready="/"]');
  for (const [name, path] of pages) {
    const started = Date.now();
    if (path !== '/') {
      await page.evaluate((hash) => (location.hash = hash), `#${path}`);
      await page.waitForSelector(`main[data-ready="${path}"]`);
    }
    const elapsed = Date.now() - started;
    // charts animate in; let them settle before the picture
    await page.waitForTimeout(800);
    const file = join(outDir, `dashboard-${name}.png`);
    await page.screenshot({ path: file, fullPage: name === 'campaign' });
    const ready = await page.getAttribute('main', 'data-ready-ms');
    process.stdout.write(`${file}  ${path}  ready in ${ready} ms (${elapsed} ms from outside)\n`);
    if (name === 'audits' && finished) {
      await page.getByLabel(`Show the result of ${finished.audit_id}`).click();
      await page.waitForSelector('.chart canvas');
      await page.waitForTimeout(800);
      const result = join(outDir, 'dashboard-audit.png');
      await page.screenshot({ path: result, fullPage: true });
      process.stdout.write(`${result}  the result of ${finished.audit_id}\n`);
    }
  }
} finally {
  await browser.close();
}
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
