// The dashboard benchmark's table: per page, the page time over rounds (median and p90), the
// app's own data-ready-ms, the floor in the same rounds and the median of the per-round ratios.
import { percentiles } from './latency-stats.js';
import { median } from './measure.js';

/** The target: every page interactive in under a second. */
export const pageGoalMs = 1000;

export interface PageRow {
  page: string;
  route: string;
  /** The reads the page awaits, which the floor fetches. */
  reads: string;
  /** Per round: navigation to ready, measured from outside the page (ms). */
  outside: number[];
  /** Per round: the app's data-ready-ms; empty where the app has no figure (a later panel). */
  app: number[];
  /** Per round: the floor (ms), in the same round as `outside`. */
  floor: number[];
}

const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '-');

/** A markdown table of `rows`, ready for BENCHMARKS.md. */
export function pageTable(rows: PageRow[]): string {
  const lines = [
    `| page | route | reads it awaits (the floor) | ready, median (p90) | app's data-ready-ms | floor | ratio | under ${pageGoalMs / 1000} s |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const page = percentiles(row.outside);
    const ratio = median(row.outside.map((time, round) => time / row.floor[round]));
    const met = page.p50 < pageGoalMs;
    const verdict = met ? (page.p90 < pageGoalMs ? '**yes**' : `**yes** (p90 over)`) : '**no**';
    lines.push(
      `| ${row.page} | ${row.route} | ${row.reads} | ${ms(page.p50)} (${ms(page.p90)}) | ${row.app.length ? ms(median(row.app)) : '-'} | ${ms(median(row.floor))} | ${ratio.toFixed(2)} | ${verdict} |`,
    );
  }
  return lines.join('\n');
}
