// Three instances on this machine (loopback): lab A finds the campaigns of its simulated week,
// exports them and pushes them to a hub (distillguard hub, TAXII 2.1); lab B (another week, the
// same operators' tooling under other accounts) holds the community key, pulls from the hub and
// analyses its own traffic: its campaign accounts carry the partner signal, no benign or
// benchmark account matches, and B pushes sightings that hold counts and times only; the hub
// shows one correlated campaign reported by A and sighted by B. Nothing either lab sent holds a
// prompt, account id, address, email or card.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AnalysisReport, Labels } from '../core/index.js';
import { checkBundle } from '../intel/index.js';
import { cliPath, temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

const folder = temporaryDirectory('dg-intel-partners-');
const labA = join(folder, 'a');
const labB = join(folder, 'b');
const dbA = join(folder, 'lab-a.db');
const dbB = join(folder, 'lab-b.db');
const hubDb = join(folder, 'hub.db');
const alliedDb = join(folder, 'allied.db');
const alliedSecret = join(folder, 'main-hub.secret');
let hub: { child: ChildProcess; url: string; output: () => string };
let allied: { child: ChildProcess; url: string; output: () => string };
let hubUrl = '';
const secrets = { 'lab-a': join(folder, 'lab-a.secret'), 'lab-b': join(folder, 'lab-b.secret') };
const asLab = (lab: keyof typeof secrets) => [
  '--server',
  `${hubUrl}/taxii2/`,
  '--collection',
  'campaigns',
  '--user',
  lab,
  '--password-file',
  secrets[lab],
];

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
  // the hub, with one partner account per lab
  for (const [lab, file] of Object.entries(secrets)) {
    writeFileSync(file, `${lab}-secret-0123456789abcdefghijklmnopqrstuv\n`);
    await cli([
      'intel',
      'partners',
      'add',
      lab,
      '--read',
      'campaigns',
      '--write',
      'campaigns',
      '--secret-file',
      file,
      '--db',
      hubDb,
    ]);
  }
  // an allied hub, to which the hub relays GREEN at most and without the labs' names
  writeFileSync(alliedSecret, 'main-hub-secret-0123456789abcdefghijklmnopq\n');
  await cli([
    'intel',
    'partners',
    'add',
    'main-hub',
    '--write',
    'campaigns',
    '--secret-file',
    alliedSecret,
    '--db',
    alliedDb,
  ]);
  allied = await startHubProcess(['--db', alliedDb, '--title', 'Allied hub']);
  const config = join(folder, 'hub-config.json');
  writeFileSync(
    config,
    JSON.stringify({
      intel: {
        relay_to: [
          {
            name: 'allied',
            server: `${allied.url}/taxii2/`,
            collection: 'campaigns',
            user: 'main-hub',
            password_file: alliedSecret,
            max_tlp: 'green',
            attribution: false,
          },
        ],
      },
    }),
  );
  hub = await startHubProcess(['--db', hubDb, '--config', config]);
  hubUrl = hub.url;
  assert.match(
    await cli(['intel', 'push', join(folder, 'a.json'), ...asLab('lab-a')]),
    /objects accepted/,
  );
});

after(() => {
  hub?.child.kill('SIGTERM');
  allied?.child.kill('SIGTERM');
});

/** `distillguard hub --port 0 ARGS`, once it listens; what it prints is kept. */
async function startHubProcess(
  args: string[],
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [cliPath, 'hub', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let said = '';
  child.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      const found = /listening on (http:\/\/[\d.:]+)/.exec(said);
      if (found) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`hub exited with ${code}: ${said}`)));
  });
  return { child, url, output: () => said };
}

test('lab B matches lab A campaigns through keyed indicators only: every match a campaign account, none benign', async () => {
  // B pulls what the hub has; without the community key nothing can match
  assert.match(
    await cli(['intel', 'pull', ...asLab('lab-b'), '--db', dbB, '--from', 'hub']),
    /pulled campaigns .*: \d+ new, 0 already stored, 0 rejected/,
  );
  assert.match(
    await cli(['intel', 'pull', ...asLab('lab-b'), '--db', dbB, '--from', 'hub']),
    /\(added after .*\): \d+ new, \d+ already stored, 0 rejected/,
  );
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
      /^matches partner indicator indicator--[0-9a-f-]+ \(\S+\) from Lab A \(via hub\), first seen /,
    );
  }
});

