// Prometheus metrics of the gateway, on its own registry: requests by route, status and action,
// the overhead the gateway adds (histogram), upstream latency, and the recorder's backlog.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'surface' | 'status' | 'action'>;
  readonly overhead: Histogram<'surface'>;
  readonly upstreamSeconds: Histogram<'surface'>;
  readonly recorderQueue: Gauge;
  readonly decisions: Counter<'action'>;
  readonly recorderDropped: Counter<'reason'>;
  /** Label children bound once per label set: the per-request cost is then one increment. */
  private readonly requestCounters = new Map<string, Counter.Internal>();
  private readonly overheadBySurface = new Map<string, Histogram.Internal<'surface'>>();
  private readonly upstreamBySurface = new Map<string, Histogram.Internal<'surface'>>();

  constructor(recorderQueue: () => number) {
    collectDefaultMetrics({ register: this.registry, prefix: 'distillguard_' });
    this.requests = new Counter({
      name: 'distillguard_gateway_requests_total',
      help: 'Requests answered, by API surface, HTTP status and ladder action.',
      labelNames: ['surface', 'status', 'action'],
      registers: [this.registry],
    });
    this.overhead = new Histogram({
      name: 'distillguard_gateway_overhead_seconds',
      help: 'Time the gateway itself adds to a request (excludes the upstream).',
      labelNames: ['surface'],
      buckets: [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
      registers: [this.registry],
    });
    this.upstreamSeconds = new Histogram({
      name: 'distillguard_gateway_upstream_seconds',
      help: 'Upstream time to the end of the response.',
      labelNames: ['surface'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: [this.registry],
    });
    this.recorderQueue = new Gauge({
      name: 'distillguard_gateway_recorder_queue',
      help: 'Exchanges waiting to be written to the store.',
      registers: [this.registry],
      collect() {
        this.set(recorderQueue());
      },
    });
    this.recorderDropped = new Counter({
      name: 'distillguard_gateway_recorder_dropped_total',
      labelNames: ['reason'],
      registers: [this.registry],
      help: 'Exchanges not stored, by reason: queue_full (the newest, while the queue is full), retries_exhausted, shutdown (unstored at the drain deadline; in the spool when it could be written), rejected (refused by the store, kept in rejected_lines).',
    });
    this.decisions = new Counter({
      name: 'distillguard_gateway_decisions_total',
      help: "Decisions recorded (changes of an account's action), by action.",
      labelNames: ['action'],
      registers: [this.registry],
    });
  }

  countRequest(surface: string, status: number, action: string): void {
    const key = `${surface}|${status}|${action}`;
    let counter = this.requestCounters.get(key);
    if (!counter) {
      counter = this.requests.labels({ surface, status: String(status), action });
      this.requestCounters.set(key, counter);
    }
    counter.inc();
  }

  observeOverhead(surface: string, seconds: number): void {
    let histogram = this.overheadBySurface.get(surface);
    if (!histogram)
      this.overheadBySurface.set(surface, (histogram = this.overhead.labels({ surface })));
    histogram.observe(seconds);
  }

  observeUpstream(surface: string, seconds: number): void {
    let histogram = this.upstreamBySurface.get(surface);
    if (!histogram)
      this.upstreamBySurface.set(surface, (histogram = this.upstreamSeconds.labels({ surface })));
    histogram.observe(seconds);
  }
}
