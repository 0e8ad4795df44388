// The outbox in front of a real NATS JetStream of the test's own: NATS killed mid-stream and
// started again, every event reaches the stream exactly once and each account's in order; a
// gateway stopped while NATS is down publishes the rest at its next start; a line torn by a kill is
// cut off and the events after it are kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, StringCodec } from 'nats';
import { privateNatsAvailable, startPrivateNats } from '../test-support/engines.js';
import type { InteractionEvent } from './event-bus.js';
import { NatsBus, type NatsBusOptions } from './nats-bus.js';
import { BusOutbox } from './outbox.js';

const eventOf = (n: number): InteractionEvent => {
  const id = `ix-${n}`;
  const accountId = `acct-${n % 7}`;
  return { id, accountId, json: JSON.stringify({ id, account_id: accountId, n }) };
};

/** Every record in the stream, in stream order. */
async function streamRecords(servers: string, stream: string) {
  const connection = await connect({ servers });
  const manager = await connection.jetstreamManager();
  const info = await manager.streams.info(stream);
  const codec = StringCodec();
  const records: { id: string; account_id: string; n: number }[] = [];
  for (
    let seq = info.state.first_seq;
    seq <= info.state.last_seq && info.state.messages > 0;
    seq += 1
  )
    records.push(
      JSON.parse(codec.decode((await manager.streams.getMessage(stream, { seq })).data)),
    );
  await connection.close();
  return records;
}

function assertExactlyOnceInOrder(
  records: { id: string; account_id: string; n: number }[],
  count: number,
) {
  assert.equal(records.length, count, 'one message per event');
  assert.equal(new Set(records.map((record) => record.id)).size, count, 'no id twice');
  for (let account = 0; account < 7; account += 1) {
    const order = records
      .filter((record) => record.account_id === `acct-${account}`)
      .map((record) => record.n);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `acct-${account} in order`,
    );
  }
}

const busOptions = (servers: string): NatsBusOptions => ({
  servers,
  stream: 'DG_OUTBOX_TEST',
  subjectPrefix: 'dg.test',
  partitions: 4,
  duplicateWindowMs: 600_000,
  ackTimeoutMs: 500,
  maxAgeMs: 3_600_000,
});

const until = async (what: string, check: () => boolean, withinMs = 20_000) => {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

test(
  'NATS killed mid-stream and started again: every event in the stream exactly once, each account in order',
  { timeout: 60_000 },
  async (t) => {
    if (!privateNatsAvailable())
      return t.skip('nats-server is not installed (Debian package nats-server)');
    const nats = await startPrivateNats();
    const folder = mkdtempSync(join(tmpdir(), 'dg-outbox-'));
    const bus = await NatsBus.connect(busOptions(nats.url));
    const outbox = await BusOutbox.open(join(folder, 'outbox'), bus, { retryMaxMs: 200 });
    t.after(async () => {
      await bus.close().catch(() => undefined);
      await nats.remove();
      rmSync(folder, { recursive: true, force: true });
    });
    let n = 0;
    const send = async (count: number) => {
      for (let index = 0; index < count; index += 1) outbox.add(eventOf((n += 1)));
      await outbox.flush();
    };
    for (let batch = 0; batch < 5; batch += 1) await send(40);
    await until('the first 200 published', () => outbox.health().published === 200);

    await nats.stop('SIGKILL');
    for (let batch = 0; batch < 5; batch += 1) await send(40);
    await until('the outbox notices', () => !outbox.health().publishing);
    assert.ok(outbox.health().pendingBytes > 0, 'the events wait in the file');

    await nats.start();
    await until(
      'the outbox drained',
      () => outbox.health().pendingBytes === 0 && outbox.health().publishing,
    );
    assert.equal(await outbox.close(1_000), 0);
    assertExactlyOnceInOrder(await streamRecords(nats.url, 'DG_OUTBOX_TEST'), 400);
  },
);

test(
  'a gateway stopped while NATS is down publishes the rest at its next start; a torn line is cut off',
  { timeout: 60_000 },
  async (t) => {
    if (!privateNatsAvailable())
      return t.skip('nats-server is not installed (Debian package nats-server)');
    const nats = await startPrivateNats();
    const folder = mkdtempSync(join(tmpdir(), 'dg-outbox-'));
    const path = join(folder, 'outbox');
    t.after(async () => {
      await nats.remove();
      rmSync(folder, { recursive: true, force: true });
    });
    const first = await NatsBus.connect(busOptions(nats.url));
    const before = await BusOutbox.open(path, first, { retryMaxMs: 200 });
    for (let n = 1; n <= 50; n += 1) before.add(eventOf(n));
    await before.flush();
    await until('50 published', () => before.health().published === 50);
    await nats.stop('SIGKILL');
    for (let n = 51; n <= 120; n += 1) before.add(eventOf(n));
    const left = await before.close(300);
    assert.ok(left > 0, 'unacknowledged events stay in the file');
    await first.close().catch(() => undefined);
    // the kill came mid-append: half a line at the end of the file
    appendFileSync(path, '["ix-999","acct-1"]\t{"id":"ix-999","acc');

    await nats.start();
    const second = await NatsBus.connect(busOptions(nats.url));
    const after = await BusOutbox.open(path, second, { retryMaxMs: 200 });
    for (let n = 121; n <= 130; n += 1) after.add(eventOf(n));
    await after.flush();
    await until('everything published', () => after.health().pendingBytes === 0);
    assert.equal(await after.close(1_000), 0);
    await second.close();
    const records = await streamRecords(nats.url, 'DG_OUTBOX_TEST');
    assertExactlyOnceInOrder(records, 130);
    assert.ok(!records.some((record) => record.id === 'ix-999'), 'the torn line is not published');
  },
);

test(
  'a file emptied many times on the way loses and repeats nothing',
  { timeout: 60_000 },
  async (t) => {
    if (!privateNatsAvailable())
      return t.skip('nats-server is not installed (Debian package nats-server)');
    const nats = await startPrivateNats();
    const folder = mkdtempSync(join(tmpdir(), 'dg-outbox-'));
    const path = join(folder, 'outbox');
    const bus = await NatsBus.connect(busOptions(nats.url));
    t.after(async () => {
      await bus.close();
      await nats.remove();
      rmSync(folder, { recursive: true, force: true });
    });
    // a 4 KiB bound: the file is emptied every few batches while appends keep coming
    const outbox = await BusOutbox.open(path, bus, { truncateBytes: 4_096, chunkBytes: 1_024 });
    let written = 0;
    for (let n = 1; n <= 2_000; n += 1) {
      outbox.add(eventOf(n));
      written += eventOf(n).json.length;
      if (n % 25 === 0) await outbox.flush();
      assert.ok(outbox.health().pendingBytes >= 0);
    }
    assert.equal(await outbox.close(10_000), 0);
    const size = statSync(path).size;
    assert.ok(
      size < written / 10,
      `the file was emptied on the way (${size} of ${written} bytes left)`,
    );
    assertExactlyOnceInOrder(await streamRecords(nats.url, 'DG_OUTBOX_TEST'), 2_000);
  },
);
