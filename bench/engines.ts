// What the scale-out engines cost the gateway: three gateways that throttle every account (at a
// rate far above the load, so none is refused and every request takes tokens), with buckets in
// memory, with buckets in Redis, and with buckets in memory plus every exchange published to NATS
// JetStream through the outbox, and the bare proxy, all on core 0, take turns at the same fixed
// open-loop rate in rotating rounds. The report is each gateway's latency over the bare proxy's
// (the floor, measured in the same rounds) and the median per-round differences against the
// memory gateway. Redis and NATS run where the machine runs them (not pinned).
// Usage: npm run bench:engines -- [--redis URL] [--nats URL] [--rate 1000] [--rounds 6] [--duration 10] [--json FILE]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import { reachable } from '../src/test-support/engines.js';
import { chatLoadHeaders, startBareProxy, startFakeUpstream } from './bench-targets.js';

const { values } = parseArgs({
  options: {
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
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
  process.stderr.write(`engines bench: ${message}\n`);
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
if (!(await reachable(values.redis)))
  fail(`nothing answers at ${values.redis}: start Redis or pass --redis URL.`);
if (!(await reachable(values.nats)))
  fail(`nothing answers at ${values.nats}: start NATS with JetStream or pass --nats URL.`);

const work = mkdtempSync(join(tmpdir(), 'distillguard-counters-'));
pinSelf('1');
const upstream = await startFakeUpstream(await freePort(), '1');
const proxy = await startBareProxy(await freePort(), upstream.url, '0');
const gatewayScript = fileURLToPath(new URL('./throttled-gateway.js', import.meta.url));
async function startThrottledGateway(
  name: string,
  engines: { redis?: string; nats?: string },
): Promise<ServerProcess> {
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--upstream',
    upstream.url,
    '--db',
    join(work, `${name}.db`),
  ];
  if (engines.redis) args.push('--redis', engines.redis);
  if (engines.nats) args.push('--nats', engines.nats);
  return startServerProcess(name, [process.execPath, gatewayScript, ...args], port, { cores: '0' });
}
const targets: Record<string, ServerProcess> = {
  'memory counters': await startThrottledGateway('memory', {}),
  'redis counters': await startThrottledGateway('redis', { redis: values.redis }),
  'nats bus': await startThrottledGateway('nats', { nats: values.nats }),
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
// rotating: each gateway runs first, second and third equally often over three rounds, and the
// bare proxy between two of them
const orders = [
  ['memory counters', 'bare proxy', 'redis counters', 'nats bus'],
  ['redis counters', 'bare proxy', 'nats bus', 'memory counters'],
  ['nats bus', 'bare proxy', 'memory counters', 'redis counters'],
];
for (let round = 0; round < rounds; round += 1) {
  for (const name of orders[round % orders.length]) {
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

const gateways = ['memory counters', 'redis counters', 'nats bus'];
const summary = Object.fromEntries(
  (['p50', 'p99'] as const).map((key) => {
    const perRound = (name: string) => results[name].map((result) => result.latency[key]);
    const minus = (name: string, floor: string) =>
      perRound(name).map((value, round) => value - perRound(floor)[round]);
    const rounded = (value: number) => Number(value.toFixed(3));
    return [
      key,
      {
        minus_memory_ms: Object.fromEntries(
          ['redis counters', 'nats bus'].map((name) => [
            name,
            {
              median: rounded(median(minus(name, 'memory counters'))),
              per_round: minus(name, 'memory counters').map(rounded),
            },
          ]),
        ),
        added_over_bare_proxy_ms: Object.fromEntries(
          gateways.map((name) => [name, rounded(median(minus(name, 'bare proxy')))]),
        ),
        medians_ms: Object.fromEntries(
          names.map((name) => [name, rounded(median(perRound(name)))]),
        ),
      },
    ];
  }),
);
for (const [key, entry] of Object.entries(summary)) {
  const differences = Object.entries(entry.minus_memory_ms)
    .map(
      ([name, difference]) =>
        `${name} minus memory ${difference.median} ms (rounds ${difference.per_round.join(', ')})`,
    )
    .join('; ');
  const over = Object.entries(entry.added_over_bare_proxy_ms)
    .map(([name, value]) => `${name} ${value} ms`)
    .join(', ');
  const medians = Object.entries(entry.medians_ms)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  log(`${key}: ${differences}; over the bare proxy: ${over}; medians ${medians}`);
}
if (values.json)
  writeFileSync(
    values.json,
    `${JSON.stringify({ options: values, host_pauses_before: pausesBefore, summary }, null, 2)}\n`,
  );
