// Where interaction events go besides the gateway's own store, chosen in config: nowhere else
// (embedded, the default) or a NATS JetStream stream that detector workers consume, through the
// gateway's durable outbox. `nats` loads only when NATS is configured.
import { z } from 'zod';
import { withoutCredentials } from '../core/index.js';
import type { OutboxHealth, OutboxLog } from './outbox.js';
import type { InteractionEvent } from './event-bus.js';
import type { NatsBusOptions } from './nats-bus.js';

export const busConfigSchema = z
  .strictObject({
    /** embedded: events stay in this gateway's store; nats: also published to JetStream for workers. */
    kind: z.enum(['embedded', 'nats']).default('embedded'),
    /** nats://host:4222, several separated by commas; required for nats. */
    servers: z.string().min(1).optional(),
    /** The JetStream stream (created when missing). */
    stream: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
      .default('DISTILLGUARD_INTERACTIONS'),
    /** Events go to `<subject_prefix>.<partition>`. */
    subject_prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dot-separated tokens without wildcards')
      .default('distillguard.interactions'),
    /** Partitions by account hash: the most workers that can share the stream. Fixed for a stream's life. */
    partitions: z.number().int().min(1).max(1_024).default(16),
    /** How long JetStream remembers event ids to drop a repeated publish (ms). */
    duplicate_window_ms: z.number().int().positive().default(600_000),
    /** How long one publish waits for JetStream's acknowledgement before it is retried (ms). */
    ack_timeout_ms: z.number().int().positive().default(5_000),
    /** How long the stream keeps an event, consumed or not (hours; set when the stream is created). */
    max_age_hours: z.number().positive().default(24),
  })
  .superRefine((value, context) => {
    if (value.kind === 'nats' && value.servers === undefined)
      context.addIssue({
        code: 'custom',
        path: ['servers'],
        message: 'bus.kind "nats" needs bus.servers, e.g. "nats://127.0.0.1:4222"',
      });
    if (value.kind === 'embedded' && value.servers !== undefined)
      context.addIssue({
        code: 'custom',
        path: ['kind'],
        message:
          'bus.servers is set but bus.kind is "embedded": set kind to "nats", or remove servers',
      });
  });

export type BusConfig = z.output<typeof busConfigSchema>;

/** The gateway's side of the bus: events in, health, and a close that drains within a deadline. */
export interface EventForwarder {
  add(event: InteractionEvent): void;
  health(): OutboxHealth;
  /** Where events go, for the startup line: the servers and the stream. */
  readonly target: string;
  /** Publishes what the outbox holds for at most `withinMs`; resolves with the bytes left in it. */
  close(withinMs: number): Promise<number>;
}

/** The servers (without credentials) and the stream, for logs and `config check`. */
export function describeBus(config: BusConfig): string {
  const servers = (config.servers ?? '')
    .split(',')
    .map((server) => withoutCredentials(server.trim()))
    .join(',');
  return `${servers} (stream ${config.stream})`;
}

/** The NATS adapter's options from the config's `bus` block (kind "nats"). */
export function natsBusOptions(config: BusConfig): NatsBusOptions {
  return {
    servers: config.servers ?? '',
    stream: config.stream,
    subjectPrefix: config.subject_prefix,
    partitions: config.partitions,
    duplicateWindowMs: config.duplicate_window_ms,
    ackTimeoutMs: config.ack_timeout_ms,
    maxAgeMs: config.max_age_hours * 3_600_000,
  };
}

/**
 * Connects to NATS (refusing to start without it) and opens the outbox at `outboxPath`; null for
 * the embedded bus.
 * @throws DistillGuardError('engine_unavailable') when NATS or JetStream does not answer.
 */
export async function openEventForwarder(
  config: BusConfig,
  outboxPath: string,
  log?: OutboxLog,
): Promise<EventForwarder | null> {
  if (config.kind === 'embedded' || config.servers === undefined) return null;
  const [{ NatsBus }, { BusOutbox }] = await Promise.all([
    import('./nats-bus.js'),
    import('./outbox.js'),
  ]);
  const bus = await NatsBus.connect(natsBusOptions(config));
  const outbox = await BusOutbox.open(outboxPath, bus, { log, flushEveryMs: 20 });
  return {
    add: (event) => outbox.add(event),
    health: () => outbox.health(),
    target: describeBus(config),
    async close(withinMs) {
      const left = await outbox.close(withinMs);
      await bus.close();
      return left;
    },
  };
}
