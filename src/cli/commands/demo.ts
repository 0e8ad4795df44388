// `distillguard demo`: the whole story on one machine with no network. Simulates a week of API
// traffic, starts the reference model and the gateway, replays the week through it, and narrates
// the campaigns found, the actions taken and the benchmark accounts left alone.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Labels } from '../../core/index.js';
import { parseGatewayConfig, startGateway } from '../../gateway/index.js';
import { replay } from '../../replay/index.js';
import { simulate } from '../../sim/index.js';
import { DemoNarrator } from '../demo/narrator.js';
import { startReferenceProcess } from '../demo/reference-process.js';
import { tellDesignationStory, type DesignationStory } from '../demo/designation-story.js';
import { SqliteStore } from '../../store/index.js';
import { parseNonNegativeInteger, parsePositiveInteger, parsePositiveNumber } from '../options.js';

interface DemoOptions {
  dir: string;
  scale: number;
  seed: number;
  speed: number;
  maxTokens: number;
  /** Serve the dashboard on the demo's store at the end (default: when the terminal is interactive). */
  dashboard?: boolean;
  dashboardPort: number;
}

const count = (value: number) => value.toLocaleString('en-US');

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'simulate a week of traffic, replay it through the gateway and the reference model, and narrate what is found and done',
    )
    .option(
      '--dir <folder>',
      'where the simulated traffic and the gateway store go (replaced on each run)',
      './distillguard-demo',
    )
    .option(
      '--scale <x>',
      'size of the simulated week (0.05: about 60,000 requests)',
      parsePositiveNumber,
      0.05,
    )
    .option('--seed <n>', 'simulation seed', parseNonNegativeInteger, 7)
    .option(
      '--speed <n>',
      'replay speed: simulated seconds per real second',
      parsePositiveNumber,
      20_000,
    )
    .option('--max-tokens <n>', 'cap on generated tokens per request', parsePositiveInteger, 24)
    .option(
      '--dashboard',
      "at the end, serve the dashboard on the demo's store until Ctrl-C (the default in a terminal)",
    )
    .option(
      '--no-dashboard',
      'end without serving the dashboard (the default when not in a terminal)',
    )
    .option('--dashboard-port <port>', 'port of the dashboard', parsePositiveInteger, 8080)
    .action(async (options: DemoOptions) => runDemo(options));
}

