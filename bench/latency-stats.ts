// Percentiles of a set of latencies (nearest rank), for the gateway benchmark's tables.

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of `values` (ms); all NaN when there are none. */
export function percentiles(values: ArrayLike<number>): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const rank = (share: number) =>
    sorted.length
      ? sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]
      : Number.NaN;
  return {
    count: sorted.length,
    p50: rank(0.5),
    p90: rank(0.9),
    p99: rank(0.99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  };
}
