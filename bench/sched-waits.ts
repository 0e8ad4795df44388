// Who keeps the server's request thread waiting for its core: the gateway (or the bare proxy) on
// core 0 under an open-loop load, Linux's scheduler events on that core recorded with `perf sched
// record`, and each stretch in which the request thread was runnable but not running charged to the
// tasks that held the core meanwhile (all cores are traced: a request thread woken from another
// core counts as waiting from that moment): its own write thread, its other helper threads (V8's and
// libuv's), its live detector, other processes. Linux only; needs perf (Debian: linux-perf) and the
// right to trace (root, or kernel.perf_event_paranoid <= 1).
// Usage: npm run bench:sched-waits -- [--target gateway|proxy] [--rate 1000] [--seconds 6] [--warmup 6]
//        [--gateway-main OTHER/dist/src/cli/main.js] [--json FILE]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { chatRequestBodies } from './chat-bodies.js';
import { runOpenLoop } from './open-loop.js';
import {
  childPids,
  freePort,
  pinSelf,
  readThreads,
  startServerProcess,
  tasksetAvailable,
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
    target: { type: 'string', default: 'gateway' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '6' },
    accounts: { type: 'string', default: '100' },
    'gateway-main': { type: 'string' },
    json: { type: 'string' },
  },
});
const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};
if (process.platform !== 'linux')
  fail('sched-waits reads Linux scheduler events; run it on Linux.');
if (spawnSync('perf', ['--version'], { stdio: 'ignore' }).status !== 0)
  fail('perf is not installed (Debian: apt-get install linux-perf).');
if (!tasksetAvailable)
  fail('taskset is not installed (util-linux): the server must be pinned to one core.');
const target =
  values.target === 'proxy'
    ? 'proxy'
    : values.target === 'gateway'
      ? 'gateway'
      : fail(`--target must be gateway or proxy, not '${values.target}'`);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
if (!(rate > 0) || !(seconds > 0) || !(warmup >= 0))
  fail('--rate and --seconds must be positive numbers, --warmup zero or more.');

const work = mkdtempSync(join(tmpdir(), 'distillguard-sched-waits-'));
const traceFile = join(work, 'sched.data');
pinSelf('1');
const upstreamPort = await freePort();
const upstream = await startFakeUpstream(upstreamPort, '1');
const port = await freePort();
const server =
  target === 'proxy'
    ? await startBareProxy(port, upstream.url, '0')
    : await startServerProcess(
        'gateway',
        [
          process.execPath,
          values['gateway-main'] ?? builtCliMain,
          'serve',
          ...gatewayServeArgs(port, upstream.url, join(work, 'gateway.db')),
        ],
        port,
        { cores: '0', env: gatewayEnv() },
      );

