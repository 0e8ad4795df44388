// `distillguard users` and `cases` as the people of a provider use them: a simulated week's top
// campaign walked from a case to designation, through an appeal to revocation, by an analyst, two
// reviewers and a liaison; each wrong move refused with a message that says why and what is
// allowed; every step attributed and in the log, which verifies at the end.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisReport } from '../core/index.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

const folder = temporaryDirectory('dg-cases-');
const traffic = join(folder, 'traffic');
const db = join(folder, 'provider.db');
const reportPath = join(folder, 'report.json');
let report: AnalysisReport;

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
  assert.match(await ok(['log', 'verify']), /^ok: \d+ entries, \d+ stored checkpoints verified/);
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
