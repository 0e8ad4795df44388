// Public face of bus/: the port that carries interaction events from gateways to detector workers,
// its partitioning by account, and the NATS JetStream adapter (loaded on demand: it brings `nats`).
export type { InteractionBus, InteractionEvent, PublishResult } from './event-bus.js';
export { partitionOf, partitionSubject } from './partitions.js';
export type { NatsBus, NatsBusOptions } from './nats-bus.js';
export type { PartitionReader, StreamEvent } from './partition-reader.js';
/** The NATS JetStream adapter's module, loaded only where a bus is configured. */
export const loadNatsBus = () => import('./nats-bus.js');
export {
  busConfigSchema,
  describeBus,
  natsBusOptions,
  openEventForwarder,
  type BusConfig,
  type EventForwarder,
} from './bus-config.js';
export { BusOutbox, type OutboxHealth, type OutboxOptions } from './outbox.js';
