// The detector workers' side of the bus: one durable pull consumer per partition
// (`<stream>-p<partition>`), read by whichever worker holds the partition's lease. Each event is
// acked once it is stored (AckPolicy.Explicit: never a cumulative ack, so that a worker whose
// lease lapsed while it was paused cannot ack what the next holder has been handed); an event not
// acked within ack_wait is delivered again.
import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  StringCodec,
  type Consumer,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from 'nats';
import { partitionSubject } from './partitions.js';

const codec = StringCodec();

/** One event as read from its partition. */
export interface StreamEvent {
  /** The stream's sequence number: increasing within a partition. */
  streamSeq: number;
  /** The event's id (`Nats-Msg-Id`, the interaction's id). */
  id: string;
  json: string;
  /** Deliveries so far (1 on the first). */
  deliveries: number;
}

export interface PartitionReaderOptions {
  stream: string;
  subjectPrefix: string;
  partition: number;
  /** How long a delivered event waits for its ack before it is delivered again (ms). */
  ackWaitMs: number;
  /** Events delivered and not yet acked, at most. */
  maxAckPending: number;
}

export function consumerName(stream: string, partition: number): string {
  return `${stream}-p${partition}`;
}

export class PartitionReader {
  readonly partition: number;
  private readonly consumer: Consumer;
  private fetched: JsMsg[] = [];

  private constructor(partition: number, consumer: Consumer) {
    this.partition = partition;
    this.consumer = consumer;
  }

  /** Makes the partition's durable consumer when missing, and reads from where it stands. */
  static async open(
    manager: JetStreamManager,
    jetstream: JetStreamClient,
    options: PartitionReaderOptions,
  ): Promise<PartitionReader> {
    const name = consumerName(options.stream, options.partition);
    const existing = await manager.consumers.info(options.stream, name).catch(() => null);
    if (existing === null)
      await manager.consumers.add(options.stream, {
        durable_name: name,
        filter_subject: partitionSubject(options.subjectPrefix, options.partition),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(options.ackWaitMs),
        max_ack_pending: options.maxAckPending,
      });
    return new PartitionReader(
      options.partition,
      await jetstream.consumers.get(options.stream, name),
    );
  }

  /** Up to `max` events, waiting at most `expiresMs` (1 s at least) for them; in stream order. */
  async fetch(max: number, expiresMs: number): Promise<StreamEvent[]> {
    const messages = await this.consumer.fetch({
      max_messages: max,
      // JetStream's client takes no shorter wait
      expires: Math.max(1_000, expiresMs),
    });
    const events: StreamEvent[] = [];
    for await (const message of messages) {
      this.fetched.push(message);
      events.push({
        streamSeq: message.seq,
        id: message.headers?.get('Nats-Msg-Id') ?? '',
        json: codec.decode(message.data),
        deliveries: message.info.redeliveryCount,
      });
    }
    return events;
  }

  /** Acks every event fetched so far: they are stored, and never delivered again. */
  async ackFetched(): Promise<void> {
    const fetched = this.fetched;
    this.fetched = [];
    if (fetched.length === 0) return;
    for (const message of fetched.slice(0, -1)) message.ack();
    // the last one waits for the server's answer; a lost ack means only a redelivery, which
    // storing by id makes harmless
    await (fetched[fetched.length - 1] as JsMsg).ackAck();
  }

  /** Hands back every event fetched and not acked (its store failed): they are delivered again. */
  nakFetched(): void {
    for (const message of this.fetched) message.nak(1_000);
    this.fetched = [];
  }
}
