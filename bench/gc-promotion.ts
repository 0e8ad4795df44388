// Promotion benchmark: how many bytes per second of what `distillguard serve` allocates under load
// survive two scavenges into V8's old generation, which only a full collection frees, beside a bare
// undici proxy (the floor) in the same run, fresh processes, rotating order each round. Read from
// V8's own GC trace (--trace-gc-nvp: the `promoted=` bytes of each scavenge, the server's main
// thread only), with the scavenges and full collections counted alongside.
// Usage: npm run bench:gc-promotion -- [--rate 1000] [--duration 20] [--rounds 2] [--accounts 10000] [--json FILE]
//        [--gateway-main OTHER/dist/src/cli/main.js] to measure another build's gateway
import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './measure.js';
import { chatRequestBodies } from './chat-bodies.js';
import { runOpenLoop } from './open-loop.js';
import { freePort, pinSelf, startServerProcess, tasksetAvailable } from './server-process.js';
import {
  bareProxyScript,
  builtCliMain,
  chatLoadHeaders,
  gatewayEnv,
  gatewayServeArgs,
  startFakeUpstream,
} from './bench-targets.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    accounts: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '32' },
    'gateway-main': { type: 'string' },
    json: { type: 'string' },
  },
});
const number = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(
      `bench:gc-promotion: --${name} must be a positive number, not '${values[name]}'\n`,
    );
    process.exit(64);
  }
  return value;
};
const rate = number('rate');
const durationS = number('duration');
const gatewayMain = values['gateway-main'] ?? builtCliMain;
const work = mkdtempSync(join(tmpdir(), 'distillguard-bench-promotion-'));
const log = (line: string) => process.stderr.write(`${line}\n`);

const coreCount = cpus().length;
const serverCore = coreCount > 1 ? '0' : null;
if (coreCount > 1) pinSelf(`1-${coreCount - 1}`);
const upstreamPort = await freePort();
const upstream = await startFakeUpstream(
  upstreamPort,
  coreCount > 1 ? `1-${coreCount - 1}` : undefined,
);

type Target = 'gateway' | 'bare proxy';
const targets: Target[] = ['gateway', 'bare proxy'];

interface GcFigures {
  promotedMbPerS: number;
  scavengesPerS: number;
  scavengeMsPerS: number;
  fullCollections: number;
  fullCollectionMs: number;
  p99Ms: number;
}

/** Sums one process's scavenges and full collections from V8's name=value GC trace. */
function readTrace(text: string, pid: number, seconds: number): Omit<GcFigures, 'p99Ms'> {
  let promoted = 0;
  let scavenges = 0;
  let scavengeMs = 0;
  let fullCollections = 0;
  let fullCollectionMs = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`[${pid}:`)) continue; // the live detector, a child process, traces too
    const kind = / gc=(\w+)/.exec(line)?.[1];
    const pause = Number(/ pause=([\d.]+)/.exec(line)?.[1] ?? 0);
    if (kind === 's') {
      scavenges += 1;
      scavengeMs += pause;
      promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
    } else if (kind === 'mc' || kind === 'ms' || kind === 'mmc') {
      fullCollections += 1;
      fullCollectionMs += pause;
    }
  }
  return {
    promotedMbPerS: promoted / 1e6 / seconds,
    scavengesPerS: scavenges / seconds,
    scavengeMsPerS: scavengeMs / seconds,
    fullCollections,
    fullCollectionMs,
  };
}

const bodies = chatRequestBodies(20);

