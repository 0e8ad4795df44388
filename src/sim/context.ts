// Everything a population needs to generate its accounts and traffic, plus small shared helpers.
import type { AccountLabel } from '../core/index.js';
import type { ClientInfo, SimAccount, SimEvent } from './exchange.js';
import type { Corpus } from './fixtures.js';
import type { Internet } from './networks.js';
import type { Random } from './random.js';
import type { TextPool } from './text-pool.js';
import type { SimulationWindow } from './timing.js';
import { dayMs, hourMs } from './timing.js';

export interface ModelNames {
  /** Flagship model available all week. */
  current: string;
  /** Smaller, cheaper model. */
  small: string;
  /** New model released during the window (window.releaseMs). */
  next: string;
}

export interface SimulationContext {
  window: SimulationWindow;
  corpus: Corpus;
  pool: TextPool;
  internet: Internet;
  models: ModelNames;
  /** Multiplies every population's account count. */
  scale: number;
  /** The hydra campaign's account count whatever the scale (load tests); scaled when absent. */
  hydraAccounts?: number;
}

export interface Population {
  accounts: SimAccount[];
  events: SimEvent[];
}

/** Account count for a population of `base` accounts at scale 1 (never fewer than `minimum`). */
export function scaledCount(context: SimulationContext, base: number, minimum = 1): number {
  return Math.max(minimum, Math.round(base * context.scale));
}

export function newAccountId(random: Random): string {
  return `acct_${random.token(12)}`;
}

export function newKeyId(random: Random): string {
  return `key_${random.token(10)}`;
}

export function newPaymentFingerprint(random: Random): string {
  return `pm_${random.token(16)}`;
}

export function isoTime(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

/** Account creation time `ageDays` before the window starts (at least an hour before its first use). */
export function createdBefore(context: SimulationContext, ageDays: number): string {
  return isoTime(context.window.startMs - Math.max(1 / 24, ageDays) * dayMs);
}

/** The model an account uses at `ts`, moving to the new one `delayHours` after its release. */
export function modelAt(
  context: SimulationContext,
  ts: number,
  delayHours: number,
  fallback = context.models.current,
): string {
  return ts >= context.window.releaseMs + delayHours * hourMs ? context.models.next : fallback;
}

/** A fixed client (same IP, network and user agent every time). */
export function fixedClient(client: ClientInfo): SimAccount['client'] {
  return () => client;
}

export function label(
  klass: AccountLabel['class'],
  persona: string,
  campaign?: string,
): AccountLabel {
  return campaign ? { class: klass, persona, campaign } : { class: klass, persona };
}
