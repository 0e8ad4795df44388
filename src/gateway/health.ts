// What /health says: "ok", or "degraded" with the reasons (detector down or behind, store not
// writable, a backlog, decisions not stored, an unhandled error). The public answer is status and
// short reasons only; counts and error texts (traffic volume, paths) are in the detailed report,
// for the admin side (GET /v1/admin/health).
import type { FastifyInstance } from 'fastify';
import type { RecorderHealth } from './interaction-recorder.js';
import type { DecisionWriteHealth } from './enforcement.js';
import type { DetectorHealth } from './live-detection.js';
import type { UnhandledErrors } from './process-faults.js';
import type { CountersHealth } from '../respond/index.js';
import type { OutboxHealth } from '../bus/index.js';

export type HealthStatus = 'ok' | 'degraded';

export type HealthReasonCode =
  | 'detector_starting'
  | 'detector_down'
  | 'detector_behind'
  | 'assessment_stale'
  | 'detector_failing'
  | 'detector_memory'
  | 'store_not_writable'
  | 'store_backlog'
  | 'spool_not_writable'
  | 'decisions_not_stored'
  | 'counters_not_shared'
  | 'bus_not_publishing'
  | 'unhandled_error';

export interface HealthReason {
  code: HealthReasonCode;
  /** For anyone who can reach the port: no counts, paths or error texts. */
  summary: string;
  /** For the admin side: with the numbers and the error. */
  detail: string;
}

export interface HealthSources {
  recorder: { health(): RecorderHealth };
  detection: { health(nowMs: number): DetectorHealth } | null;
  /** The ladder's decision writes; null with an enforcement that stores none. */
  decisions: { health(): DecisionWriteHealth | null } | null;
  /** Where throttle buckets live (memory or Redis); absent in tests of other parts. */
  counters?: { health(): CountersHealth };
  /** The bus's outbox (NATS), when events are published; null or absent otherwise. */
  bus?: { health(): OutboxHealth } | null;
  unhandled: UnhandledErrors;
  /** Exchanges waiting (queued and in flight) from which the store is reported as behind (default 10,000). */
  backlogLimit?: number;
}

/** The full report, for the admin side and metrics. */
export interface HealthReport {
  status: HealthStatus;
  reasons: { code: HealthReasonCode; message: string }[];
  detector: DetectorHealth | null;
  store: RecorderHealth;
  decisions: DecisionWriteHealth | null;
  /** The engines this gateway uses and how each is doing. */
  engines: EnginesReport;
  unhandled: { count: number; last: { at: string; message: string } | null };
}

/** Each engine's state as /health shows it: no URLs or error texts (those are in the admin report). */
export type EngineState = 'ok' | 'failing';

export interface EnginesReport {
  counters: CountersHealth | null;
  bus: OutboxHealth | null;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The bus works when it acknowledges and its outbox file can be written. */
const busWorks = (bus: OutboxHealth) => bus.publishing && bus.file === null;
const seconds = (value: number) => `${Math.round(value)} s`;

function detectorReasons(detector: DetectorHealth, nowMs: number): HealthReason[] {
  const reasons: HealthReason[] = [];
  if (detector.downSinceMs !== null && detector.state !== 'up') {
    const exit = detector.lastExit;
    const cause = exit
      ? exit.signal
        ? `signal ${exit.signal}`
        : `exit code ${exit.code}`
      : 'unknown cause';
    const summary = `live detector down since ${iso(detector.downSinceMs)} (${cause}; ${detector.restarts} restart(s)); decisions use the last assessment`;
    reasons.push({
      code: 'detector_down',
      summary,
      detail: `${summary}, now ${detector.state === 'starting' ? 'reading the store again (warm start)' : 'waiting to restart'}, for ${seconds((nowMs - detector.downSinceMs) / 1000)}`,
    });
  } else if (detector.state === 'starting') {
    reasons.push({
      code: 'detector_starting',
      summary: 'live detector warming up: accounts are not assessed yet',
      detail: `live detector warming up: read through stored exchange ${detector.through}`,
    });
  }
  if (detector.state === 'up') {
    if (detector.behindS > detector.staleAfterS) {
      const summary = `live detection behind by ${seconds(detector.behindS)}`;
      reasons.push({
        code: 'detector_behind',
        summary,
        detail: `${summary}: the oldest stored exchange it has not read has waited that long (read through ${detector.through})`,
      });
    }
    if (detector.assessmentAgeS !== null && detector.assessmentAgeS > detector.staleAfterS) {
      const summary = `live assessment ${seconds(detector.assessmentAgeS)} old`;
      reasons.push({
        code: 'assessment_stale',
        summary,
        detail: `${summary} (stale after ${seconds(detector.staleAfterS)})`,
      });
    }
  }
  if (detector.failing !== null) {
    reasons.push({
      code: 'detector_failing',
      summary: 'live detection fails to read the store or to assess',
      detail: `live detection fails: ${detector.failing.split('\n')[0]}`,
    });
  }
  if (detector.memory?.alarm) {
    const { heapUsedBytes, heapLimitBytes, rssBytes } = detector.memory;
    reasons.push({
      code: 'detector_memory',
      summary: 'live detector memory near its limit',
      detail: `live detector heap ${Math.round(heapUsedBytes / 2 ** 20)} MB of ${Math.round(heapLimitBytes / 2 ** 20)} MB (RSS ${Math.round(rssBytes / 2 ** 20)} MB)`,
    });
  }
  return reasons;
}

export class GatewayHealth {
  private readonly sources: HealthSources;

  constructor(sources: HealthSources) {
    this.sources = sources;
  }

