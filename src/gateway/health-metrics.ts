// The health report as Prometheus metrics, on the gateway's registry: whether it is degraded, the
// live detector's state, lag, memory and skipped rows, and decisions that wait for the store.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { GatewayHealth, HealthReport } from './health.js';

/** A counter whose value is read from a running total at scrape time. */
function totalCounter(
  registry: Registry,
  name: string,
  help: string,
  total: (report: HealthReport) => number,
  report: () => HealthReport,
): void {
  let counted = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = total(report());
      if (value > counted) this.inc(value - counted);
      counted = Math.max(counted, value);
    },
  });
}

function gauge(
  registry: Registry,
  name: string,
  help: string,
  value: (report: HealthReport) => number,
  report: () => HealthReport,
): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(value(report()));
    },
  });
}

/** Registers the health metrics; each scrape reads one report. */
export function registerHealthMetrics(registry: Registry, health: GatewayHealth): void {
  // one report per scrape, shared by every metric collected in it
  let cached: { atMs: number; report: HealthReport } | null = null;
  const report = () => {
    const nowMs = Date.now();
    if (!cached || nowMs - cached.atMs > 100)
      cached = { atMs: nowMs, report: health.report(nowMs) };
    return cached.report;
  };
  gauge(
    registry,
    'distillguard_gateway_degraded',
    '1 while /health says degraded.',
    (r) => (r.status === 'degraded' ? 1 : 0),
    report,
  );
  gauge(
    registry,
    'distillguard_detector_up',
    '1 while the live detector is up and has assessed since its start.',
    (r) => (r.detector?.state === 'up' ? 1 : 0),
    report,
  );
  totalCounter(
    registry,
    'distillguard_detector_restarts_total',
    'Restarts of the live detector after it exited.',
    (r) => r.detector?.restarts ?? 0,
    report,
  );
  totalCounter(
    registry,
    'distillguard_detector_rows_skipped_total',
    'Stored rows the live detector could not read or parse, and skipped.',
    (r) => r.detector?.skippedRows ?? 0,
    report,
  );
  totalCounter(
    registry,
    'distillguard_detector_evicted_accounts_total',
    'Accounts the live detector evicted (longest idle) to stay within its bound, in its current run.',
    (r) => r.detector?.evictedAccounts ?? 0,
    report,
  );
  gauge(
    registry,
    'distillguard_detector_behind_seconds',
    'How long the oldest stored exchange the detector has not read has been in the store.',
    (r) => r.detector?.behindS ?? 0,
    report,
  );
  gauge(
    registry,
    'distillguard_detector_assessment_age_seconds',
    'Age of the assessment decisions rest on (-1 before the first).',
    (r) => r.detector?.assessmentAgeS ?? -1,
    report,
  );
  gauge(
    registry,
    'distillguard_detector_heap_used_bytes',
    "The live detector's V8 heap in use.",
    (r) => r.detector?.memory?.heapUsedBytes ?? 0,
    report,
  );
  gauge(
    registry,
    'distillguard_detector_rss_bytes',
    "The live detector's resident memory.",
    (r) => r.detector?.memory?.rssBytes ?? 0,
    report,
  );
  gauge(
    registry,
    'distillguard_gateway_decisions_pending',
    'Decision changes waiting to be stored.',
    (r) => r.decisions?.pending ?? 0,
    report,
  );
  totalCounter(
    registry,
    'distillguard_gateway_decisions_dropped_total',
    'Decision changes dropped because too many waited for the store.',
    (r) => r.decisions?.dropped ?? 0,
    report,
  );
  totalCounter(
    registry,
    'distillguard_gateway_unhandled_rejections_total',
    'Promise rejections nothing handled (each one logged).',
    (r) => r.unhandled.count,
    report,
  );
}
