// `distillguard users` and `cases` as the people of a provider use them: a simulated week's top
// campaign walked from a case to designation, through an appeal to revocation, by an analyst, two
// reviewers and a liaison; each wrong move refused with a message that says why and what is
// allowed; every step attributed and in the log, which verifies at the end.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnalysisReport, Interaction } from '../core/index.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

const folder = temporaryDirectory('dg-cases-');
const traffic = join(folder, 'traffic');
const db = join(folder, 'provider.db');
const reportPath = join(folder, 'report.json');
let report: AnalysisReport;
/** The case walked to revocation: the package test writes its evidence. */
let walkedCase = '';

interface Said {
  code: number;
  text: string;
}

async function run(args: string[]): Promise<Said> {
  const result = await runCli([...args, '--db', db]);
  return { code: result.code, text: result.stdout + result.stderr };
}

async function ok(args: string[]): Promise<string> {
  const said = await run(args);
  assert.equal(said.code, 0, `${args.join(' ')}\n${said.text}`);
  return said.text;
}

/** Runs as a user (its token in a file only it reads). */
function as(user: string): string[] {
  return ['--as', user, '--token-file', join(folder, `${user}.token`)];
}

async function addUser(name: string, role: string, by: string | null): Promise<void> {
  const said = await ok(['users', 'add', name, '--role', role, ...(by ? as(by) : [])]);
  const token = /token \(shown once[^:]*\): (\S+)/.exec(said)?.[1];
  assert.ok(token, said);
  writeFileSync(join(folder, `${name}.token`), `${token}\n`, { mode: 0o600 });
}

before(async () => {
  const simulated = await runCli(['simulate', '--out', traffic, '--scale', '0.05', '--seed', '21']);
  assert.equal(simulated.code, 0, simulated.stderr);
  await ok([
    'analyze',
    '--interactions',
    join(traffic, 'interactions.jsonl'),
    '--accounts',
    join(traffic, 'accounts.jsonl'),
    '--out',
    reportPath,
  ]);
  report = JSON.parse(readFileSync(reportPath, 'utf8')) as AnalysisReport;
  assert.ok(report.campaigns.length >= 2, 'the simulated week has at least two campaigns');
  await ok(['intel', 'keys', 'create', '--key-id', 'community-1']);
  await addUser('root', 'admin', null);
  await addUser('alice', 'analyst', 'root');
  await addUser('bob', 'reviewer', 'root');
  await addUser('carol', 'reviewer', 'root');
  await addUser('lee', 'liaison', 'root');
  await addUser('vic', 'viewer', 'root');
});

const byRisk = () => [...report.campaigns].sort((a, b) => b.risk - a.risk);

test('users: the first is an admin; later ones need an admin; a wrong token is refused', async () => {
  const second = await run(['users', 'add', 'mallory', '--role', 'admin']);
  assert.notEqual(second.code, 0);
  assert.match(second.text, /already has users: add 'mallory' as an admin/);
  const byAnalyst = await run(['users', 'add', 'mallory', '--role', 'reviewer', ...as('alice')]);
  assert.equal(byAnalyst.code, 77);
  assert.match(
    byAnalyst.text,
    /user 'alice' \(analyst\) may not manage users: this needs the admin role/,
  );
  writeFileSync(join(folder, 'wrong.token'), 'dgu-not-a-token\n');
  const wrong = await run([
    'cases',
    'list',
    '--as',
    'alice',
    '--token-file',
    join(folder, 'wrong.token'),
  ]);
  assert.equal(wrong.code, 77);
  assert.match(wrong.text, /unknown user 'alice' or wrong token/);
  const fromEnvironment = await runCli(['cases', 'list', '--as', 'vic', '--db', db], {
    env: { DISTILLGUARD_TOKEN: readFileSync(join(folder, 'vic.token'), 'utf8').trim() },
  });
  assert.equal(fromEnvironment.code, 0, fromEnvironment.stderr);
  const nobody = await run(['cases', 'list']);
  assert.match(nobody.text, /say who acts: --as NAME/);
  // tokens are kept only as keyed hashes
  const token = readFileSync(join(folder, 'alice.token'), 'utf8').trim();
  assert.ok(!readFileSync(db).includes(Buffer.from(token)), 'the token is not in the store');
});

