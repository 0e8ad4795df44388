// Interaction events on a real NATS JetStream (the machine's, 127.0.0.1:4222): each account's
// events land on one partition in the order published, a batch published again is dropped as
// duplicates by id (the stream holds each event once), a stream with other subjects is refused,
// and a NATS that does not answer stops the start with the address and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect, StringCodec, type NatsConnection } from 'nats';
import { DistillGuardError } from '../core/index.js';
import {
  engineOrSkip,
  freePort,
  startNatsCommand,
  testNatsUrl as servers,
} from '../test-support/engines.js';
import type { InteractionEvent } from './event-bus.js';
import { NatsBus, type NatsBusOptions } from './nats-bus.js';
import { partitionOf } from './partitions.js';

const optionsFor = (name: string): NatsBusOptions => ({
  servers,
  stream: name,
  subjectPrefix: `test.${name}`,
  partitions: 4,
  duplicateWindowMs: 120_000,
  ackTimeoutMs: 5_000,
  maxAgeMs: 3_600_000,
});

/** Every message of the stream, in stream order, as [subject, parsed JSON]. */
async function readStream(connection: NatsConnection, stream: string) {
  const manager = await connection.jetstreamManager();
  const info = await manager.streams.info(stream);
  const messages: [string, { id: string; account_id: string; n: number }][] = [];
  const codec = StringCodec();
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq += 1) {
    const message = await manager.streams.getMessage(stream, { seq });
    messages.push([message.subject, JSON.parse(codec.decode(message.data))]);
  }
  return messages;
}

test('each account on one partition, in order; a batch published again is kept once', async (t) => {
  if (!(await engineOrSkip(t, servers, 'NATS', startNatsCommand))) return;
  const name = `dg-test-${randomUUID().slice(0, 8)}`;
  const options = optionsFor(name);
  const bus = await NatsBus.connect(options);
  const connection = await connect({ servers });
  t.after(async () => {
    await bus.close();
    await (await connection.jetstreamManager()).streams.delete(name).catch(() => false);
    await connection.close();
  });
  const events: InteractionEvent[] = Array.from({ length: 60 }, (_, n) => {
    const accountId = `acct-${n % 6}`;
    const id = `ix-${n}`;
    return { id, accountId, json: JSON.stringify({ id, account_id: accountId, n }) };
  });
  assert.deepEqual(await bus.publish(events), { published: 60, duplicates: 0 });
  // a gateway that lost the acks publishes the same batch again: nothing is kept twice
  assert.deepEqual(await bus.publish(events), { published: 0, duplicates: 60 });

  const created = await (await connection.jetstreamManager()).streams.info(name);
  assert.equal(created.config.max_age, 3_600_000 * 1e6, 'events kept an hour (in ns)');
  assert.equal(created.config.duplicate_window, 120_000 * 1e6);
  const stored = await readStream(connection, name);
  assert.equal(stored.length, 60);
  assert.equal(new Set(stored.map(([, record]) => record.id)).size, 60);
  for (let account = 0; account < 6; account += 1) {
    const accountId = `acct-${account}`;
    const mine = stored.filter(([, record]) => record.account_id === accountId);
    const subjects = new Set(mine.map(([subject]) => subject));
    assert.deepEqual([...subjects], [`${options.subjectPrefix}.${partitionOf(accountId, 4)}`]);
    const order = mine.map(([, record]) => record.n);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `${accountId} in order`,
    );
  }
});

test('a stream that exists with other subjects is refused, not changed', async (t) => {
  if (!(await engineOrSkip(t, servers, 'NATS', startNatsCommand))) return;
  const name = `dg-test-${randomUUID().slice(0, 8)}`;
  const connection = await connect({ servers });
  const manager = await connection.jetstreamManager();
  await manager.streams.add({ name, subjects: [`other.${name}.>`] });
  t.after(async () => {
    await manager.streams.delete(name).catch(() => false);
    await connection.close();
  });
  await assert.rejects(NatsBus.connect(optionsFor(name)), (error: unknown) => {
    assert.ok(error instanceof DistillGuardError);
    assert.equal(error.code, 'usage');
    assert.match(error.message, new RegExp(`stream ${name} exists with subjects`));
    return true;
  });
  const info = await manager.streams.info(name);
  assert.deepEqual(info.config.subjects, [`other.${name}.>`]);
});

test('a NATS that does not answer stops the start, naming the address and what to do', async () => {
  const port = await freePort();
  await assert.rejects(
    NatsBus.connect({ ...optionsFor('unused'), servers: `nats://127.0.0.1:${port}` }),
    (error: unknown) => {
      assert.ok(error instanceof DistillGuardError);
      assert.equal(error.code, 'engine_unavailable');
      assert.match(
        error.message,
        new RegExp(`cannot reach NATS at nats://127\\.0\\.0\\.1:${port}`),
      );
      assert.match(error.message, /nats-server -js/);
      return true;
    },
  );
});
