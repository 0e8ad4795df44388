// Interaction events on NATS JetStream: one stream whose subjects are the partitions
// (`<prefix>.<p>`), each event published with its interaction id as `Nats-Msg-Id`, so that the
// stream drops a publish repeated within its duplicate window. The stream is created at connect
// when missing; one whose subjects differ stops the start rather than being changed under its
// consumers.
import { connect, nanos, StringCodec, type JetStreamClient, type NatsConnection } from 'nats';
import { DistillGuardError } from '../core/index.js';
import type { InteractionBus, InteractionEvent, PublishResult } from './event-bus.js';
import { partitionOf, partitionSubject } from './partitions.js';
import { PartitionReader } from './partition-reader.js';

export interface NatsBusOptions {
  /** nats://host:4222, several separated by commas. */
  servers: string;
  /** The stream's name (letters, digits, - and _). */
  stream: string;
  /** The subjects' prefix: events go to `<prefix>.<partition>`. */
  subjectPrefix: string;
  partitions: number;
  /** How long the stream remembers ids to drop repeats (ms). */
  duplicateWindowMs: number;
  /** How long one publish waits for the stream's ack (ms). */
  ackTimeoutMs: number;
  /** How long the stream keeps an event (ms); set when the stream is created. */
  maxAgeMs: number;
}

const codec = StringCodec();

export class NatsBus implements InteractionBus {
  private readonly connection: NatsConnection;
  private readonly jetstream: JetStreamClient;
  private readonly options: NatsBusOptions;

  private constructor(connection: NatsConnection, options: NatsBusOptions) {
    this.connection = connection;
    this.jetstream = connection.jetstream();
    this.options = options;
  }

  /**
   * Connects, and creates the stream when it does not exist.
   * @throws DistillGuardError('engine_unavailable') when NATS or JetStream does not answer; ('usage') when the stream exists with other subjects.
   */
  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    let connection: NatsConnection;
    try {
      connection = await connect({
        servers: options.servers.split(',').map((server) => server.trim()),
        timeout: 2_000,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
      });
    } catch (error) {
      throw new DistillGuardError(
        'engine_unavailable',
        `bus: cannot reach NATS at ${options.servers}: ${(error as Error).message}. Start NATS with JetStream (nats-server -js) there, or fix bus.servers.`,
        { cause: error },
      );
    }
    try {
      await ensureStream(connection, options);
    } catch (error) {
      await connection.close();
      throw error;
    }
    return new NatsBus(connection, options);
  }

  async publish(events: readonly InteractionEvent[]): Promise<PublishResult> {
    const acks = await Promise.all(
      events.map((event) =>
        this.jetstream.publish(
          partitionSubject(
            this.options.subjectPrefix,
            partitionOf(event.accountId, this.options.partitions),
          ),
          codec.encode(event.json),
          { msgID: event.id, timeout: this.options.ackTimeoutMs },
        ),
      ),
    );
    const duplicates = acks.filter((ack) => ack.duplicate).length;
    return { published: acks.length - duplicates, duplicates };
  }

  /**
   * A reader of one partition, for the detector worker that holds its lease: the partition's
   * durable consumer, made when missing, read from where it stands.
   */
  async reader(
    partition: number,
    options: { ackWaitMs: number; maxAckPending: number },
  ): Promise<PartitionReader> {
    return PartitionReader.open(await this.connection.jetstreamManager(), this.jetstream, {
      stream: this.options.stream,
      subjectPrefix: this.options.subjectPrefix,
      partition,
      ...options,
    });
  }

  get partitions(): number {
    return this.options.partitions;
  }

  /** Drains what is in flight (at most 2 s: a NATS that is down never drains), then closes. */
  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.connection.drain().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, 2_000))),
    ]);
    clearTimeout(timer);
    if (!this.connection.isClosed()) await this.connection.close();
  }
}

async function ensureStream(connection: NatsConnection, options: NatsBusOptions): Promise<void> {
  const subjects = [`${options.subjectPrefix}.*`];
  let manager;
  try {
    manager = await connection.jetstreamManager({ timeout: 2_000 });
  } catch (error) {
    throw new DistillGuardError(
      'engine_unavailable',
      `bus: NATS at ${options.servers} answers but JetStream does not: ${(error as Error).message}. Start nats-server with -js.`,
      { cause: error },
    );
  }
  const existing = await manager.streams.info(options.stream).catch(() => null);
  if (existing === null) {
    await manager.streams.add({
      name: options.stream,
      subjects,
      duplicate_window: nanos(options.duplicateWindowMs),
      // a transport, not the record: events older than this go, consumed or not
      max_age: nanos(options.maxAgeMs),
    });
    return;
  }
  const same =
    existing.config.subjects?.length === 1 && existing.config.subjects[0] === subjects[0];
  if (!same)
    throw new DistillGuardError(
      'usage',
      `bus: the stream ${options.stream} exists with subjects ${JSON.stringify(existing.config.subjects)}, not ${JSON.stringify(subjects)}. Name another stream, or change bus.subject_prefix to match it.`,
    );
}