test('cases: a campaign from opening to designation, an appeal and its revocation; every wrong move refused', async () => {
  const campaign = byRisk()[0];
  const viewer = await run(['cases', 'open', '--campaign', campaign.campaign_id, ...as('vic')]);
  assert.equal(viewer.code, 77);
  assert.match(
    viewer.text,
    /user 'vic' \(viewer\) may not open cases: this needs the analyst role/,
  );

  const opened = await ok([
    'cases',
    'open',
    '--campaign',
    campaign.campaign_id,
    '--reason',
    'top campaign of the week',
    ...as('alice'),
  ]);
  const caseId = /opened (case-\d+)/.exec(opened)?.[1] as string;
  assert.ok(caseId, opened);
  walkedCase = caseId;

  const skip = await run([
    'cases',
    'transition',
    caseId,
    '--to',
    'designated',
    '--reason',
    'obvious',
    ...as('alice'),
  ]);
  assert.equal(skip.code, 65);
  assert.match(
    skip.text,
    new RegExp(`${caseId} is opened: it cannot go to designated\\. Allowed next: evidence`),
  );

  await ok([
    'cases',
    'transition',
    caseId,
    '--to',
    'evidence',
    '--reason',
    'gathering',
    ...as('alice'),
  ]);
  const attached = await ok([
    'cases',
    'attach',
    caseId,
    '--file',
    reportPath,
    '--kind',
    'analysis',
    ...as('alice'),
  ]);
  assert.match(attached, /attached report\.json sha256:[0-9a-f]{64} \[log \d+\]/);
  await ok([
    'cases',
    'transition',
    caseId,
    '--to',
    'internal-review',
    '--reason',
    'ready for review',
    ...as('alice'),
  ]);

  const unapproved = await run([
    'cases',
    'transition',
    caseId,
    '--to',
    'shared',
    '--reason',
    'share',
    ...as('lee'),
  ]);
  assert.equal(unapproved.code, 65);
  assert.match(unapproved.text, /needs approvals from two different reviewers .* it has 0/);
  const analystApproves = await run([
    'cases',
    'approve',
    caseId,
    '--to',
    'shared',
    '--reason',
    'fine',
    ...as('alice'),
  ]);
  assert.equal(analystApproves.code, 77);
  assert.match(
    analystApproves.text,
    /may not approve a case for sharing or nomination: this needs the reviewer role/,
  );
  await ok([
    'cases',
    'approve',
    caseId,
    '--to',
    'shared',
    '--reason',
    'signals hold',
    ...as('bob'),
  ]);
  const twice = await run([
    'cases',
    'approve',
    caseId,
    '--to',
    'shared',
    '--reason',
    'again',
    ...as('bob'),
  ]);
  assert.equal(twice.code, 65);
  assert.match(twice.text, /bob has already approved .* a second, different reviewer must approve/);
  const single = await run([
    'cases',
    'transition',
    caseId,
    '--to',
    'shared',
    '--reason',
    'share',
    ...as('lee'),
  ]);
  assert.equal(single.code, 65);
  assert.match(single.text, /it has 1 \(bob\)/);
  assert.match(
    await ok(['cases', 'approve', caseId, '--to', 'shared', '--reason', 'agree', ...as('carol')]),
    /2 of 2 approvals for shared \(bob, carol\)/,
  );
  const analystShares = await run([
    'cases',
    'transition',
    caseId,
    '--to',
    'shared',
    '--reason',
    'share',
    ...as('alice'),
  ]);
  assert.equal(analystShares.code, 77);
  assert.match(analystShares.text, /this needs the liaison role/);
  await ok([
    'cases',
    'transition',
    caseId,
    '--to',
    'shared',
    '--reason',
    'shared with partners',
    ...as('lee'),
  ]);

  // approvals count for the step from the state the case is in: nomination needs two new ones
  const stale = await run([
    'cases',
    'transition',
    caseId,
    '--to',
    'nominated',
    '--reason',
    'nominate',
    ...as('lee'),
  ]);
  assert.match(stale.text, /it has 0/);
  await ok(['cases', 'approve', caseId, '--to', 'nominated', '--reason', 'ok', ...as('bob')]);
  await ok(['cases', 'approve', caseId, '--to', 'nominated', '--reason', 'ok', ...as('carol')]);
  await ok([
    'cases',
    'transition',
    caseId,
    '--to',
    'nominated',
    '--reason',
    'to the hub',
    ...as('lee'),
  ]);
  await ok([
    'cases',
    'transition',
    caseId,
    '--to',
    'under-assessment',
    '--reason',
    'hub took it up',
    ...as('lee'),
  ]);
  const noExpiry = await run([
    'cases',
    'transition',
    caseId,
    '--to',
    'designated',
    '--reason',
    'hub decision',
    ...as('lee'),
  ]);
  assert.match(noExpiry.text, /a designation needs its expiry date/);
  const past = await run([
    'cases',
    'transition',
    caseId,
    '--to',
    'designated',
    '--reason',
    'hub decision',
    '--expires',
    '2020-01-01',
    ...as('lee'),
  ]);
  assert.match(past.text, /is not in the future/);
  const expires = `${new Date().getUTCFullYear() + 1}-12-31`;
  assert.match(
    await ok([
      'cases',
      'transition',
      caseId,
      '--to',
      'designated',
      '--reason',
      'hub designated the operator',
      '--expires',
      expires,
      ...as('lee'),
    ]),
    new RegExp(`${caseId}: designated until ${expires}`),
  );

  const silent = await run([
    'cases',
    'transition',
    caseId,
    '--to',
    'appealed',
    '--reason',
    'appeal received',
    ...as('alice'),
  ]);
  assert.match(silent.text, /an appeal needs the appellant's statement/);
  await ok([
    'cases',
    'transition',
    caseId,
    '--to',
    'appealed',
    '--reason',
    'appeal received',
    '--statement',
    'We are a university lab running our own evaluation suite.',
    ...as('alice'),
  ]);
  const analystDecides = await run([
    'cases',
    'transition',
    caseId,
    '--to',
    'revoked',
    '--reason',
    'x',
    ...as('alice'),
  ]);
  assert.equal(analystDecides.code, 77);
  assert.match(
    analystDecides.text,
    /may not decide reviews and appeals: this needs the reviewer role/,
  );
  await ok([
    'cases',
    'transition',
    caseId,
    '--to',
    'revoked',
    '--reason',
    'the lab showed its evaluation protocol; the traffic matches it',
    ...as('bob'),
  ]);
  const final = await run([
    'cases',
    'transition',
    caseId,
    '--to',
    'designated',
    '--reason',
    'again',
    '--expires',
    expires,
    ...as('lee'),
  ]);
  assert.match(final.text, /is revoked: it cannot go to designated\. It is final\./);

  const shown = JSON.parse(await ok(['cases', 'show', caseId, '--json', ...as('vic')])) as {
    case: { state: string };
    events: {
      kind: string;
      actor: string;
      toState: string | null;
      logIndex: number | null;
      detail: string;
    }[];
  };
  assert.equal(shown.case.state, 'revoked');
  const moves = shown.events.filter(
    (event) => event.kind !== 'approval' && event.kind !== 'attachment',
  );
  assert.deepEqual(
    moves.map((event) => `${event.toState}:${event.actor}`),
    [
      'opened:alice',
      'evidence:alice',
      'internal-review:alice',
      'shared:lee',
      'nominated:lee',
      'under-assessment:lee',
      'designated:lee',
      'appealed:alice',
      'revoked:bob',
    ],
  );
  assert.deepEqual(
    shown.events
      .filter((event) => event.kind === 'approval')
      .map((event) => `${event.toState}:${event.actor}`),
    ['shared:bob', 'shared:carol', 'nominated:bob', 'nominated:carol'],
  );
  assert.ok(
    shown.events.every((event) => event.logIndex !== null),
    'every step is in the log',
  );
  assert.match(
    shown.events.find((event) => event.toState === 'appealed')?.detail ?? '',
    /university lab/,
  );
  assert.match(
    await ok(['log', 'verify']),
    /^ok: \d+ entries, \d+ stored checkpoint\(s\) verified/,
  );
});

test('cases: a nomination whose accounts are on the benchmark and research warning list is blocked with the reason', async () => {
  const campaign = byRisk()[1];
  const opened = await ok(['cases', 'open', '--campaign', campaign.campaign_id, ...as('alice')]);
  const caseId = /opened (case-\d+)/.exec(opened)?.[1] as string;
  await ok(['cases', 'transition', caseId, '--to', 'evidence', '--reason', 'r', ...as('alice')]);
  await ok([
    'cases',
    'transition',
    caseId,
    '--to',
    'internal-review',
    '--reason',
    'r',
    ...as('alice'),
  ]);
  for (const target of ['shared', 'nominated']) {
    await ok(['cases', 'approve', caseId, '--to', target, '--reason', 'r', ...as('bob')]);
    await ok(['cases', 'approve', caseId, '--to', target, '--reason', 'r', ...as('carol')]);
    if (target === 'shared')
      await ok(['cases', 'transition', caseId, '--to', 'shared', '--reason', 'r', ...as('lee')]);
  }
  const member = campaign.accounts[0];
  await ok([
    'intel',
    'warning-list',
    'add',
    '--kind',
    'account',
    '--value',
    member,
    '--note',
    'registered benchmark lab',
  ]);
  const blocked = await run([
    'cases',
    'transition',
    caseId,
    '--to',
    'nominated',
    '--reason',
    'r',
    ...as('lee'),
  ]);
  assert.equal(blocked.code, 65);
  assert.match(
    blocked.text,
    new RegExp(
      `nomination blocked by the benchmark and research warning list: account ${member} is listed \\(registered benchmark lab\\)`,
    ),
  );
  const shown = await ok(['cases', 'show', caseId, ...as('vic')]);
  assert.match(shown, new RegExp(`${caseId}: shared`));
});

/** Every file of a folder, by path relative to it. */
function filesOf(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort();
}

/** What must never leave the provider without --include-raw: identifiers, addresses, cards, prompts. */
function privateValues(accountIds: Set<string>): Set<string> {
  const values = new Set<string>();
  for (const line of readFileSync(join(traffic, 'accounts.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const account = JSON.parse(line) as Record<string, string | null>;
    if (!accountIds.has(account.account_id as string)) continue;
    for (const field of ['account_id', 'signup_ip', 'payment_fingerprint'])
      if (account[field]) values.add(account[field] as string);
  }
  for (const line of readFileSync(join(traffic, 'interactions.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const exchange = JSON.parse(line) as Interaction;
    if (!accountIds.has(exchange.account_id)) continue;
    values.add(exchange.id);
    if (exchange.key_id) values.add(exchange.key_id);
    if (exchange.client?.ip) values.add(exchange.client.ip);
    const messages = (exchange.request as { messages?: { content?: unknown }[] }).messages ?? [];
    for (const message of messages)
      if (typeof message.content === 'string' && message.content.length >= 40) {
        values.add(message.content.slice(0, 40));
        values.add(message.content.slice(-40));
      }
  }
  return values;
}

test('cases package: the evidence a lawyer reads and a partner checks, with no raw prompt or personal data', async () => {
  assert.ok(walkedCase, 'the walk above made a case');
  const campaign = byRisk()[0];
  const members = new Set(campaign.accounts);
  const privateText = privateValues(members);
  const out = join(folder, 'package');
  const said = await ok([
    'cases',
    'package',
    walkedCase,
    '--out',
    out,
    '--org',
    'Frontier Lab',
    ...as('vic'),
  ]);
  assert.match(
    said,
    /wrote the evidence package of case-1 .* log entries proved against the checkpoint of \d+/,
  );
  const files = filesOf(out);
  for (const expected of [
    'SHA256SUMS',
    'analysis-snapshot.json',
    'log/checkpoint.txt',
    'log/entries.json',
    'log/verifier-key.txt',
    'report.html',
    'stix-bundle.json',
    'verify.txt',
  ])
    assert.ok(files.includes(expected), `${expected} in ${files.join(', ')}`);
  const chromium = existsSync(process.env.DISTILLGUARD_CHROMIUM || '/usr/bin/chromium');
  assert.equal(files.includes('report.pdf'), chromium, 'report.pdf exactly when Chromium is there');
  if (chromium) {
    const pdf = readFileSync(join(out, 'report.pdf'));
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
    assert.ok(pages.length >= 2, `the printed report has ${pages.length} pages`);
  }

  // every file is in SHA256SUMS with its hash
  const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n');
  assert.equal(sums.length, files.length - 1);
  for (const line of sums) {
    const [hash, file] = line.split(/\s+/);
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(out, file)))
        .digest('hex'),
      hash,
      file,
    );
  }
  // the log entries prove the whole history, checked with the log's key alone
  const key = readFileSync(join(out, 'log/verifier-key.txt'), 'utf8').trim();
  assert.equal(key, (await ok(['log', 'public-key'])).trim());
  const proved = await runCli(['log', 'verify-proof', join(out, 'log/entries.json'), '--key', key]);
  assert.equal(proved.code, 0, proved.stdout + proved.stderr);
  const entries = (
    JSON.parse(readFileSync(join(out, 'log/entries.json'), 'utf8')) as { entry: string }[]
  ).map((document) => JSON.parse(document.entry) as { kind: string; to?: string });
  assert.deepEqual(
    entries.filter((entry) => entry.kind === 'case.transition').map((entry) => entry.to),
    [
      'evidence',
      'internal-review',
      'shared',
      'nominated',
      'under-assessment',
      'designated',
      'appealed',
      'revoked',
    ],
  );
  assert.ok(entries.some((entry) => entry.kind === 'case.attachment'));
  assert.ok(entries.some((entry) => entry.kind === 'intel.export'));
  const validated = await runCli(['intel', 'validate', join(out, 'stix-bundle.json')]);
  assert.equal(validated.code, 0, validated.stdout + validated.stderr);

  // the report: summary, charts drawn as SVG, the history, its limits; no script at all
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(
    html,
    /<h2>Summary<\/h2>\s*<p class="summary">Campaign dc-[0-9a-f]{16}: \d+ accounts sent/,
  );
  assert.ok((html.match(/<svg /g) ?? []).length >= 2, 'the timeline and the graph are drawn');
  assert.match(html, /first seen/, 'the model release is marked');
  assert.match(html, /appellant’s statement recorded \(kept by the provider\)/);
  assert.match(html, /What this evidence does not show/);
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);

  // nothing private: no account id, key id, request id, address, card or prompt text anywhere
  for (const file of files.filter((name) => !name.endsWith('.pdf'))) {
    const text = readFileSync(join(out, file), 'utf8');
    for (const value of privateText)
      assert.ok(!text.includes(value), `${file} holds private text '${value.slice(0, 40)}'`);
  }
  assert.ok(!files.some((file) => file.startsWith('raw/')));
  assert.ok(
    !files.some((file) => file.startsWith('attachments/analysis')),
    'the analyst report (with account ids) stays home',
  );

  // raw values only for an admin who asks
  const analystRaw = await run([
    'cases',
    'package',
    walkedCase,
    '--out',
    join(folder, 'raw-1'),
    '--org',
    'Frontier Lab',
    '--include-raw',
    ...as('alice'),
  ]);
  assert.equal(analystRaw.code, 77);
  assert.match(
    analystRaw.text,
    /may not put raw exchanges and personal data in an evidence package: this needs the admin role/,
  );
  const rawOut = join(folder, 'raw-2');
  await ok([
    'cases',
    'package',
    walkedCase,
    '--out',
    rawOut,
    '--org',
    'Frontier Lab',
    '--include-raw',
    '--no-pdf',
    ...as('root'),
  ]);
  const rawHtml = readFileSync(join(rawOut, 'report.html'), 'utf8');
  assert.ok(
    campaign.accounts.some((id) => rawHtml.includes(id)) ||
      readFileSync(join(rawOut, 'analysis-snapshot.json'), 'utf8').includes(campaign.accounts[0]),
  );
  const exchanges = readFileSync(join(rawOut, 'raw/exchanges.jsonl'), 'utf8').trim().split('\n');
  assert.ok(
    exchanges.length > 0 &&
      exchanges.every((line) => members.has((JSON.parse(line) as Interaction).account_id)),
  );
  const notAgain = await run([
    'cases',
    'package',
    walkedCase,
    '--out',
    rawOut,
    '--org',
    'Frontier Lab',
    ...as('vic'),
  ]);
  assert.match(notAgain.text, /is not empty: write each package to a new folder/);
});

test(
  'cases package: the report opens in Chromium with its charts and no error',
  {
    skip:
      !existsSync(process.env.DISTILLGUARD_CHROMIUM || '/usr/bin/chromium') &&
      'Debian chromium is not installed (apt-get install chromium)',
  },
  async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: process.env.DISTILLGUARD_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-sync',
      ],
      chromiumSandbox: process.getuid?.() !== 0,
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(pathToFileURL(join(folder, 'package', 'report.html')).href);
      assert.match(await page.title(), /^Evidence report: case-1, campaign dc-[0-9a-f]{16}$/);
      assert.ok((await page.locator('figure svg').count()) >= 2);
      assert.match(
        (await page.locator('p.summary').innerText()) ?? '',
        /accounts sent \d+ requests/,
      );
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  },
);