test('lab B answers with sightings of lab A indicators; the hub shows one campaign reported by A and sighted by B; nothing private was sent', async () => {
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
  assert.match(
    await cli(['intel', 'push', out, ...asLab('lab-b')]),
    /(\d+) of \1 objects accepted/,
  );
  const correlated = JSON.parse(await cli(['intel', 'correlate', '--db', hubDb, '--json'])) as {
    reporters: string[];
    campaigns: { reporter: string }[];
    sightings: { reporter: string }[];
  }[];
  assert.ok(correlated.length >= 1);
  const hydra = correlated[0];
  assert.deepEqual(hydra.reporters, ['lab-a', 'lab-b']);
  assert.ok(hydra.campaigns.every((campaign) => campaign.reporter === 'lab-a'));
  assert.ok(
    hydra.sightings.length > 0 &&
      hydra.sightings.every((sighting) => sighting.reporter === 'lab-b'),
  );
  // every post is an entry of the hub's transparency log, attributed to the partner, counts only
  const hubLog = new Database(hubDb, { readonly: true });
  const logged = (
    hubLog.prepare('SELECT entry FROM log_entries ORDER BY idx').all() as { entry: Buffer }[]
  ).map((row) => JSON.parse(row.entry.toString('utf8')) as Record<string, unknown>);
  hubLog.close();
  const posts = logged.filter(
    (entry) => entry.kind === 'intel.import' && entry.channel === 'taxii',
  );
  assert.deepEqual([...new Set(posts.map((entry) => entry.actor))].sort(), ['lab-a', 'lab-b']);
  assert.ok(
    posts.every((entry) => typeof entry.objects === 'number' && typeof entry.sha256 === 'string'),
  );
  assert.ok(!logged.some((entry) => 'objects' in entry && Array.isArray(entry.objects)));
  assert.match(await cli(['log', 'verify', '--db', hubDb]), /^ok: \d+ entries/);
  // the hub made it a grouping partners can pull
  await cli(['intel', 'pull', ...asLab('lab-a'), '--db', dbA, '--from', 'hub']);
  await cli([
    'intel',
    'export',
    '--db',
    dbA,
    '--received',
    '--tlp',
    'green',
    '--out',
    join(folder, 'a-received.json'),
  ]);
  const received = JSON.parse(readFileSync(join(folder, 'a-received.json'), 'utf8')) as {
    objects: Record<string, unknown>[];
  };
  assert.ok(
    received.objects.some(
      (object) =>
        object.type === 'grouping' &&
        /reported by lab-a; sighted by lab-b/.test(String(object.name)),
    ),
  );
  // what each lab sent holds none of its own private values: the files pushed, and every
  // object the hub stored from each of them
  const database = new Database(hubDb, { readonly: true });
  const stored = (lab: string) =>
    (
      database
        .prepare(
          'SELECT o.object FROM stix_objects o JOIN stix_receipts r ON r.id = o.id AND r.version = o.version WHERE r.source = ?',
        )
        .pluck()
        .all(lab) as string[]
    ).join('\n');
  const storedFromA = stored('lab-a');
  const storedFromB = stored('lab-b');
  database.close();
  assert.ok(storedFromA.length > 1000 && storedFromB.length > 100);
  for (const [trafficFolder, text] of [
    [labA, storedFromA],
    [labB, storedFromB],
  ])
    for (const value of privateValues(trafficFolder))
      assert.ok(!text.includes(value), `the hub holds '${value}'`);

  // the allied hub got what the hub relayed: GREEN at most, as the hub's own, no lab named
  let relayed: string[] = [];
  for (
    let attempt = 0;
    attempt < 100 && !relayed.some((text) => text.includes('"type":"grouping"'));
    attempt += 1
  ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const alliedStore = new Database(alliedDb, { readonly: true });
    relayed = alliedStore.prepare('SELECT object FROM stix_objects').pluck().all() as string[];
    alliedStore.close();
  }
  assert.ok(
    relayed.some((text) => text.includes('"type":"campaign"')),
    hub.output(),
  );
  assert.ok(
    relayed.some((text) => text.includes('"type":"grouping"')),
    'the correlated campaign was relayed',
  );
  const everything = relayed.join('\n');
  for (const name of ['lab-a', 'lab-b', 'Lab A', 'Lab B'])
    assert.ok(!everything.includes(name), `the allied hub sees '${name}'`);
  for (const text of relayed) {
    const object = JSON.parse(text) as Record<string, unknown>;
    if (object.type === 'marking-definition' || object.type === 'extension-definition') continue;
    assert.ok(
      [
        'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
        'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
      ].includes(String((object.object_marking_refs as string[] | undefined)?.[0])),
      `${String(object.id)} is CLEAR or GREEN`,
    );
  }
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

test("the hub serves the dashboard: its partners, what each posted and the campaigns it correlated, to a user's token only", async () => {
  assert.match(hub.output(), new RegExp(`dashboard at ${hubUrl}/ for users added with`));
  const page = await fetch(`${hubUrl}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.match(await page.text(), /<script type="module" src="\/ui\/app.js">/);
  assert.equal((await fetch(`${hubUrl}/admin/v1/intel`)).status, 401);

  const added = await cli(['users', 'add', 'hub-admin', '--role', 'admin', '--db', hubDb]);
  const token = /(dgu-\S+)/.exec(added)?.[1] as string;
  assert.ok(token, added);
  const answer = await fetch(`${hubUrl}/admin/v1/intel`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(answer.status, 200);
  const intel = (await answer.json()) as {
    partners: { name: string }[];
    received: Record<string, number>;
    latest_received: { source: string | null }[];
    groupings: { name: string | null; objects: number }[];
  };
  assert.deepEqual(intel.partners.map((partner) => partner.name).sort(), ['lab-a', 'lab-b']);
  // lab A pushed its campaign and indicators, lab B its sightings
  assert.ok((intel.received.campaign ?? 0) >= 1, JSON.stringify(intel.received));
  assert.ok((intel.received.sighting ?? 0) >= 1, JSON.stringify(intel.received));
  assert.deepEqual([...new Set(intel.latest_received.map((item) => item.source))].sort(), [
    'lab-a',
    'lab-b',
  ]);
  // the campaign reported by A and sighted by B, as `intel correlate` grouped it
  const correlated = JSON.parse(await cli(['intel', 'correlate', '--db', hubDb, '--json'])) as {
    campaigns: unknown[];
  }[];
  assert.ok(intel.groupings.length >= correlated.length && correlated.length >= 1);
  assert.ok(intel.groupings.every((grouping) => grouping.objects > 0));
});
