// Throttle buckets in Redis against buckets in memory: two gateways that throttle every account (at
// a rate far above the load, so none is refused and every request takes tokens) and the bare proxy,
// all on core 0, take turns at the same fixed open-loop rate in alternating rounds. The report is
// each gateway's latency over the bare proxy's (the floor, measured in the same rounds) and the
// median per-round difference Redis minus memory: what sharing the limits across gateways costs.
// Redis runs where the machine runs it (its own core is not pinned).
// Usage: npm run bench:counters -- [--redis redis://127.0.0.1:6379] [--rate 1000] [--rounds 6] [--duration 10] [--json FILE]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { chatLoadHeaders, startBareProxy, startFakeUpstream } from './bench-targets.js';

const { values } = parseArgs({
  options: {
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
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
  process.stderr.write(`counters bench: ${message}\n`);
  process.exit(1);
};
const [rate, rounds, duration] = [
  Number(values.rate),
  Number(values.rounds),
  Number(values.duration),
];
if (!(rate > 0) || !(duration > 0) || !(rounds >= 1))
  fail('--rate and --duration must be positive numbers, --rounds at least 1.');
if (!tasksetAvailable || cpus().length < 2)
  fail('needs taskset (util-linux) and two cores: the servers on core 0, the load on core 1.');
const redisUrl = new URL(values.redis);
const redisAnswers = await new Promise<boolean>((resolve) => {
  const socket = connect(Number(redisUrl.port || 6379), redisUrl.hostname, () => {
    socket.destroy();
    resolve(true);
  });
  socket.once('error', () => resolve(false));
});
if (!redisAnswers) fail(`nothing answers at ${values.redis}: start Redis or pass --redis URL.`);

const work = mkdtempSync(join(tmpdir(), 'distillguard-counters-'));
pinSelf('1');
const upstream = await startFakeUpstream(await freePort(), '1');
const proxy = await startBareProxy(await freePort(), upstream.url, '0');
const gatewayScript = fileURLToPath(new URL('./throttled-gateway.js', import.meta.url));
async function startThrottledGateway(name: string, redis: string | null): Promise<ServerProcess> {
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--upstream',
    upstream.url,
    '--db',
    join(work, `${name}.db`),
  ];
  if (redis) args.push('--redis', redis);
  return startServerProcess(name, [process.execPath, gatewayScript, ...args], port, { cores: '0' });
}
const targets: Record<string, ServerProcess> = {
  'memory counters': await startThrottledGateway('memory', null),
  'redis counters': await startThrottledGateway('redis', values.redis),
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
// the two gateways never follow each other (each leaves write-thread work behind), and each is
// preceded by the proxy or by itself equally often
const orders = [
  ['memory counters', 'bare proxy', 'redis counters'],
  ['redis counters', 'bare proxy', 'memory counters'],
];
for (let round = 0; round < rounds; round += 1) {
  for (const name of orders[round % 2]) {
    const result = await load(targets[name].url, duration, Number(values.warmup));
    results[name].push(result);
    const errors = Object.values(result.errors).reduce((sum, count) => sum + count, 0);
    log(
      `round ${round + 1} ${name}: p50 ${result.latency.p50.toFixed(3)} ms p99 ${result.latency.p99.toFixed(3)} ms ok ${result.ok} errors ${errors} ${JSON.stringify(result.errors)}`,
    );
  }
}
await Promise.all([...Object.values(targets).map((target) => target.stop()), upstream.stop()]);
rmSync(work, { recursive: true, force: true });

const summary = Object.fromEntries(
  (['p50', 'p99'] as const).map((key) => {
    const perRound = (name: string) => results[name].map((result) => result.latency[key]);
    const overFloor = (name: string) =>
      median(perRound(name).map((value, round) => value - perRound('bare proxy')[round]));
    const differences = perRound('redis counters').map(
      (value, round) => value - perRound('memory counters')[round],
    );
    return [
      key,
      {
        redis_minus_memory_ms: Number(median(differences).toFixed(3)),
        per_round: differences.map((value) => Number(value.toFixed(3))),
        added_over_bare_proxy_ms: {
          'memory counters': Number(overFloor('memory counters').toFixed(3)),
          'redis counters': Number(overFloor('redis counters').toFixed(3)),
        },
        medians_ms: Object.fromEntries(
          names.map((name) => [name, Number(median(perRound(name)).toFixed(3))]),
        ),
      },
    ];
  }),
);
for (const [key, entry] of Object.entries(summary)) {
  log(
    `${key}: redis minus memory ${entry.redis_minus_memory_ms} ms (rounds ${entry.per_round.join(', ')}); over the bare proxy: memory ${entry.added_over_bare_proxy_ms['memory counters']} ms, redis ${entry.added_over_bare_proxy_ms['redis counters']} ms; medians ${Object.entries(
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
