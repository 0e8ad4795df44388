// The dashboard's reads under /admin/v1/ over a real socket, on a simulated week analysed into the
// store, as an analyst and a viewer would check them: the overview's traffic adds up to what is
// stored and its campaigns come riskiest first; a campaign's accounts add up to its interactions and
// its graph holds exactly its accounts; an account's exchanges page through once each; a viewer sees
// pseudonyms and no prompt text; and a watermark audit started from the dashboard finds the
// campaign's cohort key in a suspect that serves marked text, and nothing in a clean one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AnalysisReport } from '../core/index.js';
import { addUser } from '../designate/index.js';
import { checkBundle, tlpMarkingIds } from '../intel/index.js';
import { startReferenceModelServer, type ReferenceServer } from '../refmodel/index.js';
import { cohortOf } from '../respond/index.js';
import { SqliteStore } from '../store/index.js';
import { analysedWeek } from '../test-support/analysed-week.js';
import { startFakeUpstream, type FakeUpstream } from '../test-support/fake-openai-upstream.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';
import { fixedWatermarkKey } from '../test-support/watermark-keys.js';
import { deriveCohortKey, watermarkProcessor } from '../watermark/index.js';
import { parseGatewayConfig } from './gateway-config.js';
import { loadKeyHashSecret } from './key-hash-secret.js';
import { startGateway, type RunningGateway } from './server.js';

const folder = temporaryDirectory('dg-dashboard-');
const traffic = join(folder, 'traffic');
const databasePath = join(folder, 'provider.db');
const master = fixedWatermarkKey('kgw', 'dashboard-master');
const tokens = new Map<string, string>();
const linkKinds = new Set([
  'template',
  'skeleton',
  'payment',
  'address',
  'organization',
  'signup_burst',
  'synchrony',
]);
let report: AnalysisReport;
let upstream: FakeUpstream;
let gateway: RunningGateway;

interface Answer {
  status: number;
  text: string;
  json: any;
}