const bodies = chatRequestBodies(20);
let recording: Promise<number> | null = null;
const startTimer = setTimeout(() => {
  recording = new Promise((resolve) => {
    const perf = spawn(
      'perf',
      ['sched', 'record', '-o', traceFile, '--', 'sleep', String(seconds)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let errors = '';
    perf.stderr.on('data', (part: Buffer) => {
      errors += part.toString();
    });
    perf.on('exit', (code) => {
      if (code !== 0)
        process.stderr.write(`perf sched record failed (${code}): ${errors.trim()}\n`);
      resolve(code ?? 1);
    });
  });
}, warmup * 1000);
const load = await runOpenLoop({
  origin: server.url,
  path: '/v1/chat/completions',
  rate,
  durationS: warmup + seconds + 2,
  warmupS: 0,
  connections: 32,
  body: (index) => bodies[index % bodies.length],
  headers: chatLoadHeaders(Number(values.accounts)),
  streaming: false,
});
clearTimeout(startTimer);
const perfStatus = recording ? await (recording as Promise<number>) : 1;

// the server's threads, read before it stops: the write thread is the one at nice 10
const serverThreads = new Map(readThreads(server.pid).map((thread) => [thread.tid, thread.nice]));
const detectorPids = new Set(childPids(server.pid));
await server.stop();
await upstream.stop();
if (perfStatus !== 0) {
  rmSync(work, { recursive: true, force: true });
  fail('no scheduler trace: perf sched record needs root or kernel.perf_event_paranoid <= 1.');
}

type Role =
  'request thread' | 'write thread' | 'helper threads (V8, libuv)' | 'live detector' | string;
const roleOf = (pid: number, tid: number, comm: string): Role => {
  if (pid === server.pid)
    return tid === server.pid
      ? 'request thread'
      : serverThreads.get(tid) === 10
        ? 'write thread'
        : 'helper threads (V8, libuv)';
  if (detectorPids.has(pid)) return 'live detector';
  return tid === 0 ? 'idle (waking the core)' : `other: ${comm}`;
};

const script = spawn('perf', ['script', '-i', traceFile, '-F', 'pid,tid,cpu,time,event,trace'], {
  stdio: ['ignore', 'pipe', 'ignore'],
});
const pidOf = new Map<number, number>();
const commOf = new Map<number, string>();
const charged = new Map<Role, number>();
const waits: number[] = [];
let runnableSince: number | null = null;
let interval = new Map<number, number>();
let current: number | null = null;
let currentSince = 0;
let first = Number.NaN;
let last = Number.NaN;
const main = server.pid;
for await (const line of createInterface({ input: script.stdout })) {
  const match = /^\s*(\d+)\/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s+(.*)$/.exec(line);
  if (!match) continue;
  const [, pid, tid, cpu, time, event, trace] = match;
  const at = Number(time);
  pidOf.set(Number(tid), Number(pid));
  if (Number.isNaN(first)) first = at;
  last = at;
  if (event === 'sched:sched_waking') {
    if (Number(/ pid=(\d+)/.exec(` ${trace}`)?.[1]) === main && runnableSince === null) {
      runnableSince = at;
      interval = new Map();
    }
    continue;
  }
  if (event !== 'sched:sched_switch' || Number(cpu) !== 0) continue;
  const fields =
    /prev_comm=(.*) prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=(.*) next_pid=(\d+)/.exec(
      trace,
    );
  if (!fields) continue;
  const [, prevComm, prevPid, prevState, nextComm, nextPid] = fields;
  commOf.set(Number(prevPid), prevComm);
  commOf.set(Number(nextPid), nextComm);
  if (current !== null && current !== main && runnableSince !== null)
    interval.set(
      current,
      (interval.get(current) ?? 0) + at - Math.max(currentSince, runnableSince),
    );
  if (Number(prevPid) === main && prevState.startsWith('R')) {
    runnableSince = at;
    interval = new Map();
  }
  if (Number(nextPid) === main && runnableSince !== null) {
    waits.push(at - runnableSince);
    for (const [task, spent] of interval) {
      const role = roleOf(pidOf.get(task) ?? task, task, commOf.get(task) ?? '?');
      charged.set(role, (charged.get(role) ?? 0) + spent);
    }
    runnableSince = null;
  }
  current = Number(nextPid);
  currentSince = at;
}
rmSync(work, { recursive: true, force: true });

const span = last - first;
const total = waits.reduce((sum, wait) => sum + wait, 0);
const sorted = [...waits].sort((a, b) => a - b);
const quantile = (q: number) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000
    : Number.NaN;
const perSecond = (value: number) => (value * 1000) / span;
const culprits = [...charged]
  .sort((a, b) => b[1] - a[1])
  .map(([role, spent]) => ({ role, ms_per_s: Number(perSecond(spent).toFixed(2)) }));
const result = {
  target,
  rate,
  seconds: Number(span.toFixed(2)),
  latency_p50_ms: load.latency.p50,
  latency_p99_ms: load.latency.p99,
  waits: waits.length,
  wait_ms_per_s: Number(perSecond(total).toFixed(2)),
  wait_quantiles_ms: {
    p50: quantile(0.5),
    p90: quantile(0.9),
    p99: quantile(0.99),
    p999: quantile(0.999),
    max: sorted.length ? sorted[sorted.length - 1] * 1000 : Number.NaN,
  },
  charged_to: culprits,
};
console.log(
  `${target} at ${rate} req/s, ${span.toFixed(1)} s traced on core 0: the request thread waited for its core ${waits.length} times, ${result.wait_ms_per_s} ms per second`,
);
console.log(
  `  waits p50 ${result.wait_quantiles_ms.p50.toFixed(3)} ms, p90 ${result.wait_quantiles_ms.p90.toFixed(3)}, p99 ${result.wait_quantiles_ms.p99.toFixed(3)}, p99.9 ${result.wait_quantiles_ms.p999.toFixed(3)}, max ${result.wait_quantiles_ms.max.toFixed(3)}`,
);
console.log('  held the core meanwhile (ms per second):');
for (const { role, ms_per_s } of culprits.slice(0, 10))
  console.log(`    ${ms_per_s.toFixed(2).padStart(7)}  ${role}`);
console.log(
  `  (latency over the whole load, tracing included: p50 ${load.latency.p50.toFixed(2)} ms, p99 ${load.latency.p99.toFixed(2)} ms; perf's own start stalls the machine, so these are not latency figures)`,
);
if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
