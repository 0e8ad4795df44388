// Two labs on this machine: lab A finds the campaigns of its simulated week and exports them; lab
// B (another week, the same operators' tooling under other accounts) holds the community key,
// imports A's bundle and analyses its own traffic: its campaign accounts carry the partner
// signal, no benign or benchmark account matches, and B answers with sightings that hold counts
// and times only. Nothing either lab writes holds a prompt, account id, address, email or card.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AnalysisReport, Labels } from '../core/index.js';
import { checkBundle } from '../intel/index.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

const folder = temporaryDirectory('dg-intel-partners-');
const labA = join(folder, 'a');
const labB = join(folder, 'b');
const dbA = join(folder, 'lab-a.db');
const dbB = join(folder, 'lab-b.db');

async function cli(args: string[], expected = 0): Promise<string> {
  const result = await runCli(args);
  assert.equal(result.code, expected, `${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Every value in a traffic folder that would identify a user, an account or a prompt. */
function privateValues(trafficFolder: string): Set<string> {
  const values = new Set<string>();
  for (const line of readFileSync(join(trafficFolder, 'accounts.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const account = JSON.parse(line) as Record<string, string>;
    for (const field of ['account_id', 'payment_fingerprint', 'signup_ip', 'org_id'])
      if (account[field]) values.add(account[field]);
  }
  let prompts = 0;
  for (const line of readFileSync(join(trafficFolder, 'interactions.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const record = JSON.parse(line) as { client?: { ip?: string }; request?: unknown };
    if (record.client?.ip) values.add(record.client.ip);
    const text = /"content":"([^"]{40,})/.exec(JSON.stringify(record.request))?.[1];
    if (text && prompts++ % 25 === 0) values.add(text.slice(0, 40));
  }
  return values;
}

before(async () => {
  await cli(['simulate', '--out', labA, '--scale', '0.05', '--seed', '11']);
  await cli(['simulate', '--out', labB, '--scale', '0.05', '--seed', '23']);
  await cli([
    'analyze',
    '--interactions',
    join(labA, 'interactions.jsonl'),
    '--accounts',
    join(labA, 'accounts.jsonl'),
    '--out',
    join(folder, 'report-a.json'),
    '--db',
    dbA,
  ]);
  const created = await cli(['intel', 'keys', 'create', '--key-id', 'community-1', '--db', dbA]);
  writeFileSync(join(folder, 'community-1.key'), /: (\S+)\n?$/.exec(created)?.[1] ?? '');
  await cli([
    'intel',
    'export',
    '--db',
    dbA,
    '--all',
    '--org',
    'Lab A',
    '--tlp',
    'green',
    '--out',
    join(folder, 'a.json'),
  ]);
});

test('lab B matches lab A campaigns through keyed indicators only: every match a campaign account, none benign', async () => {
  // without the community key nothing can match
  await cli(['intel', 'import', join(folder, 'a.json'), '--db', dbB, '--from', 'Lab A']);
  const withoutKey = await cli([
    'analyze',
    '--interactions',
    join(labB, 'interactions.jsonl'),
    '--accounts',
    join(labB, 'accounts.jsonl'),
    '--out',
    join(folder, 'report-b0.json'),
    '--db',
    dbB,
  ]);
  assert.doesNotMatch(withoutKey, /matching partner indicators/);

  await cli([
    'intel',
    'keys',
    'add',
    '--key-id',
    'community-1',
    '--secret-file',
    join(folder, 'community-1.key'),
    '--db',
    dbB,
  ]);
  const said = await cli([
    'analyze',
    '--interactions',
    join(labB, 'interactions.jsonl'),
    '--accounts',
    join(labB, 'accounts.jsonl'),
    '--out',
    join(folder, 'report-b.json'),
    '--db',
    dbB,
  ]);
  assert.match(said, /\d+ of them matching partner indicators/);
  const labels = JSON.parse(readFileSync(join(labB, 'labels.json'), 'utf8')) as Labels;
  const report = JSON.parse(readFileSync(join(folder, 'report-b.json'), 'utf8')) as AnalysisReport;
  // every account the matcher touched, listed in the report or not
  const database = new Database(dbB, { readonly: true });
  const matched = database
    .prepare('SELECT DISTINCT account_id AS id FROM partner_matches')
    .all() as { id: string }[];
  database.close();
  const campaignAccounts = Object.entries(labels.accounts).filter(
    ([, label]) => label.class === 'campaign',
  );
  for (const { id } of matched)
    assert.equal(
      labels.accounts[id].class,
      'campaign',
      `${id} (${labels.accounts[id].persona}) matched`,
    );
  assert.ok(
    matched.length >= 0.8 * campaignAccounts.length,
    `${matched.length} of ${campaignAccounts.length} campaign accounts matched`,
  );
  const listed = report.accounts.filter((account) =>
    account.reasons.some((reason) => reason.signal === 'partner_indicator'),
  );
  assert.ok(listed.length > 0);
  for (const account of listed) {
    const reason = account.reasons.find((item) => item.signal === 'partner_indicator');
    assert.match(
      reason?.detail ?? '',
      /^matches partner indicator indicator--[0-9a-f-]+ \(\S+\) from Lab A, first seen /,
    );
  }
});

test('lab B answers with sightings of lab A indicators: counts and times, nothing private', async () => {
  const out = join(folder, 'b-sightings.json');
  assert.match(
    await cli([
      'intel',
      'sightings',
      '--db',
      dbB,
      '--org',
      'Lab B',
      '--tlp',
      'green',
      '--out',
      out,
    ]),
    /\d+ sighting\(s\) covering \d+ account match\(es\)/,
  );
  const sent = readFileSync(out, 'utf8');
  const bundle = JSON.parse(sent) as { objects: Record<string, unknown>[] };
  const fromA = new Set(
    (
      JSON.parse(readFileSync(join(folder, 'a.json'), 'utf8')) as { objects: { id: string }[] }
    ).objects.map((object) => object.id),
  );
  const sightings = bundle.objects.filter((object) => object.type === 'sighting');
  assert.ok(sightings.length > 0);
  for (const sighting of sightings) {
    assert.ok(fromA.has(String(sighting.sighting_of_ref)), 'a sighting of one of A’s indicators');
    assert.ok(Number(sighting.count) >= 1);
    assert.ok(String(sighting.first_seen) <= String(sighting.last_seen));
  }
  // lab A, holding its own indicators, accepts every object
  const check = checkBundle(bundle, { known: (id) => fromA.has(id) });
  assert.deepEqual(check.problems, []);
  // what each lab sent holds none of its own private values
  for (const [trafficFolder, file] of [
    [labA, join(folder, 'a.json')],
    [labB, out],
  ]) {
    const text = readFileSync(file, 'utf8');
    for (const value of privateValues(trafficFolder))
      assert.ok(!text.includes(value), `${file} holds '${value}'`);
  }
});
