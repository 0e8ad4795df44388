// When simulated accounts are active: local-time diurnal and weekly rhythms, and sampling of
// request times from them by rejection, so every population has a realistic clock.
import type { Random } from './random.js';

export interface SimulationWindow {
  startMs: number;
  endMs: number;
  days: number;
  /** When the new model is released (campaigns and eager benchmarkers move to it within hours). */
  releaseMs: number;
}

export const hourMs = 3_600_000;
export const dayMs = 24 * hourMs;
export const minuteMs = 60_000;

export type Rhythm = 'consumer' | 'work' | 'flat';

// Relative activity per local hour 0..23.
const hourWeights: Record<Rhythm, readonly number[]> = {
  consumer: [
    0.35, 0.2, 0.12, 0.08, 0.06, 0.07, 0.15, 0.35, 0.6, 0.8, 0.9, 0.95, 0.9, 0.9, 0.95, 0.95, 0.95,
    0.9, 0.9, 1, 1, 0.95, 0.8, 0.55,
  ],
  work: [
    0.05, 0.03, 0.02, 0.02, 0.02, 0.04, 0.1, 0.3, 0.7, 0.95, 1, 1, 0.75, 0.9, 1, 1, 0.95, 0.8, 0.5,
    0.3, 0.22, 0.18, 0.12, 0.08,
  ],
  flat: new Array<number>(24).fill(1),
};

// Relative activity per local weekday, Sunday first.
const weekdayWeights: Record<Rhythm, readonly number[]> = {
  consumer: [1.1, 0.95, 0.95, 0.95, 0.95, 1, 1.1],
  work: [0.2, 1, 1, 1, 1, 0.9, 0.25],
  flat: [1, 1, 1, 1, 1, 1, 1],
};

/** Relative activity in [0, 1.1] at `ms` for someone living at `utcOffsetHours`. */
export function activityWeight(ms: number, utcOffsetHours: number, rhythm: Rhythm): number {
  const local = new Date(ms + utcOffsetHours * hourMs);
  const hour = local.getUTCHours();
  const next = (hour + 1) % 24;
  const fraction = local.getUTCMinutes() / 60;
  const weights = hourWeights[rhythm];
  const hourly = weights[hour] * (1 - fraction) + weights[next] * fraction;
  return hourly * weekdayWeights[rhythm][local.getUTCDay()];
}

/** A time in [fromMs, toMs) drawn in proportion to the rhythm's activity at the offset. */
export function sampleActiveTime(
  random: Random,
  fromMs: number,
  toMs: number,
  utcOffsetHours: number,
  rhythm: Rhythm,
): number {
  if (rhythm === 'flat') return random.uniform(fromMs, toMs);
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const candidate = random.uniform(fromMs, toMs);
    if (random.next() * 1.1 < activityWeight(candidate, utcOffsetHours, rhythm)) return candidate;
  }
  return random.uniform(fromMs, toMs);
}

/** Midnight UTC of each simulated day. */
export function dayStarts(window: SimulationWindow): number[] {
  return Array.from({ length: window.days }, (_, day) => window.startMs + day * dayMs);
}
