// Folds the gateway benchmark's rounds into per-scenario medians, added latency and target checks,
// and prints them as a table.
import { median } from './measure.js';
import type { OpenLoopResult } from './open-loop.js';

export const targetNames = ['gateway', 'bare proxy', 'direct'] as const;
export type TargetName = (typeof targetNames)[number];

export interface TargetSummary {
  rounds: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  achieved_rate: number;
  errors: Record<string, number>;
  first_chunk_p50_ms: number | null;
  first_chunk_p99_ms: number | null;
  chunks_received: number;
  chunks_sent: number;
  incomplete_streams: number;
  reported_overhead_p50_ms: number | null;
  reported_overhead_p99_ms: number | null;
  /**
   * Milliseconds per second the server's main thread waited runnable while another task held its
   * core (Linux schedstat): contention from the server's own helpers and the machine, not the load.
   */
  main_thread_wait_ms_per_s: number | null;
}

export interface AddedLatency {
  /** Median over rounds of (gateway - floor) for each percentile, in ms. */
  p50_ms: number;
  p99_ms: number;
  first_chunk_p50_ms: number | null;
}

const round3 = (value: number) => Number(value.toFixed(3));

export function summarizeTarget(
  runs: OpenLoopResult[],
  mainThreadWaits: number[] = [],
): TargetSummary {
  const of = (pick: (run: OpenLoopResult) => number) => round3(median(runs.map(pick)));
  const ofOptional = (pick: (run: OpenLoopResult) => number | undefined) => {
    const values = runs
      .map(pick)
      .filter((value): value is number => value !== undefined && !Number.isNaN(value));
    return values.length ? round3(median(values)) : null;
  };
  const errors: Record<string, number> = {};
  for (const run of runs)
    for (const [code, count] of Object.entries(run.errors))
      errors[code] = (errors[code] ?? 0) + count;
  return {
    rounds: runs.length,
    p50_ms: of((run) => run.latency.p50),
    p90_ms: of((run) => run.latency.p90),
    p99_ms: of((run) => run.latency.p99),
    max_ms: round3(Math.max(...runs.map((run) => run.latency.max))),
    achieved_rate: Math.round(median(runs.map((run) => run.achievedRate))),
    errors,
    first_chunk_p50_ms: ofOptional((run) => run.firstChunk?.p50),
    first_chunk_p99_ms: ofOptional((run) => run.firstChunk?.p99),
    chunks_received: runs.reduce((sum, run) => sum + run.chunksReceived, 0),
    chunks_sent: runs.reduce((sum, run) => sum + run.chunksSent, 0),
    incomplete_streams: runs.reduce((sum, run) => sum + run.incompleteStreams, 0),
    reported_overhead_p50_ms: ofOptional((run) => run.reportedOverhead?.p50),
    reported_overhead_p99_ms: ofOptional((run) => run.reportedOverhead?.p99),
    main_thread_wait_ms_per_s: mainThreadWaits.length ? round3(median(mainThreadWaits)) : null,
  };
}

/** Median over rounds of the gateway's latency minus the floor's in the same round. */
export function addedLatency(gateway: OpenLoopResult[], floor: OpenLoopResult[]): AddedLatency {
  const difference = (pick: (run: OpenLoopResult) => number) =>
    round3(median(gateway.map((run, round) => pick(run) - pick(floor[round]))));
  const streaming = gateway.every((run, round) => run.firstChunk && floor[round].firstChunk);
  return {
    p50_ms: difference((run) => run.latency.p50),
    p99_ms: difference((run) => run.latency.p99),
    first_chunk_p50_ms: streaming ? difference((run) => run.firstChunk!.p50) : null,
  };
}

export interface Check {
  target: string;
  measured: string;
  met: boolean;
}

const cell = (value: number | null, digits = 2) =>
  value === null || Number.isNaN(value) ? '-' : value.toFixed(digits);

export function formatScenarioTable(
  name: string,
  summaries: Record<TargetName, TargetSummary>,
  added: { direct: AddedLatency; proxy: AddedLatency },
): string[] {
  const lines = [
    `${name}`,
    `  ${'target'.padEnd(11)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'req/s'.padStart(7)} ${'errors'.padStart(7)} ${'ttft p50'.padStart(9)} ${'ttft p99'.padStart(9)} ${'chunks recv/sent'.padStart(18)} ${'reported overhead p50/p99'.padStart(26)} ${'runq wait ms/s'.padStart(15)}`,
  ];
  for (const target of targetNames) {
    const summary = summaries[target];
    const errorCount = Object.values(summary.errors).reduce((sum, count) => sum + count, 0);
    const chunks = summary.chunks_sent ? `${summary.chunks_received}/${summary.chunks_sent}` : '-';
    const overhead =
      summary.reported_overhead_p50_ms === null
        ? '-'
        : `${cell(summary.reported_overhead_p50_ms, 3)}/${cell(summary.reported_overhead_p99_ms, 3)}`;
    lines.push(
      `  ${target.padEnd(11)} ${cell(summary.p50_ms).padStart(8)} ${cell(summary.p90_ms).padStart(8)} ${cell(summary.p99_ms).padStart(8)} ${cell(summary.max_ms).padStart(8)} ${String(summary.achieved_rate).padStart(7)} ${String(errorCount).padStart(7)} ${cell(summary.first_chunk_p50_ms).padStart(9)} ${cell(summary.first_chunk_p99_ms).padStart(9)} ${chunks.padStart(18)} ${overhead.padStart(26)} ${cell(summary.main_thread_wait_ms_per_s, 1).padStart(15)}`,
    );
    if (errorCount)
      lines.push(
        `    ${target} errors: ${Object.entries(summary.errors)
          .map(([code, count]) => `${code} x${count}`)
          .join(', ')}`,
      );
  }
  const ttft = (value: AddedLatency) =>
    value.first_chunk_p50_ms === null ? '' : `, ttft p50 ${cell(value.first_chunk_p50_ms, 3)}`;
  lines.push(
    `  added by the gateway vs direct:     p50 ${cell(added.direct.p50_ms, 3)} ms, p99 ${cell(added.direct.p99_ms, 3)} ms${ttft(added.direct)}`,
  );
  lines.push(
    `  added by the gateway vs bare proxy: p50 ${cell(added.proxy.p50_ms, 3)} ms, p99 ${cell(added.proxy.p99_ms, 3)} ms${ttft(added.proxy)}`,
  );
  return lines;
}
