// Ingest and analysis benchmark: `distillguard ingest` (stream, validate, store in SQLite) and
// `distillguard analyze` (the same plus detection and the report) beside the plain streaming
// JSON.parse loop over the same file, in rotating order, reported as ratios.
// Usage: npm run bench:ingest -- [--file interactions.jsonl] [--rounds 3] [--scale 1] [--seed 11]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure, median, type Measurement } from './measure.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '11' },
  },
});
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist/src/cli/main.js');
const parseLoop = join(root, 'dist/bench/parse-loop.js');
const work = join(tmpdir(), 'distillguard-bench');
mkdirSync(work, { recursive: true });

let file = values.file;
if (!file) {
  const folder = join(work, `sim-scale${values.scale}-seed${values.seed}`);
  file = join(folder, 'interactions.jsonl');
  if (!existsSync(file)) {
    process.stderr.write(
      `simulating --scale ${values.scale} --seed ${values.seed} into ${folder} ...\n`,
    );
    execFileSync(
      process.execPath,
      [cli, 'simulate', '--out', folder, '--scale', values.scale, '--seed', values.seed],
      { stdio: 'inherit' },
    );
  }
}

const rounds = Number(values.rounds);
const floor: Measurement[] = [];
const ingest: Measurement[] = [];
const analyze: Measurement[] = [];
const freshDatabase = () => {
  const database = join(work, 'bench.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${database}${suffix}`, { force: true });
  return database;
};
const runs = [
  async () => floor.push(await measure(process.execPath, [parseLoop, file])),
  async () =>
    ingest.push(
      await measure(process.execPath, [
        cli,
        'ingest',
        '--interactions',
        file,
        '--db',
        freshDatabase(),
      ]),
    ),
  async () =>
    analyze.push(
      await measure(process.execPath, [
        cli,
        'analyze',
        '--interactions',
        file,
        '--out',
        join(work, 'report.json'),
        '--db',
        freshDatabase(),
      ]),
    ),
];
for (let round = 0; round < rounds; round += 1) {
  // rotate which goes first, so that cache warmth and machine noise fall on all three
  for (let step = 0; step < runs.length; step += 1) await runs[(round + step) % runs.length]();
  process.stderr.write(
    `round ${round + 1}: parse loop ${floor[round].seconds.toFixed(2)} s, ingest ${ingest[round].seconds.toFixed(2)} s, analyze ${analyze[round].seconds.toFixed(2)} s\n`,
  );
}

const records = Number(floor[0].stdout.trim());
const floorSeconds = median(floor.map((run) => run.seconds));
const analyzeSeconds = median(analyze.map((run) => run.seconds));
const ingestSeconds = median(ingest.map((run) => run.seconds));
const peak = Math.max(...analyze.map((run) => run.peakRssMb ?? 0));
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    return 'unknown';
  }
})();
const result = {
  benchmark: 'ingest',
  commit,
  machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
  file,
  file_mb: Math.round(statSync(file).size / 1e6),
  records,
  rounds,
  parse_loop_s: Number(floorSeconds.toFixed(2)),
  ingest_s: Number(ingestSeconds.toFixed(2)),
  analyze_s: Number(analyzeSeconds.toFixed(2)),
  // median of the per-round ratios: each round's runs saw the same machine state
  ingest_ratio: Number(
    median(ingest.map((run, round) => run.seconds / floor[round].seconds)).toFixed(2),
  ),
  analyze_ratio: Number(
    median(analyze.map((run, round) => run.seconds / floor[round].seconds)).toFixed(2),
  ),
  parse_loop_records_per_s: Math.round(records / floorSeconds),
  ingest_records_per_s: Math.round(records / ingestSeconds),
  analyze_records_per_s: Math.round(records / analyzeSeconds),
  ingest_peak_rss_mb: Math.round(Math.max(...ingest.map((run) => run.peakRssMb ?? 0))),
  analyze_peak_rss_mb: Math.round(peak),
  parse_loop_peak_rss_mb: Math.round(Math.max(...floor.map((run) => run.peakRssMb ?? 0))),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