async function call(method: string, path: string, user: string | null, body?: object) {
  const response = await fetch(`${gateway.url}/admin/v1${path}`, {
    method,
    headers: {
      ...(user ? { authorization: `Bearer ${tokens.get(user)}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) } as Answer;
}

async function read(path: string, user: string): Promise<any> {
  const answer = await call('GET', path, user);
  assert.equal(answer.status, 200, `${path}: ${answer.text}`);
  return answer.json;
}

/** Every string in a parsed answer, joined: what a reader of the page could see, unescaped. */
function shownText(value: unknown, into: string[] = []): string {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) shownText(item, into);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      shownText(item, into);
    }
  return into.join('\u0000');
}

/** Every string of a request body at least `min` characters long: the prompt text, system prompts and tools. */
function promptTexts(value: unknown, min = 24, into: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.length >= min) into.push(value);
  } else if (Array.isArray(value)) for (const item of value) promptTexts(item, min, into);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) promptTexts(item, min, into);
  return into;
}

/** The simulated interactions of one account, from the file the simulator wrote. */
async function interactionsOf(
  accountId: string,
): Promise<{ id: string; request: unknown; client?: { ip?: string } }[]> {
  const found = [];
  const lines = createInterface({ input: createReadStream(join(traffic, 'interactions.jsonl')) });
  for await (const line of lines)
    if (line.includes(`"account_id":"${accountId}"`)) {
      const record = JSON.parse(line) as {
        id: string;
        account_id: string;
        request: unknown;
        client?: { ip?: string };
      };
      if (record.account_id === accountId) found.push(record);
    }
  return found;
}

function accountRecords(): Map<string, Record<string, string>> {
  return new Map(
    readFileSync(join(traffic, 'accounts.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, string>)
      .map((record) => [record.account_id, record]),
  );
}

before(async () => {
  const week = await analysedWeek(folder, databasePath, {
    scale: '0.05',
    seed: '21',
    people: [
      ['dana', 'admin'],
      ['ana', 'analyst'],
      ['rui', 'reviewer'],
      ['vic', 'viewer'],
      ['lia', 'liaison'],
    ],
    master,
  });
  report = week.report;
  for (const [name, token] of week.tokens) tokens.set(name, token);
  upstream = await startFakeUpstream();
  gateway = await startGateway({
    port: 0,
    databasePath,
    upstream: upstream.url,
    logLevel: 'silent',
    config: parseGatewayConfig({
      watermark: {
        master_key_file: week.masterKeyFile,
        default_scheme: 'kgw',
        audit_prompts_file: week.auditPromptsFile,
      },
      intel: { organization: { name: 'Provider Lab' } },
    }),
  });
});

after(async () => {
  await gateway?.close();
  await upstream?.close();
  // the simulated week is about 140 MB
  rmSync(folder, { recursive: true, force: true });
});

describe('the dashboard API on a simulated week', () => {
  test('401 without a user token', async () => {
    for (const path of ['/campaigns', '/overview', '/campaigns/x', '/accounts']) {
      const anonymous = await call('GET', path, null);
      assert.equal(anonymous.status, 401, path);
      assert.match(anonymous.text, /Authorization: Bearer <token>/);
    }
  });

  test('live updates: a hello on connecting, for users only', async () => {
    assert.equal((await call('GET', '/events', null)).status, 401);
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/admin/v1/events`, {
      headers: { authorization: `Bearer ${tokens.get('vic')}` },
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const hello = /^event: hello\ndata: (.*)\n\n/.exec(first);
    assert.ok(hello, first);
    assert.equal(JSON.parse(hello[1]).seq, await gateway.store.lastInteractionSeq());
  });

  test('overview: traffic adds up to the stored exchanges; campaigns riskiest first', async () => {
    const overview = await read('/overview', 'vic');
    const total = overview.traffic.reduce(
      (sum: number, bucket: { requests: number }) => sum + bucket.requests,
      0,
    );
    assert.equal(total, report.input.interactions);
    assert.equal(overview.bucket_ms, 3_600_000);
    // a week of hourly buckets, oldest first
    const times = overview.traffic.map((bucket: { t: number }) => bucket.t);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.ok(times.length >= 7 * 24 - 1 && times.length <= 7 * 24 + 1, `${times.length} buckets`);
    const risks = overview.campaigns.map((campaign: { risk: number }) => campaign.risk);
    assert.deepEqual(
      risks,
      [...risks].sort((a, b) => b - a),
    );
    assert.deepEqual(
      overview.campaigns.map((campaign: { campaign_id: string }) => campaign.campaign_id).sort(),
      report.campaigns.map((campaign) => campaign.campaign_id).sort(),
    );
    assert.equal(
      overview.benchmark.accounts,
      report.accounts.filter((account) => account.verdict === 'benchmark').length,
    );
  });

  test('a campaign: every account, requests adding up to its interactions, a timeline, a graph of exactly its accounts', async () => {
    for (const expected of report.campaigns) {
      const campaign = await read(`/campaigns/${expected.campaign_id}`, 'ana');
      // the report's `interactions` counts the requests of the campaign's (flagged) accounts
      assert.deepEqual(
        campaign.accounts.map((account: { account_id: string }) => account.account_id).sort(),
        [...expected.accounts].sort(),
      );
      const requests = campaign.accounts.reduce(
        (sum: number, account: { requests: number }) => sum + account.requests,
        0,
      );
      assert.equal(requests, expected.interactions, expected.campaign_id);
      assert.equal(campaign.interactions, expected.interactions);
      const timeline = campaign.timeline.traffic.reduce(
        (sum: number, bucket: { requests: number }) => sum + bucket.requests,
        0,
      );
      assert.equal(timeline, expected.interactions, `${expected.campaign_id} timeline`);
      assert.ok(campaign.timeline.models.length >= 1);

      const graph = await read(`/campaigns/${expected.campaign_id}/graph`, 'ana');
      const accountNodes = graph.nodes.filter((node: { kind: string }) => node.kind === 'account');
      assert.deepEqual(
        accountNodes.map((node: { label: string }) => node.label).sort(),
        [...expected.accounts].sort(),
      );
      // the graph is the one detection found the campaign in: every edge joins two members, named
      // by the kind of link that weighs most, and every member is linked to another
      assert.equal(graph.source, 'detector');
      const linked = new Set<number>();
      for (const [from, to, kind] of graph.edges as [number, number, string][]) {
        assert.equal(graph.nodes[from]?.kind, 'account', `edge ${from}-${to}`);
        assert.equal(graph.nodes[to]?.kind, 'account', `edge ${from}-${to}`);
        assert.notEqual(from, to);
        assert.ok(linkKinds.has(kind), `edge kind ${kind}`);
        linked.add(from).add(to);
      }
      if (expected.accounts.length > 1)
        assert.equal(
          linked.size,
          expected.accounts.length,
          `${expected.campaign_id}: unlinked members`,
        );
      for (const node of graph.nodes)
        assert.ok(Number.isFinite(node.x) && Number.isFinite(node.y), node.label);
    }
    assert.equal((await call('GET', '/campaigns/cmp_nothing', 'ana')).status, 404);
  });

  test('a liaison exports a campaign to STIX at the TLP asked, without account ids or user content, and the export is logged; others may not', async () => {
    const top = [...report.campaigns].sort((a, b) => b.risk - a.risk)[0];
    const path = `/campaigns/${top.campaign_id}/stix`;
    for (const user of ['ana', 'vic']) {
      const refused = await call('POST', path, user, { tlp: 'green' });
      assert.equal(refused.status, 403, `${user}: ${refused.text}`);
      assert.equal(refused.json.error.code, 'role_required');
    }
    const wrongTlp = await call('POST', path, 'lia', { tlp: 'purple' });
    assert.equal(wrongTlp.status, 400);
    assert.equal(wrongTlp.json.error.param, 'tlp');

    // indicators are keyed: without a community key the liaison is told how to make one
    const keyless = await call('POST', path, 'lia', { tlp: 'green' });
    assert.equal(keyless.status, 400);
    assert.match(
      keyless.json.error.message,
      /no community key: create one with `distillguard intel keys create`/,
    );
    const created = await runCli(['intel', 'keys', 'create', '--db', databasePath]);
    assert.equal(created.code, 0, created.stderr);

    const exported = await call('POST', path, 'lia', { tlp: 'amber' });
    assert.equal(exported.status, 200, exported.text);
    const bundle = exported.json as { type: string; objects: Record<string, unknown>[] };
    assert.equal(bundle.type, 'bundle');
    assert.deepEqual(checkBundle(bundle).problems, []);
    assert.equal(bundle.objects.filter((object) => object.type === 'campaign').length, 1);
    assert.ok(
      bundle.objects.some((object) => object.type === 'identity' && object.name === 'Provider Lab'),
      'created by the organisation the config names',
    );
    // the campaign and its indicators at the TLP asked (public objects, such as the producer's
    // identity and ATLAS techniques, are CLEAR whatever the export's TLP)
    const shared = bundle.objects.filter(
      (object) => object.type === 'campaign' || object.type === 'indicator',
    );
    assert.ok(shared.length > 1);
    for (const object of shared)
      assert.deepEqual(object.object_marking_refs, [tlpMarkingIds.amber], String(object.id));
    // keyed fingerprints only: no account id, address or prompt of the campaign
    const accounts = accountRecords();
    for (const member of top.accounts) {
      assert.ok(!exported.text.includes(member), `${member} left the provider`);
      const facts = accounts.get(member);
      for (const value of [facts?.payment_fingerprint, facts?.signup_ip].filter(Boolean))
        assert.ok(!exported.text.includes(value as string), `${value} left the provider`);
    }
    const prompts = (await interactionsOf(top.accounts[0])).flatMap((record) =>
      promptTexts(record.request),
    );
    for (const prompt of prompts.slice(0, 50))
      assert.ok(!exported.text.includes(prompt.slice(0, 24)), 'prompt text left the provider');
    // logged as an intel export by the liaison, with the bundle's hash
    const store = SqliteStore.open(databasePath);
    try {
      const entries = (await store.designation.readLogEntries())
        .map((row) => JSON.parse(row.entry.toString('utf8')) as Record<string, unknown>)
        .filter((entry) => entry.kind === 'intel.export' && entry.channel === 'dashboard');
      assert.equal(entries.length, 1);
      assert.equal(entries[0].actor, 'lia');
      assert.equal(entries[0].tlp, 'amber');
      assert.equal(entries[0].objects, bundle.objects.length);
    } finally {
      await store.close();
    }
  });

  test("an account's exchanges page through once each; an analyst reads one raw, a viewer may not", async () => {
    const top = [...report.campaigns].sort((a, b) => b.risk - a.risk)[0];
    const campaign = await read(`/campaigns/${top.campaign_id}`, 'ana');
    const busiest = [...campaign.accounts].sort(
      (a: { requests: number }, b: { requests: number }) => b.requests - a.requests,
    )[0] as { account_id: string; requests: number };
    const stored = await interactionsOf(busiest.account_id);
    assert.equal(stored.length, busiest.requests);
    assert.ok(stored.length > 60, `${stored.length} exchanges`);

    const seen: string[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const query: string = before ? `&before=${encodeURIComponent(before)}` : '';
      const page = await read(`/accounts/${busiest.account_id}/exchanges?limit=29${query}`, 'ana');
      pages += 1;
      seen.push(...page.exchanges.map((exchange: { id: string }) => exchange.id));
      const times = page.exchanges.map((exchange: { ts_ms: number }) => exchange.ts_ms);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
        'newest first',
      );
      before = page.next_before;
    } while (before !== null && pages < 1000);
    assert.equal(new Set(seen).size, seen.length, 'no exchange twice');
    assert.deepEqual([...seen].sort(), stored.map((record) => record.id).sort());
    assert.equal(
      (await call('GET', `/accounts/${busiest.account_id}/exchanges?before=yesterday`, 'ana'))
        .status,
      400,
    );

    const raw = await read(`/exchanges/${seen[0]}`, 'ana');
    assert.equal(raw.record.id, seen[0]);
    assert.equal(raw.record.account_id, busiest.account_id);
    const simulated = stored.find((record) => record.id === seen[0]);
    assert.deepEqual(raw.record.request, simulated?.request);
    const denied = await call('GET', `/exchanges/${seen[0]}`, 'vic');
    assert.equal(denied.status, 403);
    assert.equal(denied.json.error.code, 'role_required');
    assert.equal((await call('GET', '/exchanges/req_nothing', 'ana')).status, 404);
  });

  test('a viewer sees pseudonyms: no prompt text, card, email domain or address of an account', async () => {
    const top = [...report.campaigns].sort((a, b) => b.risk - a.risk)[0];
    const accounts = accountRecords();
    const member = top.accounts.find((id) => accounts.get(id)?.email_domain) as string;
    const facts = accounts.get(member) as Record<string, string>;
    const stored = await interactionsOf(member);
    const prompts = [...new Set(stored.flatMap((record) => promptTexts(record.request)))];
    assert.ok(prompts.length > 0);
    const secrets = [
      facts.payment_fingerprint,
      facts.email_domain,
      facts.signup_ip,
      ...stored.map((record) => record.client?.ip).filter((ip): ip is string => Boolean(ip)),
    ].filter(Boolean);

    const pages = [
      '/overview',
      `/campaigns/${top.campaign_id}`,
      `/campaigns/${top.campaign_id}/graph`,
      '/accounts',
      `/accounts/${member}`,
      `/accounts/${member}/exchanges?limit=500`,
    ];
    const analystSees = (await Promise.all(pages.map((path) => read(path, 'ana')))).map((body) =>
      shownText(body),
    );
    const viewerSees = (await Promise.all(pages.map((path) => read(path, 'vic')))).map((body) =>
      shownText(body),
    );
    // the analyst's pages hold the personal data (so the check below can fail), the viewer's do not
    const analystText = analystSees.join('\u0000');
    for (const value of [facts.payment_fingerprint, facts.email_domain, facts.signup_ip])
      assert.ok(analystText.includes(value), `the analyst sees ${value}`);
    viewerSees.forEach((text, index) => {
      for (const value of secrets)
        assert.ok(!text.includes(value), `${pages[index]} shows ${value} to a viewer`);
      for (const prompt of prompts) {
        assert.ok(!text.includes(prompt), `${pages[index]} shows prompt text to a viewer`);
        assert.ok(!text.includes(prompt.slice(0, 24)), `${pages[index]} shows a prompt's start`);
      }
    });
    // a campaign analysed before detection kept its links is drawn from the cards, email domains and
    // networks its members share; those read as on the account pages
    const store = SqliteStore.open(databasePath);
    try {
      // a view kept by an earlier analysis is stale: the route draws the campaign again
      await store.dashboard.saveCampaignView(top.campaign_id, '2000-01-01T00:00:00.000Z', '{}');
    } finally {
      await store.close();
    }
    const analystGraph = await read(`/campaigns/${top.campaign_id}/graph`, 'ana');
    assert.equal(analystGraph.source, 'infrastructure');
    const viewerGraph = await read(`/campaigns/${top.campaign_id}/graph`, 'vic');
    const field = { card: 'payment_fingerprint', 'email domain': 'email_domain' } as const;
    const shownAs = { card: 'card', 'email domain': 'email_domain' } as const;
    let compared = 0;
    for (const [index, node] of (
      analystGraph.nodes as { kind: string; label: string }[]
    ).entries()) {
      if (node.kind !== 'card' && node.kind !== 'email domain') continue;
      const kind = node.kind as keyof typeof field;
      const holder = top.accounts.find(
        (id) => accounts.get(id)?.[field[kind]]?.toLowerCase() === node.label,
      ) as string;
      assert.ok(holder, `${node.kind} ${node.label} belongs to a member`);
      const viewerNode = viewerGraph.nodes[index];
      assert.equal(viewerNode.kind, node.kind);
      const page = await read(`/accounts/${holder}`, 'vic');
      assert.equal(viewerNode.label, page.facts[shownAs[kind]], `the ${node.kind} of ${holder}`);
      compared += 1;
    }
    assert.ok(compared > 0, 'the campaign shares a card or an email domain');
    const viewerAccount = await read(`/accounts/${member}`, 'vic');
    assert.equal(viewerAccount.may_read_raw, false);
    assert.notEqual(viewerAccount.facts.card, null);
    assert.notEqual(viewerAccount.facts.card, facts.payment_fingerprint);
    // a pseudonym is stable: the same card reads the same on the campaign page
    const viewerCampaign = await read(`/campaigns/${top.campaign_id}`, 'vic');
    assert.equal(
      viewerCampaign.accounts.find(
        (account: { account_id: string }) => account.account_id === member,
      ).card,
      viewerAccount.facts.card,
    );
  });

  test('an analyst opens a case from the campaign page but may not approve it', async () => {
    const top = [...report.campaigns].sort((a, b) => b.risk - a.risk)[0];
    const opened = await call('POST', '/cases', 'ana', {
      campaign_id: top.campaign_id,
      reason: 'top campaign of the week',
    });
    assert.equal(opened.status, 201, opened.text);
    const caseId = opened.json.case_id as string;
    for (const to of ['evidence', 'internal-review'])
      assert.equal(
        (await call('POST', `/cases/${caseId}/transitions`, 'ana', { to, reason: 'r' })).status,
        200,
      );
    const approves = await call('POST', `/cases/${caseId}/approvals`, 'ana', {
      to: 'shared',
      reason: 'ok',
    });
    assert.equal(approves.status, 403);
    assert.equal(approves.json.error.code, 'role_required');
    const campaign = await read(`/campaigns/${top.campaign_id}`, 'vic');
    assert.deepEqual(campaign.cases, [{ case_id: caseId, state: 'internal-review' }]);
    const overview = await read('/overview', 'vic');
    assert.deepEqual(
      overview.campaigns.find(
        (entry: { campaign_id: string }) => entry.campaign_id === top.campaign_id,
      ).cases,
      [{ case_id: caseId, state: 'internal-review' }],
    );
  });
});

describe('watermark audits from the dashboard', () => {
  let marked: ReferenceServer;
  let clean: ReferenceServer;
  const cohorts = 16;

  before(async () => {
    const top = [...report.campaigns].sort((a, b) => b.risk - a.risk)[0];
    const cohort = cohortOf({ campaignId: top.campaign_id, accountId: '' }, cohorts);
    // a suspect whose answers carry the campaign's cohort mark, as a model distilled from them would
    marked = await startReferenceModelServer({
      port: 0,
      logitsProcessor: watermarkProcessor(deriveCohortKey(master, String(cohort))),
    });
    clean = await startReferenceModelServer({ port: 0 });
  });

  after(async () => {
    await marked?.close();
    await clean?.close();
  });

  async function finished(auditId: string): Promise<any> {
    for (let attempt = 0; attempt < 600; attempt += 1) {
      const audit = await read(`/audits/${auditId}`, 'vic');
      if (audit.status !== 'running') return audit;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`audit ${auditId} did not finish in a minute`);
  }

  test('requests are checked field by field; a viewer may not start one', async () => {
    const top = [...report.campaigns].sort((a, b) => b.risk - a.risk)[0];
    const good = {
      suspect_url: `${marked.url}/v1`,
      model: 'suspect-1',
      campaign_id: top.campaign_id,
    };
    const cases: [object, string][] = [
      [{ ...good, suspect_url: undefined }, 'suspect_url'],
      [{ ...good, suspect_url: 'ftp://example.com/v1' }, 'suspect_url'],
      [{ ...good, suspect_url: 'http://user:secret@example.com/v1' }, 'suspect_url'],
      [{ ...good, model: '' }, 'model'],
      [{ ...good, prompts: 0 }, 'prompts'],
      [{ ...good, samples_per_prompt: 1.5 }, 'samples_per_prompt'],
      [{ ...good, max_tokens: 'many' }, 'max_tokens'],
      [{ ...good, campaign_id: 'cmp_nothing' }, 'campaign_id'],
      [{ ...good, campaign_id: undefined }, 'campaign_id'],
      [{ ...good, cohort: 3 }, 'cohort'],
      [{ ...good, campaign_id: undefined, cohort: cohorts }, 'cohort'],
      [{ ...good, key: 'master.json' }, 'key'],
    ];
    for (const [body, param] of cases) {
      const refused = await call('POST', '/audits', 'ana', body);
      assert.equal(refused.status, 400, `${JSON.stringify(body)}: ${refused.text}`);
      assert.equal(refused.json.error.param, param, refused.text);
      assert.match(refused.json.error.message, new RegExp(`^${param}: `));
    }
    const viewer = await call('POST', '/audits', 'vic', good);
    assert.equal(viewer.status, 403);
    assert.equal(viewer.json.error.code, 'role_required');
    assert.deepEqual((await read('/audits', 'vic')).audits, [], 'nothing was started');
  });

  test("a suspect serving the campaign's cohort mark is radioactive and the cohort is named; a clean one is not", async () => {
    const top = [...report.campaigns].sort((a, b) => b.risk - a.risk)[0];
    const cohort = cohortOf({ campaignId: top.campaign_id, accountId: '' }, cohorts);
    const ask = (suspect: ReferenceServer) => ({
      suspect_url: `${suspect.url}/v1`,
      model: 'suspect-1',
      campaign_id: top.campaign_id,
      prompts: 40,
      max_tokens: 200,
      rate: 1000,
    });
    const listed = await read('/audits', 'vic');
    assert.equal(listed.can_start, true);

    // one at a time: of two started together, one runs and the other is refused
    const [first, second] = await Promise.all([
      call('POST', '/audits', 'ana', ask(marked)),
      call('POST', '/audits', 'ana', ask(marked)),
    ]);
    const statuses = [first.status, second.status].sort();
    assert.deepEqual(statuses, [202, 409], `${first.text} ${second.text}`);
    const started = first.status === 202 ? first : second;
    const refused = first.status === 202 ? second : first;
    assert.equal(refused.json.error.code, 'audit_unavailable');
    assert.match(refused.json.error.message, /still running/);
    assert.equal(started.json.status, 'running');
    assert.equal(started.json.started_by, 'ana');
    assert.equal(started.json.request.cohort, cohort);

    const radioactive = await finished(started.json.audit_id);
    assert.equal(radioactive.status, 'done', radioactive.error);
    assert.equal(radioactive.verdict, 'radioactive');
    assert.ok(radioactive.log10_p_value < -10, `p = 10^${radioactive.log10_p_value}`);
    assert.equal(radioactive.named_cohort, String(cohort));
    const evidence = radioactive.evidence;
    assert.equal(evidence.key.key_id, deriveCohortKey(master, String(cohort)).key_id);
    assert.equal(evidence.key.master_key_id, master.key_id);
    assert.equal(evidence.cohorts.keys.length, cohorts);
    assert.equal(evidence.null.at_or_below_real, 0);
    assert.equal(evidence.counts.prompts, 40);
    assert.equal(evidence.counts.answers, 40);
    assert.ok(!JSON.stringify(radioactive).includes(master.secret), 'no secret in the audit');

    const cleanRun = await call('POST', '/audits', 'ana', ask(clean));
    assert.equal(cleanRun.status, 202, cleanRun.text);
    const notDetected = await finished(cleanRun.json.audit_id);
    assert.equal(notDetected.status, 'done', notDetected.error);
    assert.equal(notDetected.verdict, 'not_detected');
    assert.ok(notDetected.log10_p_value > -3, `clean p = 10^${notDetected.log10_p_value}`);
    assert.equal(notDetected.named_cohort, null);
    assert.ok(notDetected.scored_tuples >= 1000, `${notDetected.scored_tuples} tuples`);

    const audits = (await read('/audits', 'vic')).audits;
    assert.deepEqual(
      audits.map((audit: { audit_id: string }) => audit.audit_id).sort(),
      [radioactive.audit_id, notDetected.audit_id].sort(),
    );
  });

  test('a wrong suspect URL: the audit fails with the reason', async () => {
    const wrong = await call('POST', '/audits', 'ana', {
      suspect_url: `${clean.url}/wrong/v1`,
      model: 'm',
      cohort: 0,
      prompts: 2,
      rate: 1000,
    });
    assert.equal(wrong.status, 202, wrong.text);
    const failed = await finished(wrong.json.audit_id);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error, /the suspect gave no answers \(HTTP 404/);
  });

  test('an audit still running when the gateway stops is recorded as failed, not left running', async () => {
    const silent = await startFakeUpstream({ headDelayMs: 120_000 });
    try {
      const started = await call('POST', '/audits', 'ana', {
        suspect_url: silent.url,
        model: 'm',
        cohort: 0,
        prompts: 2,
        rate: 1000,
      });
      assert.equal(started.status, 202, started.text);
      for (let waited = 0; silent.received.length === 0 && waited < 10_000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(silent.received.length > 0, 'the suspect was asked');
      await gateway.close();
    } finally {
      await silent.close();
    }
    const store = SqliteStore.open(databasePath);
    try {
      const runs = await store.dashboard.listAuditRuns();
      assert.deepEqual(
        runs.filter((run) => run.status === 'running'),
        [],
      );
      const stopped = runs.find((run) => run.error?.includes('stopped'));
      assert.equal(stopped?.error, 'the gateway stopped before the audit finished.');
    } finally {
      await store.close();
    }
  });
});

test('a gateway without a watermark or an organisation says what to configure for audits and exports, and fails an audit a killed server left running', async () => {
  const bareFolder = temporaryDirectory('dg-dashboard-bare-');
  // a server killed mid-audit left its row 'running'
  const earlier = SqliteStore.open(join(bareFolder, 'gateway.db'));
  await earlier.dashboard.addAuditRun({
    auditId: 'audit-killed',
    startedBy: 'ana',
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: null,
    status: 'running',
    request: '{}',
    evidence: null,
    error: null,
  });
  await earlier.close();
  const bare = await startGateway({
    port: 0,
    databasePath: join(bareFolder, 'gateway.db'),
    upstream: upstream.url,
    logLevel: 'silent',
  });
  try {
    const secret = await loadKeyHashSecret({
      databasePath: bare.startup.store,
      store: bare.store,
    });
    await addUser(bare.store.designation, secret, { name: 'dana', role: 'admin', by: null });
    const setupToken = (
      await addUser(bare.store.designation, secret, {
        name: 'ana',
        role: 'analyst',
        by: { name: 'dana', role: 'admin' },
      })
    ).token;
    const headers = { authorization: `Bearer ${setupToken}` };
    const listed = (await (await fetch(`${bare.url}/admin/v1/audits`, { headers })).json()) as {
      can_start: boolean;
      unavailable: string;
    };
    assert.equal(listed.can_start, false);
    assert.match(listed.unavailable, /no watermark.*`watermark` section to --config/);
    const killed = (await (
      await fetch(`${bare.url}/admin/v1/audits/audit-killed`, { headers })
    ).json()) as { status: string; error: string };
    assert.equal(killed.status, 'failed');
    assert.match(killed.error, /the server stopped while this audit ran/);
    const refused = await fetch(`${bare.url}/admin/v1/audits`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ suspect_url: 'http://127.0.0.1:9/v1', model: 'm', cohort: 0 }),
    });
    assert.equal(refused.status, 409);
    assert.equal(((await refused.json()) as any).error.code, 'audit_unavailable');
    // nor can it export to STIX before its config names who reports
    const liaison = (
      await addUser(bare.store.designation, secret, {
        name: 'lia',
        role: 'liaison',
        by: { name: 'dana', role: 'admin' },
      })
    ).token;
    const anonymous = await fetch(`${bare.url}/admin/v1/campaigns/cmp_any/stix`, {
      method: 'POST',
      headers: { authorization: `Bearer ${liaison}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tlp: 'green' }),
    });
    assert.equal(anonymous.status, 409);
    assert.match(
      ((await anonymous.json()) as any).error.message,
      /set intel.organization.name in the --config file/,
    );
  } finally {
    await bare.close();
    rmSync(bareFolder, { recursive: true, force: true });
  }
});
