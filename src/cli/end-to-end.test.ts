// End to end through a live gateway, in one file so that the two run one after the other: each
// saturates both cores of a small machine, and the gateway's live detector runs under SCHED_IDLE,
// so two at once can leave a detector with no CPU for the whole replay (decision record
// 2026-11-27-detector-sched-idle).
// 1. `distillguard demo` as the README's first command runs it (a smaller week): it narrates, ends
//    with a summary checked against the simulator's labels, and leaves benign and benchmark
//    accounts alone.
// 2. A simulated week replayed through a live gateway with `distillguard replay`. Every account the
//    gateway acted against must be a campaign account by the simulator's labels (which the
//    detector never reads), and benchmark accounts must never be throttled or blocked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Labels } from '../core/index.js';
import { parseGatewayConfig, startGateway } from '../gateway/index.js';
import { simulate } from '../sim/index.js';
import { startFakeUpstream } from '../test-support/fake-openai-upstream.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

test(
  'demo: simulate, serve, replay, narrate, a case taken to nomination with its evidence package, and a summary that holds against the labels',
  { timeout: 600_000 },
  async () => {
    const folder = temporaryDirectory('dg-demo-');
    try {
      const result = await runCli(['demo', '--scale', '0.01', '--dir', join(folder, 'demo')]);
      assert.equal(result.code, 0, result.stderr);
      const out = result.stdout;
      assert.match(out, /campaign cmp_\w+ found: \d+ linked accounts/);
      assert.match(out, /^\[\d\d:\d\d\] (throttle|verify|degrade|block) +acct_\w+/m);
      const acted = /campaign accounts acted against: (\d+) of (\d+)/.exec(out);
      assert.ok(acted, out);
      assert.ok(Number(acted[1]) >= 1, 'some campaign account was acted against');
      assert.match(out, /benign or benchmark accounts acted against: 0\n/);
      assert.match(out, /benchmark accounts throttled or blocked: 0\n/);
      assert.match(out, /Where to look next/);
      assert.ok(
        existsSync(join(folder, 'demo', 'gateway.db')),
        'the gateway store it points to exists',
      );
      // the designation story: a case on the top campaign, reviewed, shared, packaged
      assert.match(out, /case-1: opened by ana, reviewed and approved for sharing by rui and sam/);
      assert.match(
        out,
        /case-1: shared by lia with the hub at http:\/\/127\.0\.0\.1:\d+\/taxii2\/ \((\d+) of \1 STIX objects accepted\)/,
      );
      assert.match(out, /case case-1 on campaign cmp_\w+ \(\d+ accounts\): nominated/);
      const packageDir = join(folder, 'demo', 'evidence', 'case-1');
      for (const file of ['report.html', 'stix-bundle.json', 'verify.txt', 'log/entries.json'])
        assert.ok(existsSync(join(packageDir, file)), `${file} in the evidence package`);
      const verified = await runCli(['log', 'verify', '--db', join(folder, 'demo', 'cases.db')]);
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
      const shown = await runCli([
        'cases',
        'show',
        'case-1',
        '--db',
        join(folder, 'demo', 'cases.db'),
        '--as',
        'ana',
        '--token-file',
        join(folder, 'demo', 'tokens', 'ana.token'),
      ]);
      assert.match(shown.stdout, /^case-1: nominated/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);

const enforcement = new Set(['throttle', 'verify', 'degrade', 'block']);

test(
  'replay of a --scale 0.05 week: only campaign accounts are acted against, benchmarks never refused',
  { timeout: 600_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-replay-'));
    const upstream = await startFakeUpstream({ reply: 'A short answer.' });
    const adminToken = 'replay-acceptance-admin-token';
    try {
      await simulate({ out: join(folder, 'traffic'), scale: 0.05, seed: 17 });
      const gateway = await startGateway({
        port: 0,
        databasePath: join(folder, 'gateway.db'),
        upstream: upstream.url,
        adminToken,
        acceptReplayTime: true,
        logLevel: 'error',
        config: parseGatewayConfig({ detection: { assess_every_ms: 1_000 } }),
      });
      let decisions;
      try {
        const result = await runCli([
          'replay',
          '--traffic',
          join(folder, 'traffic'),
          '--gateway',
          gateway.url,
          '--admin-token',
          adminToken,
          '--speed',
          '1e9',
          '--concurrency',
          '32',
          '--out',
          join(folder, 'replay.json'),
        ]);
        assert.equal(result.code, 0, result.stderr);
        decisions = await gateway.store.readDecisions();
      } finally {
        await gateway.close();
      }
      const labels = JSON.parse(
        readFileSync(join(folder, 'traffic', 'labels.json'), 'utf8'),
      ) as Labels;
      const summary = JSON.parse(readFileSync(join(folder, 'replay.json'), 'utf8')) as {
        sent: number;
        per_account: Record<string, Record<string, number>>;
      };
      const classOf = (accountId: string) => labels.accounts[accountId]?.class;
      const acted = new Set(
        decisions.filter((row) => enforcement.has(row.action)).map((row) => row.accountId),
      );
      const wrongful = [...acted].filter((accountId) => classOf(accountId) !== 'campaign');
      assert.deepEqual(
        wrongful.map((accountId) => `${accountId} (${classOf(accountId)})`),
        [],
        'accounts acted against that are not campaign accounts',
      );
      const campaignAccounts = Object.keys(labels.accounts).filter(
        (accountId) => classOf(accountId) === 'campaign',
      );
      // not vacuous: the live gateway acts on most of the campaign accounts within the week
      assert.ok(
        acted.size >= campaignAccounts.length / 2,
        `acted against ${acted.size} of ${campaignAccounts.length} campaign accounts`,
      );
      const benchmarks = Object.keys(labels.accounts).filter(
        (accountId) => classOf(accountId) === 'benchmark',
      );
      assert.ok(benchmarks.length > 0);
      for (const accountId of benchmarks) {
        const statuses = summary.per_account[accountId] ?? {};
        assert.equal(
          (statuses['403'] ?? 0) + (statuses['429'] ?? 0),
          0,
          `benchmark account ${accountId} was refused: ${JSON.stringify(statuses)}`,
        );
        assert.ok(!acted.has(accountId));
      }
    } finally {
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
