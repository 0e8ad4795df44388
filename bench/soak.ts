// Judges the gateway's memory over a soak: the peak against the budget, and growth once every
// account has been seen (so filling per-account state is not mistaken for a leak).
import type { Check } from './gateway-report.js';
import type { OpenLoopResult } from './open-loop.js';

export const rssBudgetMb = 150;
/** Growth from the first to the last quarter of the steady samples that still counts as flat. */
export const flatGrowthMb = 5;

export interface SoakResult {
  samples: { atS: number; rssMb: number }[];
  peak_rss_mb: number | null;
  vm_hwm_mb: number | null;
  /** Mean RSS of the last quarter of the steady samples minus that of its first quarter; null when too short. */
  growth_mb: number | null;
  ok_responses: number;
  errors: Record<string, number>;
  p99_ms: number;
  summary: string;
  checks: Check[];
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

export function soakVerdict(
  samples: { atS: number; rssMb: number }[],
  allAccountsSeenS: number,
  hwmMb: number | null,
  load: OpenLoopResult,
): SoakResult {
  const peak = samples.length ? Math.max(...samples.map((sample) => sample.rssMb)) : null;
  const steady = samples.filter((sample) => sample.atS >= allAccountsSeenS);
  const quarter = Math.floor(steady.length / 4);
  const growth =
    quarter >= 2
      ? mean(steady.slice(-quarter).map((sample) => sample.rssMb)) -
        mean(steady.slice(0, quarter).map((sample) => sample.rssMb))
      : null;
  const errorCount = Object.values(load.errors).reduce((sum, count) => sum + count, 0);
  const round1 = (value: number | null) => (value === null ? null : Number(value.toFixed(1)));
  const summary =
    `${load.ok} ok, ${errorCount} errors, p99 ${load.latency.p99.toFixed(2)} ms; RSS peak ${round1(peak) ?? '-'} MB (VmHWM ${round1(hwmMb) ?? '-'} MB); ` +
    (growth === null
      ? `growth not judged: the soak needs at least 8 samples after all accounts were seen (${allAccountsSeenS.toFixed(0)} s in)`
      : `growth after all accounts were seen ${growth.toFixed(1)} MB`);
  const checks: Check[] = [
    {
      target: `RSS <= ${rssBudgetMb} MB with many active accounts`,
      measured: `peak ${round1(Math.max(peak ?? 0, hwmMb ?? 0))} MB`,
      met: peak !== null && Math.max(peak, hwmMb ?? 0) <= rssBudgetMb,
    },
    {
      target: `no RSS growth over the soak (<= ${flatGrowthMb} MB, last quarter vs first, after all accounts seen)`,
      measured: growth === null ? 'not judged (soak too short)' : `${growth.toFixed(1)} MB`,
      met: growth !== null && growth <= flatGrowthMb,
    },
  ];
  return {
    samples,
    peak_rss_mb: round1(peak),
    vm_hwm_mb: round1(hwmMb),
    growth_mb: round1(growth),
    ok_responses: load.ok,
    errors: load.errors,
    p99_ms: load.latency.p99,
    summary,
    checks,
  };
}
