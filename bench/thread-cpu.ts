// CPU time per request, by thread: the gateway beside the bare proxy, each alone on core 0 at the
// same fixed open-loop rate, in alternating rounds. The gateway's total (request thread, write
// thread, V8's and libuv's helpers, and its live detector, a process of its own) against the
// proxy's is what the gateway costs in CPU beyond forwarding; at a rate near one core's capacity
// it says how much headroom is left. Linux only (reads /proc/PID/task/TID/schedstat).
// Usage: npm run bench:thread-cpu -- [--rate 2000] [--rounds 3] [--duration 10] [--gateway-main PATH] [--json FILE]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chatRequestBodies } from './chat-bodies.js';
import { runOpenLoop, type OpenLoopResult } from './open-loop.js';
import { median } from './measure.js';
import {
  childPids,
  freePort,
  pinSelf,
  readThreads,
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
    rate: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    prime: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    accounts: { type: 'string', default: '100' },
    'gateway-main': { type: 'string' },
    json: { type: 'string' },
  },
});
const fail = (message: string): never => {
  process.stderr.write(`thread-cpu: ${message}\n`);
  process.exit(1);
};
const rate = Number(values.rate);
const rounds = Number(values.rounds);
const duration = Number(values.duration);
if (!(rate > 0) || !(duration > 0) || !(rounds >= 1))
  fail('--rate and --duration must be positive numbers, --rounds at least 1.');
if (!tasksetAvailable || cpus().length < 2)
  fail('needs taskset (util-linux) and two cores: the servers run alone on core 0.');