async function runDemo(options: DemoOptions): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const dir = resolve(options.dir);
  const traffic = join(dir, 'traffic');
  const database = join(dir, 'gateway.db');
  for (const store of [database, join(dir, 'cases.db'), join(dir, 'hub.db')])
    if (existsSync(store))
      for (const suffix of ['', '-wal', '-shm', '.key-hash-secret', '.log-key'])
        rmSync(`${store}${suffix}`, { force: true });
  for (const folder of ['evidence', 'tokens'])
    rmSync(join(dir, folder), { recursive: true, force: true });
  mkdirSync(traffic, { recursive: true });
  const narrator = new DemoNarrator(out);

  narrator.say(
    `simulating a week of API traffic (scale ${options.scale}, seed ${options.seed})...`,
  );
  const simulated = await simulate({ out: traffic, scale: options.scale, seed: options.seed });
  const byClass = new Map<string, number>();
  for (const population of simulated.populations)
    byClass.set(population.class, (byClass.get(population.class) ?? 0) + population.accounts);
  narrator.say(
    `${count(simulated.interactions)} requests from ${count(simulated.accounts)} accounts: ${[...byClass].map(([name, accounts]) => `${accounts} ${name}`).join(', ')}`,
  );

  const reference = await startReferenceProcess();
  narrator.say(`reference model (n-gram over a real BPE tokenizer) serving at ${reference.url}`);
  const adminToken = randomBytes(24).toString('base64url');
  const gateway = await startGateway({
    port: 0,
    databasePath: database,
    upstream: reference.url,
    adminToken,
    acceptReplayTime: true,
    logLevel: 'error',
    config: parseGatewayConfig({ detection: { assess_every_ms: 2_000 } }),
    onAssessment: (assessment) => narrator.assessment(assessment),
  });
  narrator.say(
    `gateway listening on ${gateway.url}, live detection every 2 s; replaying the week at ${count(options.speed)}x...`,
  );
  const decisionTimer = setInterval(() => {
    // a failed read is tried again at the next tick; the last one, after the replay, reports it
    narrator.decisions(gateway.store).catch(() => undefined);
  }, 1_000);
  let lastProgress = 0;
  let summary;
  try {
    summary = await replay({
      traffic,
      gateway: gateway.url,
      adminToken,
      speed: options.speed,
      concurrency: 32,
      maxTokens: options.maxTokens,
      onProgress: (progress) => {
        if (Date.now() - lastProgress < 15_000) return;
        lastProgress = Date.now();
        narrator.say(
          `replayed ${count(progress.sent)} of ${count(simulated.interactions)} requests`,
        );
      },
    });
    await gateway.recorder.drain();
    narrator.assessment(
      await gateway.detection.assessNow(await gateway.store.lastInteractionSeq()),
    );
    await new Promise((done) => setTimeout(done, 1_200));
    await narrator.decisions(gateway.store);
  } finally {
    clearInterval(decisionTimer);
    await gateway.close();
    await reference.stop();
  }

  const labels = JSON.parse(readFileSync(join(traffic, 'labels.json'), 'utf8')) as Labels;
  const classOf = (accountId: string) => labels.accounts[accountId]?.class ?? 'unknown';
  const actedIds = new Set(narrator.enforced.keys());
  const strongest = new Map<string, number>();
  for (const row of narrator.actions.values())
    if (actedIds.has(row.accountId))
      strongest.set(row.action, (strongest.get(row.action) ?? 0) + 1);
  const campaignAccounts = Object.keys(labels.accounts).filter((id) => classOf(id) === 'campaign');
  const wrongful = [...actedIds].filter((id) => classOf(id) !== 'campaign');
  const benchmarkIds = Object.keys(labels.accounts).filter((id) => classOf(id) === 'benchmark');
  const benchmarkRefused = benchmarkIds.filter((id) => {
    const statuses = summary.per_account[id] ?? {};
    return (statuses['403'] ?? 0) + (statuses['429'] ?? 0) > 0;
  });
  const statusLine = Object.entries(summary.statuses)
    .sort()
    .map(([status, total]) => `${status}: ${count(total)}`)
    .join(', ');
  narrator.say('the designation story: from the top campaign to an evidence package...');
  const story = await tellDesignationStory(dir, traffic, (text) => narrator.say(text));

  out('');
  out('Summary');
  out(
    `  replayed ${count(summary.sent)} requests in ${summary.elapsed_s.toFixed(0)} s (${statusLine})`,
  );
  out(
    `  accounts acted against (throttle, verify, degrade or block): ${actedIds.size}; where they ended: ${[...strongest].map(([action, total]) => `${action} ${total}`).join(', ') || 'none'}`,
  );
  out(
    `  benchmark accounts recognised: ${narrator.benchmarkAccounts.size}; benchmark accounts throttled or blocked: ${benchmarkRefused.length}`,
  );
  out(`  checked against the simulator's labels, which the detector never reads:`);
  out(
    `    campaign accounts acted against: ${campaignAccounts.filter((id) => actedIds.has(id)).length} of ${campaignAccounts.length}`,
  );
  out(
    `    benign or benchmark accounts acted against: ${wrongful.length}${wrongful.length ? ` (${wrongful.join(', ')})` : ''}`,
  );
  if (story) {
    out(
      `  case ${story.caseId} on campaign ${story.campaignId} (${story.accounts} accounts): ${story.state}`,
    );
    out(`    store of cases, users and the log: ${story.database}`);
    out(
      `    shared with the hub: ${story.hubUrl} (${story.pushed.accepted} of ${story.pushed.total} STIX objects accepted)`,
    );
    out(
      `    evidence package:  ${story.packageDir}/ (report.html${story.pdfMissing ? '' : ', report.pdf'}, stix-bundle.json, log/, verify.txt)`,
    );
    if (story.pdfMissing) out(`    no report.pdf: ${story.pdfMissing}`);
    out(`    transparency log:  ${story.checkpointSize} entries, signed by ${story.verifierKey}`);
  } else out('  no campaign in the analysis: no case opened');
  out('');
  out('Where to look next');
  out(`  every exchange:   npx distillguard export --db ${database} --out exchanges.jsonl`);
  if (story) {
    out(
      `  the case:         npx distillguard cases show ${story.caseId} --db ${story.database} --as ana --token-file ${join(story.tokens, 'ana.token')}`,
    );
    out(`  check the log:    npx distillguard log verify --db ${story.database}`);
    out(`  check the package: see ${join(story.packageDir, 'verify.txt')}`);
  }
  out(
    `  full analysis:    npx distillguard analyze --interactions ${join(traffic, 'interactions.jsonl')} --accounts ${join(traffic, 'accounts.jsonl')} --out report.json --db ${join(dir, 'analysis.db')}`,
  );
  out(
    '  run it yourself:  npx distillguard serve (docs/gateway.md); the ladder: docs/respond.md; detection: docs/detection.md',
  );
  if (story) await offerDashboard(options, story, database, out);
}

/**
 * The dashboard on the demo's store of findings and cases, with the gateway's enforcement
 * decisions copied in so that its overview shows what was done. In a terminal it is served until
 * Ctrl-C; otherwise the command to serve it is printed.
 */
async function offerDashboard(
  options: DemoOptions,
  story: DesignationStory,
  gatewayDatabase: string,
  out: (line: string) => void,
): Promise<void> {
  const from = SqliteStore.open(gatewayDatabase);
  const to = SqliteStore.open(story.database);
  try {
    await to.writeDecisions(await from.readDecisions());
  } finally {
    await from.close();
    await to.close();
  }
  const tokenFile = join(story.tokens, 'ana.token');
  const token = readFileSync(tokenFile, 'utf8').trim();
  out('');
  if (!(options.dashboard ?? process.stdout.isTTY === true)) {
    out('Dashboard');
    out(
      `  serve it:         npx distillguard serve --db ${story.database} --port ${options.dashboardPort}`,
    );
    out(
      `  then open         http://127.0.0.1:${options.dashboardPort}/ and log in as ana (analyst) with the token in ${tokenFile}`,
    );
    return;
  }
  const reference = await startReferenceProcess();
  const dashboard = await startGateway({
    port: options.dashboardPort,
    databasePath: story.database,
    upstream: reference.url,
    logLevel: 'error',
  });
  out('Dashboard');
  out(`  open              ${dashboard.url}/`);
  out(`  log in as ana (analyst) with the token ${token}`);
  out(`  (each demo user's token is in ${story.tokens}/); press Ctrl-C to stop`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await dashboard.close();
  await reference.stop();
}
