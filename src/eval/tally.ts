// Counting helpers shared by the eval metrics: verdict tallies, ratios that are null over an empty
// denominator, and the one order in which rows are listed.
import type { Verdict } from '../core/index.js';
import type { PersonaVerdicts, VerdictCounts } from './evaluation-result.js';

export function emptyVerdictCounts(): VerdictCounts {
  return { accounts: 0, extraction: 0, review: 0, benchmark: 0, unflagged: 0 };
}

/** Adds one labelled account; `verdict` is undefined when the report does not list it. */
export function countVerdict(counts: VerdictCounts, verdict: Verdict | undefined): void {
  counts.accounts += 1;
  if (verdict === undefined) counts.unflagged += 1;
  else counts[verdict] += 1;
}

/** part / whole, or null when whole is 0: an undefined ratio is shown as such, not as 0 or 1. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

export function personaVerdicts(persona: string | null, counts: VerdictCounts): PersonaVerdicts {
  return {
    persona,
    ...counts,
    extraction_share: share(counts.extraction, counts.accounts),
    review_share: share(counts.review, counts.accounts),
    benchmark_share: share(counts.benchmark, counts.accounts),
  };
}

// Numeric collation puts "c2" before "c10", the order a person expects.
const collator = new Intl.Collator('en', { numeric: true });

/** Orders ids and persona names for output; null (no id, no persona) goes last. */
export function compareKeys(left: string | null, right: string | null): number {
  if (left === right) return 0;
  if (left === null) return 1;
  if (right === null) return -1;
  return collator.compare(left, right) || (left < right ? -1 : 1);
}

/** Adds one to `key`'s count. */
export function increment<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** The key with the largest count; ties go to the key first in compareKeys order. */
export function dominantKey(counts: Map<string, number>): { key: string; count: number } | null {
  let best: { key: string; count: number } | null = null;
  for (const [key, count] of counts) {
    if (!best || count > best.count || (count === best.count && compareKeys(key, best.key) < 0)) {
      best = { key, count };
    }
  }
  return best;
}
