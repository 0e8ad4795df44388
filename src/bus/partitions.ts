// Which partition an account's events go to: the project's string hash (FNV-1a, mixed) of the
// account id modulo the partition count, so every gateway sends one account to the same partition
// and the worker that owns it sees the account's events in order.
import { hash32 } from '../core/index.js';

/**
 * @example partitionOf('acct_42', 16) // a number in 0..15, the same on every gateway
 */
export function partitionOf(accountId: string, partitions: number): number {
  return hash32(accountId) % partitions;
}

/** The subject of a partition: `<prefix>.<partition>`. */
export function partitionSubject(prefix: string, partition: number): string {
  return `${prefix}.${partition}`;
}
