// One side of the bus benchmark: streams a JSON Lines file of interactions, as the parse loop does,
// and publishes every record to NATS JetStream through the gateway's outbox (appended in batches of
// 64, published from the file, acknowledged), then waits until JetStream holds them all. Prints
// the records published and the stream's bytes per message.
// Usage: node dist/bench/bus-publish.js FILE --nats URL --stream NAME --outbox PATH
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect } from 'nats';
import { BusOutbox, loadNatsBus } from '../src/bus/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
    stream: { type: 'string', default: 'BENCH_BUS' },
    outbox: { type: 'string', default: 'bench.outbox' },
  },
});
const path = positionals[0];
if (!path) throw new Error('usage: node dist/bench/bus-publish.js FILE --nats URL --stream NAME');
const { NatsBus } = await loadNatsBus();
const bus = await NatsBus.connect({
  servers: values.nats,
  stream: values.stream,
  subjectPrefix: `bench.${values.stream}`,
  partitions: 16,
  duplicateWindowMs: 120_000,
  ackTimeoutMs: 30_000,
  maxAgeMs: 3_600_000,
});
const outbox = await BusOutbox.open(values.outbox, bus);
let carry = '';
let records = 0;
const publish = (line: string) => {
  const record = JSON.parse(line) as { id: string; account_id: string };
  outbox.add({ id: record.id, accountId: record.account_id, json: line });
  records += 1;
  // the gateway appends every 20 ms, about 64 records at 3,000 a second
  if (records % 64 === 0) void outbox.flush();
};
for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const lines = (carry + (chunk as string)).split('\n');
  carry = lines.pop() ?? '';
  for (const line of lines) if (line) publish(line);
  // keep at most a few chunks ahead of JetStream, as a gateway's traffic would
  while (outbox.health().pendingBytes > 8 << 20)
    await new Promise((resolve) => setTimeout(resolve, 5));
}
if (carry) publish(carry);
const left = await outbox.close(600_000);
await bus.close();
const connection = await connect({ servers: values.nats });
const info = await (await connection.jetstreamManager()).streams.info(values.stream);
await connection.close();
if (left !== 0 || info.state.messages !== records)
  throw new Error(`published ${info.state.messages} of ${records} (${left} bytes left)`);
process.stdout.write(
  `${JSON.stringify({ records, stream_bytes_per_message: info.state.bytes / info.state.messages })}\n`,
);
