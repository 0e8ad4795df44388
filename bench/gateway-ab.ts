// Is a change to the gateway slower? Two builds of the gateway (this checkout's and a baseline's,
// e.g. a `git worktree` of an older commit, built) and the bare proxy, all on core 0, take turns in
// alternating rounds at the same fixed open-loop rate; the report is the median of the per-round
// differences (this build minus the baseline), beside each target's median. Both gateways run for
// the whole run (each idle while the other is measured), so they see the same machine.
// The two slots are not quite equal on a 2-core VM (the second gateway started has shown a longer
// tail): run the same build in both slots (A/A) for the slot's own difference, and the builds
// both ways round (--this-main swaps them) before reading a difference of a few tenths at p99.
// Usage: npm run bench:gateway-ab -- --baseline-main ../old/dist/src/cli/main.js [--rate 1000] [--rounds 6] [--duration 10] [--json FILE]
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chatRequestBodies } from './chat-bodies.js';
import { describePauses, hostPauses } from './host-pauses.js';
import { median } from './measure.js';
import { runOpenLoop, type OpenLoopResult } from './open-loop.js';
import {
  freePort,
  pinSelf,
  startServerProcess,
  tasksetAvailable,
  type ServerProcess,
} from './server-process.js';
import {
  builtCliMain,
  chatLoadHeaders,
  gatewayEnv,
  gatewayServeArgs,
  startBareProxy,
  startFakeUpstream,
} from './bench-targets.js';

const { values } = parseArgs({
  options: {
    'baseline-main': { type: 'string' },
    /** The build under test (default: this checkout's dist/src/cli/main.js). */
    'this-main': { type: 'string' },
    rate: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '6' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    prime: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    accounts: { type: 'string', default: '100' },
    json: { type: 'string' },
  },
});
const fail = (message: string): never => {
  process.stderr.write(`gateway-ab: ${message}\n`);
  process.exit(1);
};
const baselineMain =
  values['baseline-main'] ??
  fail(
    "--baseline-main PATH is required: the baseline build's dist/src/cli/main.js (git worktree add ../old COMMIT, npm run build there).",
  );
if (!existsSync(baselineMain))
  fail(`--baseline-main: no file at ${baselineMain}; build the baseline first.`);
const thisMain = values['this-main'] ?? builtCliMain;
if (!existsSync(thisMain)) fail(`--this-main: no file at ${thisMain}; run npm run build.`);
const [rate, rounds, duration] = [
  Number(values.rate),
  Number(values.rounds),
  Number(values.duration),
];
if (!(rate > 0) || !(duration > 0) || !(rounds >= 1))
  fail('--rate and --duration must be positive numbers, --rounds at least 1.');
if (!tasksetAvailable || cpus().length < 2)
  fail(
    'needs taskset (util-linux) and two cores: the servers share core 0, the load generator and fake upstream core 1.',
  );

const work = mkdtempSync(join(tmpdir(), 'distillguard-gateway-ab-'));
pinSelf('1');
const upstreamPort = await freePort();
const upstream = await startFakeUpstream(upstreamPort, '1');
const proxyPort = await freePort();
const proxy = await startBareProxy(proxyPort, upstream.url, '0');
async function startGatewayBuild(name: string, main: string): Promise<ServerProcess> {
  const port = await freePort();
  return startServerProcess(
    name,
    [
      process.execPath,
      main,
      'serve',
      ...gatewayServeArgs(port, upstream.url, join(work, `${name}.db`)),
    ],
    port,
    { cores: '0', env: gatewayEnv() },
  );
}
const targets: Record<string, ServerProcess> = {
  baseline: await startGatewayBuild('baseline', baselineMain),
  'this build': await startGatewayBuild('this', thisMain),
  'bare proxy': proxy,
};
const names = Object.keys(targets);

const bodies = chatRequestBodies(20, false);
const load = (origin: string, durationS: number, warmupS: number): Promise<OpenLoopResult> =>
  runOpenLoop({
    origin,
    path: '/v1/chat/completions',
    rate,
    durationS,
    warmupS,
    connections: Number(values.connections),
    streaming: false,
    body: (index) => bodies[index % bodies.length],
    headers: chatLoadHeaders(Number(values.accounts)),
  });

const log = (line: string) => process.stderr.write(`${line}\n`);
const pausesBefore = await hostPauses(['1'], 2);
log(`host pauses on core 1 before the run: ${describePauses(pausesBefore)}`);
for (const name of names) await load(targets[name].url, Number(values.prime), 0);
const results: Record<string, OpenLoopResult[]> = Object.fromEntries(
  names.map((name) => [name, []]),
);
// A gateway leaves work behind after a round (its write thread and live detector catch up at low
// priority on the same core), which lands on whatever runs next: the two gateways never follow
// each other. Even rounds: baseline, proxy, this build; odd rounds the reverse, so that each
// gateway is preceded by the proxy or by itself equally often.
const orders = [
  ['baseline', 'bare proxy', 'this build'],
  ['this build', 'bare proxy', 'baseline'],
];
for (let round = 0; round < rounds; round += 1) {
  for (const name of orders[round % 2]) {
    const result = await load(targets[name].url, duration, Number(values.warmup));
    results[name].push(result);
    const errors = Object.values(result.errors).reduce((sum, count) => sum + count, 0);
    log(
      `round ${round + 1} ${name}: p50 ${result.latency.p50.toFixed(3)} ms p99 ${result.latency.p99.toFixed(3)} ms max ${result.latency.max.toFixed(1)} ms errors ${errors}`,
    );
  }
}
await Promise.all([...Object.values(targets).map((target) => target.stop()), upstream.stop()]);
rmSync(work, { recursive: true, force: true });

const summary = Object.fromEntries(
  (['p50', 'p99'] as const).map((key) => {
    const differences = results['this build'].map(
      (result, round) => result.latency[key] - results.baseline[round].latency[key],
    );
    return [
      key,
      {
        this_minus_baseline_ms: Number(median(differences).toFixed(3)),
        per_round: differences.map((value) => Number(value.toFixed(3))),
        medians_ms: Object.fromEntries(
          names.map((name) => [
            name,
            Number(median(results[name].map((result) => result.latency[key])).toFixed(3)),
          ]),
        ),
      },
    ];
  }),
);
for (const [key, entry] of Object.entries(summary)) {
  log(
    `${key}: this build minus baseline ${entry.this_minus_baseline_ms} ms (rounds ${entry.per_round.join(', ')}); medians ${Object.entries(
      entry.medians_ms,
    )
      .map(([name, value]) => `${name} ${value}`)
      .join(', ')}`,
  );
}
if (values.json)
  writeFileSync(
    values.json,
    `${JSON.stringify({ options: values, host_pauses_before: pausesBefore, summary }, null, 2)}\n`,
  );