  get unhandled(): UnhandledErrors {
    return this.sources.unhandled;
  }

  /** Every reason the gateway is degraded now; empty when it is ok. */
  reasons(nowMs = Date.now()): HealthReason[] {
    const { recorder, detection, decisions, unhandled } = this.sources;
    const reasons: HealthReason[] = detection
      ? detectorReasons(detection.health(nowMs), nowMs)
      : [];
    const store = recorder.health();
    if (!store.writable) {
      reasons.push({
        code: 'store_not_writable',
        summary: 'store not writable: exchanges wait in memory',
        detail: `store not writable: ${store.reason ?? 'unknown reason'} (${store.queued} queued, ${store.inFlight} in flight, ${store.dropped} dropped)`,
      });
    }
    if (store.spool !== null) {
      reasons.push({
        code: 'spool_not_writable',
        summary: 'spool not writable: answered exchanges are not safe from a crash until stored',
        detail: `spool not writable: ${store.spool}`,
      });
    }
    const backlog = store.queued + store.inFlight;
    if (store.writable && backlog >= (this.sources.backlogLimit ?? 10_000)) {
      reasons.push({
        code: 'store_backlog',
        summary: 'store writes behind',
        detail: `store writes behind: ${store.queued} queued, ${store.inFlight} in flight`,
      });
    }
    const written = decisions?.health();
    if (written && !written.writable) {
      reasons.push({
        code: 'decisions_not_stored',
        summary: `decisions not stored since ${iso(written.since ?? nowMs)}`,
        detail: `decisions not stored since ${iso(written.since ?? nowMs)}: ${written.reason ?? 'unknown reason'} (${written.pending} waiting, ${written.dropped} dropped)`,
      });
    }
    const counters = this.sources.counters?.health();
    if (counters && !counters.shared) {
      reasons.push({
        code: 'counters_not_shared',
        summary: `shared counters unreachable since ${iso(counters.since ?? nowMs)}: throttle limits are per gateway`,
        detail: `shared counters (${counters.kind} at ${counters.url ?? '-'}) unreachable since ${iso(counters.since ?? nowMs)}: ${counters.reason ?? 'unknown reason'}; ${counters.localTakes} takes decided by this gateway's own buckets`,
      });
    }
    const bus = this.sources.bus?.health();
    if (bus && !busWorks(bus)) {
      const what = bus.publishing
        ? `bus outbox file not writable: events wait in memory`
        : `bus not acknowledging since ${iso(bus.since ?? nowMs)}: events wait in the outbox`;
      reasons.push({
        code: 'bus_not_publishing',
        summary: what,
        detail: `${what}: ${bus.reason ?? bus.file ?? 'unknown reason'} (${bus.pendingBytes} bytes pending, ${bus.dropped} dropped)`,
      });
    }
    const recent = unhandled.recent(nowMs);
    if (recent)
      reasons.push({
        code: 'unhandled_error',
        summary: `unhandled error at ${iso(recent.atMs)} (logged)`,
        detail: `unhandled error at ${iso(recent.atMs)}: ${recent.message} (${unhandled.count} since start)`,
      });
    return reasons;
  }

  /** The public answer: status, short reasons, and each engine's state. */
  summary(nowMs = Date.now()): {
    status: HealthStatus;
    reasons: string[];
    engines: Record<string, EngineState>;
  } {
    const reasons = this.reasons(nowMs);
    return {
      status: reasons.length === 0 ? 'ok' : 'degraded',
      reasons: reasons.map((reason) => reason.summary),
      engines: this.engineStates(),
    };
  }

  /** ok or failing per engine: the store (written through the recorder), the counters and the bus. */
  engineStates(): Record<string, EngineState> {
    const states: Record<string, EngineState> = {
      store: this.sources.recorder.health().writable ? 'ok' : 'failing',
    };
    const counters = this.sources.counters?.health();
    if (counters) states.counters = counters.shared ? 'ok' : 'failing';
    const bus = this.sources.bus?.health();
    if (bus) states.bus = busWorks(bus) ? 'ok' : 'failing';
    return states;
  }

  /** The detailed report, for the admin side. */
  report(nowMs = Date.now()): HealthReport {
    const reasons = this.reasons(nowMs);
    const { recorder, detection, decisions, unhandled } = this.sources;
    const recent = unhandled.recent(nowMs);
    return {
      status: reasons.length === 0 ? 'ok' : 'degraded',
      reasons: reasons.map((reason) => ({ code: reason.code, message: reason.detail })),
      detector: detection?.health(nowMs) ?? null,
      store: recorder.health(),
      decisions: decisions?.health() ?? null,
      engines: {
        counters: this.sources.counters?.health() ?? null,
        bus: this.sources.bus?.health() ?? null,
      },
      unhandled: {
        count: unhandled.count,
        last: recent ? { at: iso(recent.atMs), message: recent.message } : null,
      },
    };
  }
}

/**
 * GET /health (liveness: always 200 while the process serves, with `ok` or `degraded`: a degraded
 * gateway still serves traffic, and restarting it would lose its queue and its detector's warm
 * state) and GET /health/ready (200 once the first assessment after start is in, else 503, so a
 * rolling deploy keeps the old gateway until the new one has verdicts). `ready` says whether the
 * warm start has settled.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  health: GatewayHealth,
  ready: () => boolean,
): void {
  app.get('/health', async () => health.summary());
  app.get('/health/ready', async (_request, reply) => {
    if (ready()) return { ready: true };
    void reply.code(503);
    return { ready: false, reason: 'live detection is reading the store (warm start)' };
  });
}
