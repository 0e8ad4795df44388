// Interactions through the bus beside the embedded path: the same simulated file published to NATS
// JetStream through the gateway's outbox (`bus-publish.js`), drained from the stream into
// PostgreSQL by 1 and by 2 `distillguard worker` processes (`bus-drain.js`, right after each
// publish, in alternating order), stored in SQLite by `distillguard ingest`, and read by the plain
// JSON.parse loop (the floor), in rotating order; reported as records per second and ratios to the
// floor. The workers store events only (folding them into verdicts is not built yet).
// Usage: npm run bench:bus -- [--file interactions.jsonl] [--scale 0.2] [--seed 11] [--rounds 3] [--nats URL] [--postgres URL]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connect } from 'nats';
import { measure, median, type Measurement } from './measure.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    scale: { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '11' },
    rounds: { type: 'string', default: '3' },
    nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist/src/cli/main.js');
const script = (name: string) => join(root, `dist/bench/${name}.js`);
const work = join(tmpdir(), 'distillguard-bench-bus');
mkdirSync(work, { recursive: true });

let file = values.file;
if (!file) {
  const folder = join(
    tmpdir(),
    'distillguard-bench',
    `sim-scale${values.scale}-seed${values.seed}`,
  );
  file = join(folder, 'interactions.jsonl');
  if (!existsSync(file)) {
    process.stderr.write(
      `simulating --scale ${values.scale} --seed ${values.seed} into ${folder} ...\n`,
    );
    execFileSync(
      process.execPath,
      [cli, 'simulate', '--out', folder, '--scale', values.scale, '--seed', values.seed],
      // the simulator's summary to stderr: stdout is the result's JSON
      { stdio: ['ignore', 2, 'inherit'] },
    );
  }
}

const connection = await connect({ servers: values.nats }).catch(() => {
  process.stderr.write(
    `bus bench: nothing answers at ${values.nats}: start NATS with JetStream or pass --nats URL.\n`,
  );
  process.exit(1);
});
const manager = await connection.jetstreamManager();
const fresh = (path: string) => {
  for (const suffix of ['', '-wal', '-shm', '.cursor']) rmSync(`${path}${suffix}`, { force: true });
  return path;
};
const results: Record<string, Measurement[]> = {
  'parse loop': [],
  'embedded (SQLite)': [],
  'bus (outbox to JetStream)': [],
  'workers into PostgreSQL (1)': [],
  'workers into PostgreSQL (2)': [],
};
let records = 0;
const drain = (workers: number) =>
  measure(process.execPath, [
    script('bus-drain'),
    '--workers',
    String(workers),
    '--records',
    String(records),
    '--nats',
    values.nats,
    '--stream',
    'BENCH_BUS',
    '--postgres',
    values.postgres,
  ]);
const runs: [string, () => Promise<Measurement>][] = [
  ['parse loop', () => measure(process.execPath, [script('parse-loop'), file])],
  [
    'embedded (SQLite)',
    () =>
      measure(process.execPath, [
        cli,
        'ingest',
        '--interactions',
        file,
        '--db',
        fresh(join(work, 'bench.db')),
      ]),
  ],
  [
    'bus (outbox to JetStream)',
    async () => {
      await manager.streams.delete('BENCH_BUS').catch(() => false);
      const published = await measure(process.execPath, [
        script('bus-publish'),
        file,
        '--nats',
        values.nats,
        '--stream',
        'BENCH_BUS',
        '--outbox',
        fresh(join(work, 'bench.outbox')),
      ]);
      // the stream is full now: the workers drain it, 1 and 2 of them in alternating order
      records = (JSON.parse(published.stdout) as { records: number }).records;
      const order = results['workers into PostgreSQL (1)'].length % 2 === 0 ? [1, 2] : [2, 1];
      for (const workers of order)
        results[`workers into PostgreSQL (${workers})`].push(await drain(workers));
      return published;
    },
  ],
];
const rounds = Number(values.rounds);
for (let round = 0; round < rounds; round += 1) {
  for (let step = 0; step < runs.length; step += 1) {
    const [name, run] = runs[(round + step) % runs.length];
    results[name].push(await run());
  }
  process.stderr.write(
    `round ${round + 1}: ${Object.entries(results)
      .map(([name, list]) => `${name} ${list[round].seconds.toFixed(2)} s`)
      .join(', ')}\n`,
  );
}
await manager.streams.delete('BENCH_BUS').catch(() => false);
await connection.close();
rmSync(work, { recursive: true, force: true });

records = Number(results['parse loop'][0].stdout.trim());
const published = JSON.parse(results['bus (outbox to JetStream)'][0].stdout) as {
  records: number;
  stream_bytes_per_message: number;
};
const floor = results['parse loop'];
const summary = Object.fromEntries(
  Object.entries(results).map(([name, list]) => [
    name,
    {
      seconds: Number(median(list.map((run) => run.seconds)).toFixed(2)),
      records_per_s: Math.round(records / median(list.map((run) => run.seconds))),
      ratio_to_parse_loop: Number(
        median(list.map((run, round) => run.seconds / floor[round].seconds)).toFixed(2),
      ),
      peak_rss_mb: Math.round(Math.max(...list.map((run) => run.peakRssMb ?? 0))),
    },
  ]),
);
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    return 'unknown';
  }
})();
process.stdout.write(
  `${JSON.stringify({ benchmark: 'bus', commit, machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`, file, records, published: published.records, stream_bytes_per_message: Math.round(published.stream_bytes_per_message), rounds, summary }, null, 2)}\n`,
);