async function measure(target: Target, round: number): Promise<GcFigures> {
  const port = await freePort();
  const traceFile = join(work, `trace-${round}-${target.replace(' ', '-')}.log`);
  const output = openSync(traceFile, 'w');
  const command =
    target === 'gateway'
      ? [
          process.execPath,
          '--trace-gc-nvp',
          gatewayMain,
          'serve',
          ...gatewayServeArgs(port, upstream.url, join(work, `gateway-${round}.db`)),
        ]
      : [
          process.execPath,
          '--trace-gc-nvp',
          bareProxyScript,
          '--port',
          String(port),
          '--upstream',
          upstream.url,
        ];
  const argv =
    serverCore !== null && tasksetAvailable ? ['taskset', '-c', serverCore, ...command] : command;
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', output, output],
    env: gatewayEnv(),
  });
  closeSync(output);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = Date.now() + 30_000;
    while (!/http:\/\/127\.0\.0\.1:\d+/.test(readFileSync(traceFile, 'utf8'))) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`${target} did not start: ${readFileSync(traceFile, 'utf8').slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const load = (seconds: number) =>
      runOpenLoop({
        origin: `http://127.0.0.1:${port}`,
        path: '/v1/chat/completions',
        rate,
        durationS: seconds,
        warmupS: 0,
        connections: number('connections'),
        body: (index) => bodies[index % bodies.length],
        headers: chatLoadHeaders(number('accounts')),
        streaming: false,
      });
    await load(number('warmup'));
    const from = statSync(traceFile).size;
    const result = await load(durationS);
    const text = readFileSync(traceFile).subarray(from).toString('utf8');
    return { ...readTrace(text, child.pid!, durationS), p99Ms: result.latency.p99 };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

log(`gateway: ${gatewayMain}`);
log(
  `${rate} req/s over ${number('accounts')} accounts, ${number('warmup')} s warm-up then ${durationS} s traced, ${number('rounds')} rounds; server pinned to core ${serverCore ?? '(none: one core)'}`,
);
const results: Record<Target, GcFigures[]> = { gateway: [], 'bare proxy': [] };
for (let round = 0; round < number('rounds'); round += 1) {
  for (let step = 0; step < targets.length; step += 1) {
    const target = targets[(round + step) % targets.length];
    const figures = await measure(target, round);
    results[target].push(figures);
    log(
      `round ${round + 1} ${target}: promoted ${figures.promotedMbPerS.toFixed(3)} MB/s, ${figures.scavengesPerS.toFixed(1)} scavenges/s (${figures.scavengeMsPerS.toFixed(1)} ms/s), ${figures.fullCollections} full collections (${figures.fullCollectionMs.toFixed(1)} ms), p99 ${figures.p99Ms.toFixed(2)} ms`,
    );
  }
}
await upstream.stop();
rmSync(work, { recursive: true, force: true });

const summary = Object.fromEntries(
  targets.map((target) => {
    const rounds = results[target];
    return [
      target,
      {
        promoted_mb_per_s: Number(median(rounds.map((entry) => entry.promotedMbPerS)).toFixed(3)),
        scavenges_per_s: Number(median(rounds.map((entry) => entry.scavengesPerS)).toFixed(1)),
        scavenge_ms_per_s: Number(median(rounds.map((entry) => entry.scavengeMsPerS)).toFixed(2)),
        full_collections_per_round: rounds.map((entry) => entry.fullCollections),
        p99_ms: Number(median(rounds.map((entry) => entry.p99Ms)).toFixed(2)),
      },
    ];
  }),
) as Record<
  Target,
  {
    promoted_mb_per_s: number;
    scavenges_per_s: number;
    scavenge_ms_per_s: number;
    full_collections_per_round: number[];
    p99_ms: number;
  }
>;
const ratio =
  summary['bare proxy'].promoted_mb_per_s > 0
    ? summary.gateway.promoted_mb_per_s / summary['bare proxy'].promoted_mb_per_s
    : null;
const lines = [
  `promotion at ${rate} req/s, ${number('accounts')} accounts (median of ${number('rounds')} rounds of ${durationS} s):`,
];
for (const target of targets) {
  const entry = summary[target];
  lines.push(
    `  ${target.padEnd(11)} promoted ${entry.promoted_mb_per_s.toFixed(3)} MB/s  scavenges ${entry.scavenges_per_s}/s (${entry.scavenge_ms_per_s} ms/s)  full collections per round ${entry.full_collections_per_round.join(', ')}  p99 ${entry.p99_ms} ms`,
  );
}
lines.push(`  gateway / bare proxy promoted: ${ratio === null ? '-' : `${ratio.toFixed(2)}x`}`);
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json)
  writeFileSync(
    values.json,
    `${JSON.stringify({ rate, accounts: number('accounts'), duration_s: durationS, rounds: number('rounds'), targets: summary, gateway_over_proxy: ratio }, null, 2)}\n`,
  );