try {
  readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`);
} catch {
  fail('needs Linux with /proc/PID/task/TID/schedstat.');
}

const work = mkdtempSync(join(tmpdir(), 'distillguard-thread-cpu-'));
pinSelf('1');
const upstreamPort = await freePort();
const upstream = await startFakeUpstream(upstreamPort, '1');
const proxyPort = await freePort();
const proxy = await startBareProxy(proxyPort, upstream.url, '0');
const gatewayPort = await freePort();
const gateway = await startServerProcess(
  'gateway',
  [
    process.execPath,
    values['gateway-main'] ?? builtCliMain,
    'serve',
    ...gatewayServeArgs(gatewayPort, upstream.url, join(work, 'gateway.db')),
  ],
  gatewayPort,
  { cores: '0', env: gatewayEnv() },
);

type Role = 'request thread' | 'write thread' | 'helper threads' | 'live detector';
const roles: Role[] = ['request thread', 'write thread', 'helper threads', 'live detector'];

/** Nanoseconds each thread of `pid` (and of its children) has run so far, by role; the write thread is the one at nice 10. */
function runTimes(pid: number): Record<Role, number> {
  const totals: Record<Role, number> = {
    'request thread': 0,
    'write thread': 0,
    'helper threads': 0,
    'live detector': 0,
  };
  const add = (owner: number, role: (tid: number, nice: number) => Role) => {
    for (const thread of readThreads(owner)) totals[role(thread.tid, thread.nice)] += thread.runNs;
  };
  add(pid, (tid, nice) =>
    tid === pid
      ? 'request thread'
      : nice === 10 && pid === gateway.pid
        ? 'write thread'
        : 'helper threads',
  );
  for (const child of childPids(pid)) add(child, () => 'live detector');
  return totals;
}

const bodies = chatRequestBodies(20);
const load = (
  target: ServerProcess,
  seconds: number,
  warmupS: number,
  requestRate: number,
): Promise<OpenLoopResult> =>
  runOpenLoop({
    origin: target.url,
    path: '/v1/chat/completions',
    rate: requestRate,
    durationS: seconds,
    warmupS,
    connections: Number(values.connections),
    body: (index) => bodies[index % bodies.length],
    headers: chatLoadHeaders(Number(values.accounts)),
    streaming: false,
  });

interface Round {
  round: number;
  target: 'gateway' | 'bare proxy';
  requests: number;
  achievedRate: number;
  p99Ms: number;
  /** µs of CPU per answered request, by role. */
  perRequestUs: Record<Role, number>;
  totalUs: number;
}
const log = (line: string) => process.stderr.write(`${line}\n`);
const targets = { gateway, 'bare proxy': proxy } as const;
// JIT, connection pools, the store's first pages: primed unmeasured
for (const target of Object.values(targets))
  await load(target, Number(values.prime), 0, Math.min(rate, 1000));
const measured: Round[] = [];
for (let round = 0; round < rounds; round += 1) {
  const order: (keyof typeof targets)[] =
    round % 2 === 0 ? ['gateway', 'bare proxy'] : ['bare proxy', 'gateway'];
  for (const name of order) {
    const target = targets[name];
    // the warm-up is at the same rate and not counted in the requests; its CPU is excluded by sampling after it
    await load(target, Number(values.warmup), 0, rate);
    const before = runTimes(target.pid);
    const result = await load(target, duration, 0, rate);
    const after = runTimes(target.pid);
    const requests = result.ok;
    const perRequestUs = Object.fromEntries(
      roles.map((role) => [
        role,
        requests > 0 ? (after[role] - before[role]) / 1000 / requests : 0,
      ]),
    ) as Record<Role, number>;
    const totalUs = roles.reduce((sum, role) => sum + perRequestUs[role], 0);
    measured.push({
      round,
      target: name,
      requests,
      achievedRate: result.achievedRate,
      p99Ms: result.latency.p99,
      perRequestUs,
      totalUs,
    });
    log(
      `round ${round + 1} ${name}: ${result.achievedRate.toFixed(0)} req/s, p99 ${result.latency.p99.toFixed(2)} ms, ${roles.map((role) => `${role} ${perRequestUs[role].toFixed(1)}`).join(', ')} µs per request; total ${totalUs.toFixed(1)}`,
    );
  }
}
await Promise.all([gateway.stop(), proxy.stop(), upstream.stop()]);
rmSync(work, { recursive: true, force: true });

const summary = (name: Round['target']) => {
  const of = measured.filter((round) => round.target === name);
  return {
    request_thread_us: median(of.map((round) => round.perRequestUs['request thread'])),
    write_thread_us: median(of.map((round) => round.perRequestUs['write thread'])),
    helper_threads_us: median(of.map((round) => round.perRequestUs['helper threads'])),
    live_detector_us: median(of.map((round) => round.perRequestUs['live detector'])),
    total_us: median(of.map((round) => round.totalUs)),
    core_share_at_rate: median(of.map((round) => (round.totalUs * rate) / 1e6)),
  };
};
const gatewaySummary = summary('gateway');
const proxySummary = summary('bare proxy');
// per round: the gateway against the proxy measured beside it in the same round
const totalOf = (round: number, name: Round['target']) =>
  measured.find((entry) => entry.round === round && entry.target === name)?.totalUs ?? NaN;
const ratios = Array.from(
  { length: rounds },
  (_, round) => totalOf(round, 'gateway') / totalOf(round, 'bare proxy'),
);
const fixed = (value: number) => value.toFixed(1).padStart(9);
const lines = [
  `CPU per request at ${rate} req/s, each server alone on core 0 (median of ${rounds} rounds of ${duration} s; µs of CPU per answered request)`,
  `  ${'target'.padEnd(12)}${['request', 'write', 'helpers', 'detector', 'total'].map((name) => name.padStart(9)).join('')}  core share at ${rate} req/s`,
  `  ${'gateway'.padEnd(12)}${fixed(gatewaySummary.request_thread_us)}${fixed(gatewaySummary.write_thread_us)}${fixed(gatewaySummary.helper_threads_us)}${fixed(gatewaySummary.live_detector_us)}${fixed(gatewaySummary.total_us)}  ${(gatewaySummary.core_share_at_rate * 100).toFixed(0)}%`,
  `  ${'bare proxy'.padEnd(12)}${fixed(proxySummary.request_thread_us)}${fixed(0)}${fixed(proxySummary.helper_threads_us)}${fixed(0)}${fixed(proxySummary.total_us)}  ${(proxySummary.core_share_at_rate * 100).toFixed(0)}%`,
  `  gateway / bare proxy, total, per round: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)})`,
  `  CPU ceiling of one core at these costs (no queueing, no other work): gateway ${Math.floor(1e6 / gatewaySummary.total_us)} req/s, bare proxy ${Math.floor(1e6 / proxySummary.total_us)} req/s`,
  '  (the live detector and the write thread run under SCHED_IDLE: they take the core when requests leave it idle, and detection lags when they cannot)',
];
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) {
  writeFileSync(
    values.json,
    `${JSON.stringify({ benchmark: 'thread-cpu', rate, rounds, duration_s: duration, machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`, rounds_measured: measured, gateway: gatewaySummary, bare_proxy: proxySummary, ratio_per_round: ratios }, null, 2)}\n`,
  );
}
