// Detector workers on the machine's NATS JetStream and PostgreSQL: two workers share the
// partitions, every event is stored once by id (repeats published after the duplicate window
// included), a record that is not an interaction is kept as a rejected line, a worker that stops
// hands its partitions to the other at once, and one that dies loses them when its leases expire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { loadNatsBus, type InteractionEvent, type NatsBusOptions } from '../bus/index.js';
import { openPgStore, type PgStore } from '../store/index.js';
import {
  engineOrSkip,
  startNatsCommand,
  startPostgresCommand,
  testNatsUrl,
  testPostgresUrl,
} from '../test-support/engines.js';
import { dropSchema, testSchema } from '../test-support/stores.js';
import { BusWorker, type WorkerLog } from './bus-worker.js';

const quiet: WorkerLog = { info: () => {}, warn: () => {}, error: () => {} };

function event(n: number): InteractionEvent {
  const id = `ix-${n}`;
  const accountId = `acct-${n % 12}`;
  return {
    id,
    accountId,
    json: JSON.stringify({
      id,
      ts: new Date(Date.UTC(2026, 1, 2) + n * 60_000).toISOString(),
      account_id: accountId,
      api: 'openai.chat',
      model: 'orion-1',
      request: { messages: [{ role: 'user', content: `question ${n}` }] },
      response: { status: 200, usage: { input_tokens: 3, output_tokens: 9 } },
    }),
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const storedIds = async (store: PgStore) =>
  (await store.database.rows<{ id: string }>('SELECT id FROM interactions ORDER BY id')).map(
    (row) => row.id,
  );

test('two workers share the partitions and store every event once by id; a stopping worker hands its partitions over, a dead one loses them', async (t) => {
  if (!(await engineOrSkip(t, testNatsUrl, 'NATS', startNatsCommand))) return;
  if (!(await engineOrSkip(t, testPostgresUrl, 'PostgreSQL', startPostgresCommand))) return;
  const name = `dg-test-${randomUUID().slice(0, 8)}`;
  const schema = testSchema();
  const options: NatsBusOptions = {
    servers: testNatsUrl,
    stream: name,
    subjectPrefix: `test.${name}`,
    partitions: 4,
    // a short window: the repeats below are published after it, as a gateway down for long would
    duplicateWindowMs: 1_000,
    ackTimeoutMs: 5_000,
    maxAgeMs: 3_600_000,
  };
  const { NatsBus } = await loadNatsBus();
  const publisher = await NatsBus.connect(options);
  const opened: { close(): Promise<void> }[] = [publisher];
  const open = async () => {
    const store = await openPgStore({ url: testPostgresUrl, schema, poolSize: 4 });
    const bus = await NatsBus.connect(options);
    opened.push(bus, store);
    return { store, bus };
  };
  t.after(async () => {
    for (const each of opened.reverse()) await each.close().catch(() => undefined);
    const connection = await connect({ servers: testNatsUrl });
    await (await connection.jetstreamManager()).streams.delete(name).catch(() => false);
    await connection.close();
    await dropSchema(testPostgresUrl, schema);
  });

  const one = await open();
  const first = await BusWorker.start({
    ...one,
    workerId: 'worker-a',
    host: 'test',
    leaseMs: 1_500,
    log: quiet,
  });
  assert.deepEqual(first.partitions, [0, 1, 2, 3], 'alone, a worker takes every partition');
  await publisher.publish(Array.from({ length: 150 }, (_, n) => event(n)));
  await until('the first events stored', () => first.counts.stored >= 50);

  const two = await open();
  const second = await BusWorker.start({
    ...two,
    workerId: 'worker-b',
    host: 'test',
    leaseMs: 1_500,
    log: quiet,
  });
  await until(
    'the partitions shared out',
    () => first.partitions.length === 2 && second.partitions.length === 2,
  );
  assert.deepEqual(
    [...first.partitions, ...second.partitions].sort(),
    [0, 1, 2, 3],
    'each partition read by one worker',
  );
  // after the duplicate window: 30 events published again, a record that is no interaction, and new ones
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await publisher.publish([
    ...Array.from({ length: 30 }, (_, n) => event(n)),
    { id: 'broken-1', accountId: 'acct-1', json: '{"id":"broken-1","account_id":"acct-1"}' },
    ...Array.from({ length: 150 }, (_, n) => event(150 + n)),
  ]);
  await until('every event stored', async () => (await storedIds(two.store)).length === 300);

  // a clean stop gives the partitions back at once: the other worker reads them all
  await first.stop();
  assert.deepEqual(first.partitions, []);
  await until('the other worker took every partition', () => second.partitions.length === 4);
  await publisher.publish(Array.from({ length: 20 }, (_, n) => event(300 + n)));
  await until('the new events stored', async () => (await storedIds(two.store)).length === 320);

  // a worker that dies (no renewal, no goodbye) loses its partitions when its leases expire
  const three = await open();
  const third = await BusWorker.start({
    ...three,
    workerId: 'worker-c',
    host: 'test',
    leaseMs: 1_500,
    log: quiet,
  });
  await until(
    'the partitions shared with the third worker',
    () => second.partitions.length === 2 && third.partitions.length === 2,
  );
  await second.stop();
  // (a clean stop, so that its leases are free at once; a kill is the fault test's, with SIGKILL)
  await until('the third worker took every partition', () => third.partitions.length === 4);
  await publisher.publish(Array.from({ length: 20 }, (_, n) => event(320 + n)));
  await until('the last events stored', async () => (await storedIds(three.store)).length === 340);
  await third.stop();

  const ids = await storedIds(three.store);
  assert.equal(ids.length, 340);
  assert.equal(new Set(ids).size, 340, 'each event stored once');
  assert.deepEqual(
    ids,
    Array.from({ length: 340 }, (_, n) => `ix-${n}`).sort(),
    'exactly the events published',
  );
  const counted = [first, second, third].reduce(
    (sum, worker) => ({
      stored: sum.stored + worker.counts.stored,
      repeats: sum.repeats + worker.counts.repeats,
      rejected: sum.rejected + worker.counts.rejected,
    }),
    { stored: 0, repeats: 0, rejected: 0 },
  );
  // an event handed to the next worker before it was acked is counted by both: the store holds it once
  assert.ok(counted.stored >= 340, `${counted.stored} counted as stored`);
  assert.ok(
    counted.stored + counted.repeats >= 370,
    'every delivery accounted for, the 30 published again included',
  );
  assert.equal(counted.rejected, 1);
  const rejected = await three.store.database.rows<{ field: string; text: string }>(
    'SELECT field, text FROM rejected_lines',
  );
  assert.equal(rejected.length, 1);
  assert.match(rejected[0].text, /broken-1/);
  const leases = await three.store.database.rows<{ owner: string | null }>(
    'SELECT owner FROM partition_leases',
  );
  assert.deepEqual(
    leases.map((row) => row.owner),
    [null, null, null, null],
    'stopped workers leave no lease behind',
  );
});
