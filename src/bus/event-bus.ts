// The bus port: how a gateway hands interaction events to the detector workers of a scale-out
// deployment. An adapter partitions events by account (one account's events stay in order on one
// partition) and drops an event published twice under the same id.

/** One interaction event: its id (the interaction's), its account, and the record as JSON. */
export interface InteractionEvent {
  id: string;
  accountId: string;
  json: string;
}

/** What the bus did with a batch: each event is either newly kept or a repeat of one it has. */
export interface PublishResult {
  published: number;
  /** Events the bus already held under the same id (a publish repeated after a lost ack). */
  duplicates: number;
}

export interface InteractionBus {
  /** Publishes the events; resolves once the bus has acknowledged every one, rejects if any is not. */
  publish(events: readonly InteractionEvent[]): Promise<PublishResult>;
  close(): Promise<void>;
}