test('cases package: a case before review is a draft, not for sharing; a package missing one of the case entries fails its check', async () => {
  const campaign = byRisk()[2] ?? byRisk()[0];
  const opened = await run(['cases', 'open', '--campaign', campaign.campaign_id, ...as('alice')]);
  const caseId = /opened (case-\d+)/.exec(opened.text)?.[1];
  if (caseId) {
    const clear = await run([
      'cases',
      'package',
      caseId,
      '--out',
      join(folder, 'draft-clear'),
      '--tlp',
      'clear',
      '--org',
      'Lab',
      '--no-pdf',
      ...as('vic'),
    ]);
    assert.equal(clear.code, 65);
    assert.match(clear.text, /has not passed review, so its package cannot be marked TLP:CLEAR/);
    await ok([
      'cases',
      'package',
      caseId,
      '--out',
      join(folder, 'draft'),
      '--org',
      'Lab',
      '--no-pdf',
      ...as('vic'),
    ]);
    assert.match(
      readFileSync(join(folder, 'draft', 'report.html'), 'utf8'),
      /Draft: this case has not passed its two-person review/,
    );
  }
  // the walked case's package, less one of its steps
  const entries = JSON.parse(readFileSync(join(folder, 'package', 'log/entries.json'), 'utf8')) as {
    index: number;
    entry: string;
  }[];
  const dropped = entries.findIndex(
    (document) => (JSON.parse(document.entry) as { to?: string }).to === 'internal-review',
  );
  assert.ok(dropped > 0);
  const partial = join(folder, 'partial-entries.json');
  writeFileSync(partial, JSON.stringify(entries.filter((_, position) => position !== dropped)));
  const key = readFileSync(join(folder, 'package', 'log/verifier-key.txt'), 'utf8').trim();
  const said = await runCli(['log', 'verify-proof', partial, '--key', key]);
  assert.equal(said.code, 2, said.stdout);
  assert.match(
    said.stdout,
    new RegExp(
      `follows entry ${entries[dropped].index} of the same case, which is not here: the set of entries is incomplete`,
    ),
  );
});
