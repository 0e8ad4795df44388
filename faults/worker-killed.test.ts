// Detector workers (`distillguard worker`, the built CLI) on the machine's PostgreSQL and NATS
// JetStream: one of two workers is killed with SIGKILL while events flow. Its partitions move to
// the other when its leases expire, the events it had fetched and not acked are delivered again,
// and the store ends with every published event exactly once by id. A restarted worker takes its
// share back; SIGTERM stops each cleanly (exit 0) and leaves no lease behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { connect } from 'nats';
import { loadNatsBus, type InteractionEvent } from '../src/bus/index.js';
import {
  engineOrSkip,
  startNatsCommand,
  startPostgresCommand,
  testNatsUrl,
  testPostgresUrl,
} from '../src/test-support/engines.js';
import { cliPath, temporaryDirectory } from '../src/test-support/paths.js';
import { dropSchema, testSchema } from '../src/test-support/stores.js';

function event(n: number): InteractionEvent {
  const id = `ix-${n}`;
  const accountId = `acct-${n % 24}`;
  return {
    id,
    accountId,
    json: JSON.stringify({
      id,
      ts: new Date(Date.UTC(2026, 1, 2) + n * 30_000).toISOString(),
      account_id: accountId,
      api: 'openai.chat',
      model: 'orion-1',
      request: { messages: [{ role: 'user', content: `question ${n}` }] },
      response: { status: 200, usage: { input_tokens: 3, output_tokens: 9 } },
    }),
  };
}

interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
}

function startWorker(config: string, id: string): WorkerProcess {
  const child = spawn(
    process.execPath,
    [cliPath, 'worker', '--config', config, '--id', id, '--lease-ms', '2000'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, output: () => output, exited };
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test(
  'a worker killed with SIGKILL while events flow: the other takes its partitions, and every event is stored exactly once',
  { timeout: 180_000 },
  async (t) => {
    if (!(await engineOrSkip(t, testNatsUrl, 'NATS', startNatsCommand))) return;
    if (!(await engineOrSkip(t, testPostgresUrl, 'PostgreSQL', startPostgresCommand))) return;
    const folder = temporaryDirectory('dg-worker-kill-');
    const schema = testSchema();
    const stream = `dg-test-${randomUUID().slice(0, 8)}`;
    const bus = {
      kind: 'nats',
      servers: testNatsUrl,
      stream,
      subject_prefix: `test.${stream}`,
      partitions: 8,
    };
    const config = join(folder, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ storage: { kind: 'postgres', url: testPostgresUrl, schema }, bus }),
    );
    const { NatsBus } = await loadNatsBus();
    const publisher = await NatsBus.connect({
      servers: testNatsUrl,
      stream,
      subjectPrefix: bus.subject_prefix,
      partitions: bus.partitions,
      duplicateWindowMs: 600_000,
      ackTimeoutMs: 5_000,
      maxAgeMs: 3_600_000,
    });
    const database = new pg.Client({ connectionString: testPostgresUrl });
    await database.connect();
    const workers: WorkerProcess[] = [];
    t.after(async () => {
      for (const worker of workers) worker.child.kill('SIGKILL');
      await publisher.close();
      await database.end();
      const connection = await connect({ servers: testNatsUrl });
      await (await connection.jetstreamManager()).streams.delete(stream).catch(() => false);
      await connection.close();
      await dropSchema(testPostgresUrl, schema);
      rmSync(folder, { recursive: true, force: true });
    });
    const query = async <Row>(text: string) =>
      (await database.query(text.replaceAll('%s', schema))).rows as Row[];
    const stored = async () =>
      Number(
        (await query<{ count: string }>('SELECT count(*) AS count FROM %s.interactions'))[0].count,
      );
    const owners = async () =>
      (
        await query<{ owner: string | null }>(
          'SELECT owner FROM %s.partition_leases ORDER BY partition',
        )
      ).map((row) => row.owner);

    const a = startWorker(config, 'worker-a');
    const b = startWorker(config, 'worker-b');
    workers.push(a, b);
    await until('both workers holding partitions', async () => {
      const held = await owners().catch(() => []);
      return (
        held.length === 8 &&
        held.filter((owner) => owner === 'worker-a').length === 4 &&
        held.filter((owner) => owner === 'worker-b').length === 4
      );
    });
    // events flow; worker-a dies in the middle of them
    const publishing = (async () => {
      for (let start = 0; start < 600; start += 50) {
        await publisher.publish(Array.from({ length: 50 }, (_, n) => event(start + n)));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await until('some events stored', async () => (await stored()) >= 150);
    a.child.kill('SIGKILL');
    assert.equal(await a.exited, 'SIGKILL');
    await publishing;
    await until('worker-b holding every partition', async () =>
      (await owners()).every((owner) => owner === 'worker-b'),
    );
    // what worker-a fetched and never acked comes again once its ack wait (30 s) is over
    await until('every event stored', async () => (await stored()) >= 600, 90_000);

    // a restarted worker takes its share back
    const again = startWorker(config, 'worker-a2');
    workers.push(again);
    await until('the partitions shared again', async () => {
      const held = await owners();
      return held.filter((owner) => owner === 'worker-a2').length === 4;
    });
    await publisher.publish(Array.from({ length: 100 }, (_, n) => event(600 + n)));
    await until('the last events stored', async () => (await stored()) >= 700);

    const ids = (await query<{ id: string }>('SELECT id FROM %s.interactions')).map(
      (row) => row.id,
    );
    assert.equal(ids.length, 700, 'each event stored once');
    assert.deepEqual(
      [...ids].sort(),
      Array.from({ length: 700 }, (_, n) => `ix-${n}`).sort(),
      'exactly the events published',
    );
    b.child.kill('SIGTERM');
    again.child.kill('SIGTERM');
    assert.equal(await b.exited, 0, b.output());
    assert.equal(await again.exited, 0, again.output());
    assert.match(b.output(), /distillguard worker worker-b started/);
    assert.match(b.output(), /distillguard worker worker-b stopped/);
    assert.deepEqual(
      await owners(),
      Array.from({ length: 8 }, () => null),
      'no lease left behind',
    );
  },
);
