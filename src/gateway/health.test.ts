// /health tells the truth: ok only when nothing is wrong; each fault named; the public answer
// carries no counts or error texts (those are in the admin report).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayHealth, type HealthSources } from './health.js';
import type { DetectorHealth } from './live-detection.js';
import { UnhandledErrors } from './process-faults.js';
import type { RecorderHealth } from './interaction-recorder.js';
import type { DecisionWriteHealth } from './enforcement.js';
import type { CountersHealth } from '../respond/index.js';
import type { OutboxHealth } from '../bus/index.js';

const nowMs = Date.parse('2026-12-01T12:00:00Z');
const upDetector: DetectorHealth = {
  state: 'up',
  downSinceMs: null,
  restarts: 0,
  lastExit: null,
  assessmentAgeS: 2,
  behindS: 0,
  stale: false,
  staleAfterS: 60,
  through: 10,
  skippedRows: 0,
  evictedAccounts: 0,
  memory: null,
  failing: null,
};
const writableStore: RecorderHealth = {
  writable: true,
  reason: null,
  queued: 3,
  inFlight: 1,
  dropped: 0,
  rejected: 0,
  spool: null,
};
const storedDecisions: DecisionWriteHealth = {
  writable: true,
  reason: null,
  since: null,
  pending: 0,
  dropped: 0,
};

function health(
  overrides: {
    detector?: Partial<DetectorHealth>;
    store?: Partial<RecorderHealth>;
    decisions?: Partial<DecisionWriteHealth>;
    counters?: CountersHealth;
  } = {},
  unhandled = new UnhandledErrors(),
) {
  const counters = overrides.counters;
  const sources: HealthSources = {
    recorder: { health: () => ({ ...writableStore, ...overrides.store }) },
    detection: { health: () => ({ ...upDetector, ...overrides.detector }) },
    decisions: { health: () => ({ ...storedDecisions, ...overrides.decisions }) },
    ...(counters ? { counters: { health: () => counters } } : {}),
    unhandled,
  };
  return new GatewayHealth(sources);
}

test('ok when the detector is up and current, the store writable and decisions stored', () => {
  assert.deepEqual(health().summary(nowMs), {
    status: 'ok',
    reasons: [],
    engines: { store: 'ok' },
  });
  assert.equal(health().report(nowMs).store.queued, 3);
});

test('each fault degrades with its reason; the public reasons hold no counts or error texts', () => {
  const unhandled = new UnhandledErrors();
  unhandled.note(new Error('secret path /var/lib/dg/x'), nowMs - 1_000);
  const degraded = health(
    {
      detector: {
        state: 'starting',
        downSinceMs: nowMs - 5_000,
        restarts: 2,
        lastExit: { code: null, signal: 'SIGKILL', atMs: nowMs - 5_000 },
      },
      store: { writable: false, reason: 'SQLITE_FULL: database or disk is full', queued: 300 },
      decisions: { writable: false, reason: 'injected', since: nowMs - 3_000, pending: 7 },
    },
    unhandled,
  );
  const summary = degraded.summary(nowMs);
  assert.equal(summary.status, 'degraded');
  assert.deepEqual(
    degraded.reasons(nowMs).map((reason) => reason.code),
    ['detector_down', 'store_not_writable', 'decisions_not_stored', 'unhandled_error'],
  );
  assert.match(
    summary.reasons[0],
    /live detector down since 2026-12-01T11:59:55.000Z \(signal SIGKILL; 2 restart\(s\)\)/,
  );
  const text = summary.reasons.join(' | ');
  assert.doesNotMatch(text, /300|SQLITE_FULL|injected|secret path|\b7 waiting/);
  const report = degraded.report(nowMs);
  assert.match(
    report.reasons.map((reason) => reason.message).join(' | '),
    /SQLITE_FULL.*300 queued.*injected \(7 waiting.*secret path/,
  );
});

test('behind: the oldest unread stored exchange has waited past the stale bound; an old assessment; memory alarm', () => {
  const reasons = health({
    detector: {
      behindS: 75,
      assessmentAgeS: 90,
      memory: { rssBytes: 3e9, heapUsedBytes: 2.9e9, heapLimitBytes: 3.5e9, alarm: true },
    },
  }).summary(nowMs).reasons;
  assert.deepEqual(reasons, [
    'live detection behind by 75 s',
    'live assessment 90 s old',
    'live detector memory near its limit',
  ]);
  assert.deepEqual(health({ detector: { state: 'starting' } }).summary(nowMs).reasons, [
    'live detector warming up: accounts are not assessed yet',
  ]);
});

test('Redis counters that do not answer degrade health; the public answer names no URL or error', () => {
  const counters: CountersHealth = {
    kind: 'redis',
    url: 'redis://10.0.0.7:6379/0',
    shared: false,
    reason: 'connect ECONNREFUSED 10.0.0.7:6379',
    since: nowMs - 4_000,
    localTakes: 12,
  };
  const summary = health({ counters }).summary(nowMs);
  assert.equal(summary.status, 'degraded');
  assert.deepEqual(summary.engines, { store: 'ok', counters: 'failing' });
  assert.match(summary.reasons.join('\n'), /shared counters unreachable since .*per gateway/);
  assert.doesNotMatch(JSON.stringify(summary), /10\.0\.0\.7|ECONNREFUSED/);
  const report = health({ counters }).report(nowMs);
  const detail = report.reasons.find((reason) => reason.code === 'counters_not_shared');
  assert.match(detail?.message ?? '', /redis:\/\/10\.0\.0\.7:6379.*ECONNREFUSED.*12 takes/);
  assert.equal(report.engines.counters?.localTakes, 12);
  assert.deepEqual(
    health({ counters: { ...counters, shared: true, reason: null, since: null } }).summary(nowMs),
    { status: 'ok', reasons: [], engines: { store: 'ok', counters: 'ok' } },
  );
});

test('a bus that does not acknowledge degrades health; events are said to wait in the outbox', () => {
  const bus: OutboxHealth = {
    publishing: false,
    reason: 'TIMEOUT',
    since: nowMs - 2_000,
    pendingBytes: 5_120,
    published: 40,
    duplicates: 0,
    file: null,
    dropped: 0,
  };
  const sources: HealthSources = {
    recorder: { health: () => writableStore },
    detection: { health: () => upDetector },
    decisions: { health: () => storedDecisions },
    bus: { health: () => bus },
    unhandled: new UnhandledErrors(),
  };
  const summary = new GatewayHealth(sources).summary(nowMs);
  assert.equal(summary.status, 'degraded');
  assert.equal(summary.engines.bus, 'failing');
  assert.match(
    summary.reasons.join('\n'),
    /bus not acknowledging since .*events wait in the outbox/,
  );
  const report = new GatewayHealth(sources).report(nowMs);
  assert.match(
    report.reasons.find((reason) => reason.code === 'bus_not_publishing')?.message ?? '',
    /TIMEOUT \(5120 bytes pending, 0 dropped\)/,
  );
  bus.publishing = true;
  bus.reason = null;
  bus.since = null;
  assert.equal(new GatewayHealth(sources).summary(nowMs).engines.bus, 'ok');
});
