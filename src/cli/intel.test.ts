// `distillguard intel` as a user runs it: a simulated week analysed, its campaigns exported as STIX
// 2.1 and checked object by object against the official schemas and the receiver's rules; the
// same finding keeps its ids, a changed one is a new version, a withdrawn one is revoked; nothing
// that would identify a user or reveal a prompt is in the bundle; the official examples import
// and re-export without loss; bad bundles are refused with the object and field at fault.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisReport, Interaction } from '../core/index.js';
import { checkBundle, schemaProblem } from '../intel/index.js';
import { repositoryRoot, temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

type StixObject = Record<string, unknown> & { id: string; type: string };

const folder = temporaryDirectory('dg-intel-');
const traffic = join(folder, 'traffic');
const db = join(folder, 'lab-a.db');
let report: AnalysisReport;

async function cli(args: string[], expected = 0): Promise<string> {
  const result = await runCli(args);
  assert.equal(result.code, expected, `${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
  return result.stdout + result.stderr;
}

function objectsOf(path: string): StixObject[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { objects: StixObject[] }).objects;
}

before(async () => {
  await cli(['simulate', '--out', traffic, '--scale', '0.05', '--seed', '11']);
  // the first four days first: the full week later changes the findings
  const lines = readFileSync(join(traffic, 'interactions.jsonl'), 'utf8').split('\n');
  writeFileSync(join(folder, 'first-days.jsonl'), lines.slice(0, 35_000).join('\n') + '\n');
  await cli([
    'analyze',
    '--interactions',
    join(folder, 'first-days.jsonl'),
    '--accounts',
    join(traffic, 'accounts.jsonl'),
    '--out',
    join(folder, 'first-days.json'),
    '--db',
    db,
  ]);
  await cli(['intel', 'keys', 'create', '--key-id', 'community-1', '--db', db]);
});

/** Property names a schema file (with its allOf and the common cores) defines. */
function schemaProperties(file: string): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.properties && typeof record.properties === 'object')
        for (const name of Object.keys(record.properties)) names.add(name);
      for (const [key, item] of Object.entries(record)) if (key !== 'properties') visit(item);
    }
  };
  const schemas = join(repositoryRoot, 'contracts/stix/schemas');
  visit(JSON.parse(readFileSync(join(schemas, file), 'utf8')));
  visit(JSON.parse(readFileSync(join(schemas, 'common/core.json'), 'utf8')));
  visit(JSON.parse(readFileSync(join(schemas, 'common/cyber-observable-core.json'), 'utf8')));
  return names;
}

test('intel export: every object of a simulated week passes its official schema and the receiver checks; no bare custom property', async () => {
  const out = join(folder, 'export-1.json');
  const said = await cli([
    'intel',
    'export',
    '--db',
    db,
    '--all',
    '--org',
    'Lab A',
    '--tlp',
    'green',
    '--out',
    out,
  ]);
  assert.match(said, /wrote .* \(TLP:GREEN\): \d+ campaign\(s\)/);
  report = JSON.parse(readFileSync(join(folder, 'first-days.json'), 'utf8')) as AnalysisReport;
  const objects = objectsOf(out);
  for (const object of objects) assert.equal(schemaProblem(object), null, object.id);
  const check = checkBundle(JSON.parse(readFileSync(out, 'utf8')));
  assert.equal(check.envelope, null);
  assert.deepEqual(check.problems, []);
  const types = new Set(objects.map((object) => object.type));
  for (const type of [
    'identity',
    'campaign',
    'intrusion-set',
    'indicator',
    'observed-data',
    'attack-pattern',
    'relationship',
    'report',
    'marking-definition',
    'extension-definition',
  ])
    assert.ok(types.has(type), `the bundle has a ${type}`);
  assert.equal(
    objects.filter((object) => object.type === 'campaign').length,
    report.campaigns.length,
  );
  // ATLAS techniques and the case study
  const atlas = JSON.stringify(
    objects.filter((object) => object.type === 'attack-pattern' || object.type === 'campaign'),
  );
  for (const id of [
    'AML.T0024.002',
    'AML.T0005.001',
    'AML.T0040',
    'AML.T0021',
    'AML.T0008.005',
    'AML.CS0056',
  ])
    assert.ok(atlas.includes(`"external_id":"${id}"`), id);
  // TLP:GREEN on everything about the campaigns; CLEAR on who we are and the ATLAS techniques
  const green = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
  const clear = 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487';
  for (const object of objects) {
    if (object.type === 'marking-definition' || object.type === 'extension-definition') continue;
    if (object.type === 'identity')
      assert.ok(
        object.name === 'DistillGuard project' || String(object.object_marking_refs) === clear,
        object.id,
      );
    else if (object.type === 'attack-pattern')
      assert.deepEqual(object.object_marking_refs, [clear], object.id);
    else assert.deepEqual(object.object_marking_refs, [green], object.id);
  }
  // custom properties only inside extensions defined in the bundle
  const defined = new Set(
    objects.filter((object) => object.type === 'extension-definition').map((object) => object.id),
  );
  const folderOf: Record<string, string> = {
    relationship: 'sros',
    'marking-definition': 'common',
    'extension-definition': 'common',
  };
  for (const object of objects) {
    for (const extension of Object.keys(
      (object.extensions as Record<string, unknown> | undefined) ?? {},
    ))
      assert.ok(
        defined.has(extension) ||
          extension === 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d',
        `${object.id}: ${extension}`,
      );
    const schemaFile = readdirSync(join(repositoryRoot, 'contracts/stix/schemas/sdos')).includes(
      `${object.type}.json`,
    )
      ? `sdos/${object.type}.json`
      : folderOf[object.type]
        ? `${folderOf[object.type]}/${object.type}.json`
        : null;
    if (schemaFile === null) {
      // the fingerprint SCO: the properties its extension definition names
      assert.equal(object.type, 'distillguard-fingerprint');
      assert.deepEqual(Object.keys(object).sort(), [
        'extensions',
        'id',
        'key_id',
        'kind',
        'object_marking_refs',
        'spec_version',
        'type',
        'value',
      ]);
      continue;
    }
    const known = schemaProperties(schemaFile);
    for (const name of Object.keys(object))
      assert.ok(known.has(name), `${object.id}: bare property '${name}'`);
  }
});

test('intel export: no prompt, account id, address, email domain or payment token of the campaigns is in the bundle', () => {
  const text = readFileSync(join(folder, 'export-1.json'), 'utf8');
  const members = new Set(report.campaigns.flatMap((campaign) => campaign.accounts));
  assert.ok(members.size > 10);
  const secrets = new Set<string>();
  for (const line of readFileSync(join(traffic, 'accounts.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const account = JSON.parse(line) as Record<string, string>;
    if (!members.has(account.account_id)) continue;
    for (const field of ['account_id', 'payment_fingerprint', 'email_domain', 'signup_ip'])
      if (account[field]) secrets.add(account[field]);
  }
  let prompts = 0;
  for (const line of readFileSync(join(folder, 'first-days.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const record = JSON.parse(line) as Interaction;
    if (!members.has(record.account_id)) continue;
    if (record.client?.ip) secrets.add(record.client.ip);
    const message = JSON.stringify(record.request).slice(0, 2000);
    const words = /"content":"([^"]{40,})/.exec(message)?.[1];
    if (words && prompts < 500) {
      secrets.add(words.slice(0, 40));
      prompts += 1;
    }
  }
  assert.ok(prompts > 50, `prompts sampled: ${prompts}`);
  for (const secret of secrets) assert.ok(!text.includes(secret), `the bundle holds '${secret}'`);
});

test('intel export again: same ids and versions; a changed finding is a new version; a withdrawn one is revoked', async () => {
  const first = objectsOf(join(folder, 'export-1.json'));
  const again = join(folder, 'export-2.json');
  assert.match(
    await cli([
      'intel',
      'export',
      '--db',
      db,
      '--all',
      '--org',
      'Lab A',
      '--tlp',
      'green',
      '--out',
      again,
    ]),
    /0 new version/,
  );
  const second = objectsOf(again);
  assert.deepEqual(
    new Map(second.map((object) => [object.id, object])),
    new Map(first.map((object) => [object.id, object])),
  );

  // the whole week: the same campaigns are bigger
  await cli([
    'analyze',
    '--interactions',
    join(traffic, 'interactions.jsonl'),
    '--accounts',
    join(traffic, 'accounts.jsonl'),
    '--out',
    join(folder, 'week.json'),
    '--db',
    db,
  ]);
  const week = join(folder, 'export-3.json');
  const said = await cli([
    'intel',
    'export',
    '--db',
    db,
    '--all',
    '--org',
    'Lab A',
    '--tlp',
    'green',
    '--out',
    week,
  ]);
  // the detector's campaign ids stay here: the export names each by a keyed label
  const labelOf = new Map(
    [...said.matchAll(/^ {2}(\S+) is (dc-[0-9a-f]{16}) \((campaign--[0-9a-f-]+)\)/gm)].map(
      (match) => [match[1], match[2]],
    ),
  );
  const stixIdOf = new Map(
    [...said.matchAll(/^ {2}(\S+) is (dc-[0-9a-f]{16}) \((campaign--[0-9a-f-]+)\)/gm)].map(
      (match) => [match[1], match[3]],
    ),
  );
  const weekText = readFileSync(week, 'utf8');
  assert.ok(labelOf.size >= 1);
  for (const campaignId of labelOf.keys())
    assert.ok(!weekText.includes(campaignId), `${campaignId} is in the bundle`);
  const before = new Map(
    first.filter((object) => object.type === 'campaign').map((object) => [object.id, object]),
  );
  const weekIds = (
    JSON.parse(readFileSync(join(folder, 'week.json'), 'utf8')) as AnalysisReport
  ).campaigns.map((campaign) => labelOf.get(campaign.campaign_id));
  // campaigns found again over the week (the first days' others stay stored, unchanged)
  const changed = objectsOf(week).filter(
    (object) =>
      object.type === 'campaign' &&
      before.has(object.id) &&
      weekIds.some((id) => String(object.name).endsWith(` ${id}`)),
  );
  assert.ok(changed.length >= 1, 'a campaign of the first days is found again over the week');
  for (const campaign of changed) {
    const earlier = before.get(campaign.id) as StixObject;
    assert.equal(campaign.created, earlier.created);
    assert.ok(
      String(campaign.modified) > String(earlier.modified),
      `${campaign.id} has a later version`,
    );
  }

  const withdrawn = (JSON.parse(readFileSync(join(folder, 'week.json'), 'utf8')) as AnalysisReport)
    .campaigns[0].campaign_id;
  await cli([
    'intel',
    'withdraw',
    '--db',
    db,
    '--campaign',
    withdrawn,
    '--reason',
    'a university course, confirmed by the account owner',
  ]);
  const revokedOut = join(folder, 'export-4.json');
  assert.match(
    await cli([
      'intel',
      'export',
      '--db',
      db,
      '--all',
      '--org',
      'Lab A',
      '--tlp',
      'green',
      '--out',
      revokedOut,
    ]),
    /1 revoked/,
  );
  const revoked = objectsOf(revokedOut).filter(
    (object) => object.type === 'campaign' && object.revoked === true,
  );
  assert.equal(revoked.length, 1);
  assert.equal(revoked[0].id, stixIdOf.get(withdrawn));
  // its indicators are revoked with it
  const indicates = objectsOf(revokedOut).filter(
    (object) =>
      object.type === 'relationship' &&
      object.relationship_type === 'indicates' &&
      object.target_ref === revoked[0].id,
  );
  assert.ok(indicates.length > 0);
  for (const relationship of indicates) assert.equal(relationship.revoked, true);
  const check = checkBundle(JSON.parse(readFileSync(revokedOut, 'utf8')));
  assert.deepEqual(check.problems, []);
});

test('intel keys rotate: new indicators use the new key; the old one is kept for matching', async () => {
  const rotateDb = join(folder, 'rotate.db');
  await cli(['intel', 'keys', 'create', '--key-id', 'old-key', '--db', rotateDb]);
  assert.match(
    await cli(['intel', 'keys', 'rotate', '--key-id', 'new-key', '--db', rotateDb]),
    /1 earlier key\(s\) retired/,
  );
  const listed = await cli(['intel', 'keys', 'list', '--db', rotateDb]);
  assert.match(listed, /old-key\tcreated\t.*\tretired .* \(still matched\)/);
  assert.match(listed, /new-key\tcreated\t.*\tactive/);
  assert.ok(
    !listed.includes(readFileSync(rotateDb).toString('latin1').slice(0, 0) + 'secret'),
    'no secret listed',
  );
  const exported = join(folder, 'export-none.json');
  assert.match(
    await cli(
      ['intel', 'export', '--db', rotateDb, '--all', '--org', 'Lab A', '--out', exported],
      64,
    ),
    /no campaign findings/,
  );
  // on the analysed store: rotation changes the key id in every fingerprint pattern
  await cli(['intel', 'keys', 'rotate', '--key-id', 'community-2', '--db', db]);
  const out = join(folder, 'export-rotated.json');
  await cli(['intel', 'export', '--db', db, '--all', '--org', 'Lab A', '--out', out]);
  const patterns = objectsOf(out)
    .filter((object) => object.type === 'indicator' && object.revoked !== true)
    .map((object) => String(object.pattern));
  assert.ok(patterns.length > 0);
  for (const pattern of patterns) assert.match(pattern, /key_id = 'community-2'/);
  // the indicators under the old key are revoked, so partners stop matching them
  const old = objectsOf(out).filter(
    (object) =>
      object.type === 'indicator' && /key_id = 'community-1'/.test(String(object.pattern)),
  );
  assert.ok(old.length > 0);
  for (const indicator of old) assert.equal(indicator.revoked, true, String(indicator.id));
});

test('intel import: the official apt1 and poisonivy examples import and re-export without loss; a second import changes nothing', async () => {
  for (const name of ['apt1', 'poisonivy']) {
    const file = join(repositoryRoot, 'fixtures/stix/examples/threat-reports', `${name}.json`);
    const partnerDb = join(folder, `${name}.db`);
    const original = objectsOf(file);
    assert.match(
      await cli(['intel', 'import', file, '--db', partnerDb, '--from', 'mitre-partner']),
      new RegExp(`${original.length} new, 0 already stored, 0 rejected`),
    );
    assert.match(
      await cli(['intel', 'import', file, '--db', partnerDb, '--from', 'mitre-partner']),
      new RegExp(`0 new, ${original.length} already stored, 0 rejected`),
    );
    const out = join(folder, `${name}-again.json`);
    await cli(['intel', 'export', '--db', partnerDb, '--received', '--tlp', 'red', '--out', out]);
    const again = objectsOf(out);
    const byId = new Map(again.map((object) => [object.id, object]));
    assert.equal(again.length, original.length);
    for (const object of original) assert.deepEqual(byId.get(object.id), object, object.id);
    // unmarked objects count as AMBER: a GREEN re-export holds them back
    assert.match(
      await cli([
        'intel',
        'export',
        '--db',
        partnerDb,
        '--received',
        '--tlp',
        'green',
        '--out',
        out,
      ]),
      /held back by their marking/,
    );
  }
});

test('intel import: bad bundles are refused with the line, object and field at fault; the good objects go in', async () => {
  const badDb = join(folder, 'bad.db');
  const notJson = join(folder, 'not-json.json');
  writeFileSync(notJson, '{"type": "bundle",\n  "id": oops}\n');
  assert.match(
    await cli(['intel', 'import', notJson, '--db', badDb], 2),
    /not-json\.json:2:\d+: not JSON/,
  );
  const notBundle = join(folder, 'not-bundle.json');
  writeFileSync(notBundle, JSON.stringify({ type: 'report', id: 'report--1' }));
  assert.match(
    await cli(['intel', 'import', notBundle, '--db', badDb], 2),
    /not a STIX 2.1 bundle .*nothing imported/,
  );
  const original = objectsOf(
    join(repositoryRoot, 'fixtures/stix/examples/threat-reports/apt1.json'),
  );
  const broken = original.map((object) => ({ ...object }));
  const indicatorIndex = broken.findIndex((object) => object.type === 'indicator');
  broken[indicatorIndex].pattern = "[domain-name:value = 'unterminated]";
  const unknownIndex = broken.length;
  broken.push({ type: 'campaign', id: 'campaign--not-a-uuid' });
  const mixed = join(folder, 'mixed.json');
  writeFileSync(
    mixed,
    JSON.stringify({
      type: 'bundle',
      id: 'bundle--6f0d3a5e-1c3b-4b8f-9d2e-7a1b2c3d4e5f',
      objects: broken,
    }),
  );
  const said = await cli(['intel', 'import', mixed, '--db', badDb, '--from', 'partner-b'], 2);
  assert.match(
    said,
    new RegExp(
      `objects\\[${indicatorIndex}\\] ${broken[indicatorIndex].id} at '/pattern': the STIX pattern does not parse`,
    ),
  );
  assert.match(said, new RegExp(`objects\\[${unknownIndex}\\] campaign--not-a-uuid at '/id'`));
  const stored = join(folder, 'mixed-again.json');
  await cli(['intel', 'export', '--db', badDb, '--received', '--tlp', 'red', '--out', stored]);
  const kept = objectsOf(stored);
  // the broken indicator and whatever refers to it stayed out; everything else went in
  assert.ok(!kept.some((object) => object.id === broken[indicatorIndex].id));
  const referring = original.filter(
    (object) =>
      JSON.stringify(object).includes(broken[indicatorIndex].id) &&
      object.id !== broken[indicatorIndex].id,
  ).length;
  assert.equal(kept.length, original.length - 1 - referring);
  assert.match(
    await cli(['intel', 'validate', mixed], 2),
    /objects\(s\)|object\(s\) of .* are not valid/,
  );
});

test('intel import: only an object’s creator makes its versions; one timestamp written at two precisions is one version', async () => {
  // lab A's own campaign, "revised" by someone else and sent back
  const ours = objectsOf(join(folder, 'export-1.json')).find(
    (object) => object.type === 'campaign',
  ) as StixObject;
  const forged = { ...ours, modified: '2099-01-01T00:00:00.000Z', revoked: true };
  const forgery = join(folder, 'forged.json');
  writeFileSync(
    forgery,
    JSON.stringify({
      type: 'bundle',
      id: 'bundle--6f0d3a5e-1c3b-4b8f-9d2e-7a1b2c3d4e5f',
      objects: [forged],
    }),
  );
  assert.match(
    await cli(['intel', 'import', forgery, '--db', db, '--from', 'someone'], 2),
    /this organisation made this object: only its creator makes new versions of it/,
  );
  // the same, unchanged, coming back through a hub is fine
  const echo = join(folder, 'echo.json');
  writeFileSync(
    echo,
    JSON.stringify({
      type: 'bundle',
      id: 'bundle--6f0d3a5e-1c3b-4b8f-9d2e-7a1b2c3d4e5e',
      objects: [ours],
    }),
  );
  assert.match(
    await cli(['intel', 'import', echo, '--db', db, '--from', 'hub']),
    /0 new, 1 already stored, 0 rejected/,
  );

  // a partner's indicator: a later version by another creator is refused; '.000Z' is '.000000Z'
  const partnerDb = join(folder, 'versions.db');
  const indicator = {
    type: 'indicator',
    spec_version: '2.1',
    id: 'indicator--7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    created_by_ref: 'identity--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    pattern: "[ipv4-addr:value = '198.51.100.1']",
    pattern_type: 'stix',
    valid_from: '2026-01-01T00:00:00Z',
  };
  const identity = {
    type: 'identity',
    spec_version: '2.1',
    id: indicator.created_by_ref,
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    name: 'Lab C',
  };
  const write = (name: string, objects: unknown[]) => {
    const file = join(folder, name);
    writeFileSync(
      file,
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--6f0d3a5e-1c3b-4b8f-9d2e-7a1b2c3d4e5d',
        objects,
      }),
    );
    return file;
  };
  assert.match(
    await cli(['intel', 'import', write('v1.json', [identity, indicator]), '--db', partnerDb]),
    /2 new/,
  );
  // the same version written at another precision is the same version: other bytes are refused
  assert.match(
    await cli(
      [
        'intel',
        'import',
        write('v1-again.json', [{ ...indicator, modified: '2026-01-01T00:00:00.000000Z' }]),
        '--db',
        partnerDb,
      ],
      2,
    ),
    /this id and version \(2026-01-01T00:00:00\.000000000Z\) is already stored with different content/,
  );
  const impostor = {
    ...indicator,
    modified: '2026-02-01T00:00:00.000Z',
    revoked: true,
    created_by_ref: 'identity--1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  };
  const impostorIdentity = { ...identity, id: impostor.created_by_ref, name: 'Mallory' };
  assert.match(
    await cli(
      ['intel', 'import', write('v2.json', [impostorIdentity, impostor]), '--db', partnerDb],
      2,
    ),
    /is not the creator of the stored versions/,
  );
});

test('intel validate - reads the bundle from standard input', async () => {
  const text = readFileSync(
    join(repositoryRoot, 'fixtures/stix/examples/threat-reports/poisonivy.json'),
    'utf8',
  );
  const result = await runCli(['intel', 'validate', '-'], { stdin: text });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^-: 155 of 155 objects valid$/m);
});
