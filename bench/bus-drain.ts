// The workers' side of the bus benchmark: `distillguard worker` processes (1 or more) drain a
// stream that bus-publish.js filled into a fresh PostgreSQL schema; timed from their start until
// PostgreSQL holds every record, then stopped with SIGTERM. The partitions' durable consumers are
// deleted first, so every run reads the whole stream. Prints the records stored and the seconds.
// Usage: node dist/bench/bus-drain.js --workers N --records R --nats URL --stream NAME --postgres URL
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connect } from 'nats';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1' },
    records: { type: 'string' },
    nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
    stream: { type: 'string', default: 'BENCH_BUS' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const records = Number(values.records);
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const schema = `dg_bench_${randomBytes(4).toString('hex')}`;
const folder = mkdtempSync(join(tmpdir(), 'dg-bus-drain-'));
const config = join(folder, 'config.json');
writeFileSync(
  config,
  JSON.stringify({
    storage: { kind: 'postgres', url: values.postgres, schema },
    bus: {
      kind: 'nats',
      servers: values.nats,
      stream: values.stream,
      subject_prefix: `bench.${values.stream}`,
      partitions: 16,
    },
  }),
);
const connection = await connect({ servers: values.nats });
const manager = await connection.jetstreamManager();
for await (const consumer of manager.consumers.list(values.stream))
  await manager.consumers.delete(values.stream, consumer.name);
const database = new pg.Client({ connectionString: values.postgres });
await database.connect();

const started = performance.now();
const workers = Array.from({ length: Number(values.workers) }, (_, index) =>
  spawn(process.execPath, [cli, 'worker', '--config', config, '--id', `bench-${index}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  }),
);
let stored = 0;
while (stored < records) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  const row = await database
    .query(`SELECT count(*) AS count FROM ${schema}.interaction_ids`)
    .catch(() => ({ rows: [{ count: '0' }] }));
  stored = Number((row.rows[0] as { count: string }).count);
}
const seconds = (performance.now() - started) / 1000;
await Promise.all(
  workers.map(
    (worker) =>
      new Promise((resolve) => {
        worker.once('exit', resolve);
        worker.kill('SIGTERM');
      }),
  ),
);
await database.query(`DROP SCHEMA ${schema} CASCADE`);
await database.end();
await connection.close();
rmSync(folder, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ workers: workers.length, stored, seconds })}\n`);
