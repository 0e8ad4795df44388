// The ladder at the gateway, fed a live view: campaigns act as a whole, benchmark accounts are
// never refused, throttling answers 429 with Retry-After, and only changes of decision are stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LiveAccountState, LiveAssessment, LiveCampaignState } from '../detect/index.js';
import { decide, parsePolicyConfig } from '../respond/index.js';
import type { DecisionRow, Store } from '../store/index.js';
import type { Admission, Enforcement } from './enforcement.js';
import { LadderEnforcement, type LiveView } from './ladder-enforcement.js';

/** The ladder's admission with in-memory buckets, which answer at once (no promise). */
function admitNow(ladder: Enforcement, accountId: string, nowMs: number): Admission {
  const admission = ladder.admit(accountId, nowMs);
  assert.ok(!(admission instanceof Promise), 'in-memory buckets answer at once');
  return admission;
}

function view(accounts: [string, LiveAccountState][], campaigns: LiveCampaignState[]): LiveView {
  const assessment: LiveAssessment = {
    at: 0,
    interactions: 0,
    through: 0,
    observedAccounts: accounts.length,
    accounts,
    campaigns,
    reasons: [],
    elapsedMs: 0,
  };
  const byAccount = new Map(accounts);
  const byCampaign = new Map(campaigns.map((campaign) => [campaign.id, campaign]));
  return {
    assessment,
    account: (id: string) => byAccount.get(id),
    campaign: (id: string) => byCampaign.get(id),
  } as unknown as LiveView;
}

function decisionStore(): { store: Store; rows: DecisionRow[] } {
  const rows: DecisionRow[] = [];
  return {
    rows,
    store: {
      writeDecisions: async (batch: DecisionRow[]) => void rows.push(...batch),
    } as unknown as Store,
  };
}

const members = Array.from({ length: 8 }, (_, index) => `hydra-${index}`);
const live = view(
  [
    ['hydra-0', { verdict: 'extraction', risk: 0.999, campaignId: 'cmp_1' }],
    ['hydra-1', { verdict: 'review', risk: 0.3, campaignId: 'cmp_1' }],
    ['bench-1', { verdict: 'benchmark', risk: 0.999, campaignId: 'cmp_1' }],
    ['lone', { verdict: 'extraction', risk: 0.6, campaignId: null }],
  ],
  [{ id: 'cmp_1', risk: 0.999, verdict: 'extraction', accounts: [...members, 'bench-1'] }],
);

test('a campaign is acted on as a whole; a benchmark account in it is still served', async () => {
  const { store, rows } = decisionStore();
  const ladder = new LadderEnforcement(live, store, parsePolicyConfig({}));
  for (const member of members) {
    const admission = admitNow(ladder, member, 1_000);
    assert.equal(admission.action, 'block', member);
    assert.equal(admission.refusal?.status, 403);
    assert.equal(admission.refusal?.code, 'account_blocked');
    assert.equal(admission.campaignId, 'cmp_1');
  }
  const benchmark = admitNow(ladder, 'bench-1', 1_000);
  assert.equal(benchmark.action, 'observe');
  assert.equal(benchmark.refusal, null);
  assert.equal(admitNow(ladder, 'stranger', 1_000).action, 'observe');
  await ladder.close();
  assert.equal(
    rows.length,
    members.length,
    'one stored decision per member, none for observed accounts',
  );
  assert.ok(
    rows.every(
      (row) => row.action === 'block' && row.reason.length > 20 && row.campaignId === 'cmp_1',
    ),
  );
  const again = decisionStore();
  const second = new LadderEnforcement(live, again.store, parsePolicyConfig({}));
  admitNow(second, 'hydra-0', 1_000);
  admitNow(second, 'hydra-0', 2_000);
  await second.close();
  assert.equal(again.rows.length, 1, 'an unchanged decision is stored once');
});

test('throttle: the bucket runs dry, then 429 with a Retry-After the client can wait out', async () => {
  const { store } = decisionStore();
  const ladder = new LadderEnforcement(
    live,
    store,
    parsePolicyConfig({ throttle: { account: { requests_per_minute: 6, burst: 2 } } }),
  );
  const admissions = [0, 1, 2].map(() => admitNow(ladder, 'lone', 10_000));
  assert.deepEqual(
    admissions.map((admission) => admission.action),
    ['throttle', 'throttle', 'throttle'],
  );
  assert.deepEqual(
    admissions.map((admission) => admission.refusal?.status ?? 200),
    [200, 200, 429],
  );
  const retryAfter = Number(admissions[2].refusal?.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 10, `Retry-After ${retryAfter}`);
  assert.equal(
    admitNow(ladder, 'lone', 10_000 + retryAfter * 1000).refusal,
    null,
    'served again after waiting Retry-After',
  );
  await ladder.close();
});

test('an account detection has not flagged is observed, with a reason that names it; one that drops out of the assessment is stored as observed again', async () => {
  const { store, rows } = decisionStore();
  const policy = parsePolicyConfig({});
  let current = live;
  const switching = {
    get assessment() {
      return current.assessment;
    },
    account: (id: string) => current.account(id),
    campaign: (id: string) => current.campaign(id),
  } as LiveView;
  const ladder = new LadderEnforcement(switching, store, policy);
  const stranger = admitNow(ladder, 'stranger', 1_000);
  assert.equal(stranger.action, 'observe');
  assert.equal(stranger.refusal, null);
  assert.equal(stranger.cohort, null);
  assert.equal(
    stranger.reason,
    decide({ accountId: 'stranger', verdict: null, risk: 0, campaign: null }, policy, 1_000).reason,
  );
  assert.match(stranger.reason, /stranger/);
  assert.equal(admitNow(ladder, 'lone', 1_000).action, 'throttle');
  // the next assessment no longer lists 'lone': it is served, and the change is stored with a reason
  current = view([], []);
  const after = admitNow(ladder, 'lone', 2_000);
  assert.equal(after.action, 'observe');
  assert.equal(after.refusal, null);
  await ladder.close();
  assert.deepEqual(
    rows.map((row) => [row.accountId, row.action]),
    [
      ['lone', 'throttle'],
      ['lone', 'observe'],
    ],
  );
  assert.match(rows[1].reason, /No rule matched account lone/);
});

/** A store whose decision writes reject until `recover()`; what it stored once it works. */
function failingDecisionStore(): {
  store: Store;
  rows: DecisionRow[];
  attempts: () => number;
  recover: () => void;
} {
  const rows: DecisionRow[] = [];
  let failing = true;
  let attempts = 0;
  const store = {
    writeDecisions: async (batch: DecisionRow[]) => {
      attempts += 1;
      if (failing) throw new Error('SQLITE_READONLY: attempt to write a readonly database');
      rows.push(...batch);
    },
  } as unknown as Store;
  return { store, rows, attempts: () => attempts, recover: () => (failing = false) };
}

function recordingLog() {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (_details: object, message: string) =>
    void lines.push({ level, message });
  return { lines, log: { error: at('error'), warn: at('warn'), info: at('info') } };
}

test('a store that rejects decision writes: the process survives, the rows wait and are written once the store recovers, logged once per episode', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const { store, rows, attempts, recover } = failingDecisionStore();
    const { lines, log } = recordingLog();
    const ladder = new LadderEnforcement(live, store, parsePolicyConfig({}), null, {
      flushEveryMs: 20,
      log,
    });
    assert.equal(admitNow(ladder, 'lone', 1_000).action, 'throttle');
    assert.equal(admitNow(ladder, 'hydra-0', 1_000).action, 'block');
    // the timer's flushes fail several times (the process would have exited at the first before)
    for (let wait = 0; wait < 200 && attempts() < 5; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(attempts() >= 5, `${attempts()} attempts`);
    assert.deepEqual(ladder.health(), {
      writable: false,
      reason: 'SQLITE_READONLY: attempt to write a readonly database',
      since: ladder.health().since,
      pending: 2,
      dropped: 0,
    });
    assert.equal(
      lines.filter((line) => line.level === 'error').length,
      1,
      'one error line for the episode',
    );
    recover();
    for (let wait = 0; wait < 200 && rows.length < 2; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(
      rows.map((row) => [row.accountId, row.action]),
      [
        ['lone', 'throttle'],
        ['hydra-0', 'block'],
      ],
    );
    assert.equal(ladder.health().writable, true);
    assert.match(lines.at(-1)?.message ?? '', /stored again/);
    await ladder.close();
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('decisions waiting for a failing store are bounded: the oldest are dropped and counted', async () => {
  const { store } = failingDecisionStore();
  const { lines, log } = recordingLog();
  const ladder = new LadderEnforcement(live, store, parsePolicyConfig({}), null, {
    flushEveryMs: 60_000,
    maxPendingDecisions: 3,
    log,
  });
  let nowMs = 1_000;
  // each account's first decision is a change worth storing
  for (const account of ['lone', ...members]) admitNow(ladder, account, (nowMs += 1));
  await ladder.flush();
  assert.equal(ladder.health().pending, 3);
  assert.equal(ladder.health().dropped, members.length + 1 - 3);
  await ladder.close();
  assert.match(lines.at(-1)?.message ?? '', /could not be stored/);
});

test('on_detector_failure: closed refuses accounts without an assessment with 503 and Retry-After while detection is stale; open serves them; flagged accounts keep their action in both', async () => {
  let stale = true;
  const staleView = {
    ...live,
    assessment: live.assessment,
    account: live.account,
    campaign: live.campaign,
    isStale: () => stale,
  } as LiveView;
  const closed = new LadderEnforcement(
    staleView,
    decisionStore().store,
    parsePolicyConfig({}),
    null,
    { onDetectorFailure: 'closed' },
  );
  const open = new LadderEnforcement(
    staleView,
    decisionStore().store,
    parsePolicyConfig({}),
    null,
    { onDetectorFailure: 'open' },
  );
  const refused = admitNow(closed, 'stranger', 1_000);
  assert.equal(refused.action, 'fail_closed');
  assert.equal(refused.refusal?.status, 503);
  assert.equal(refused.refusal?.code, 'detector_unavailable');
  assert.equal(refused.refusal?.headers['retry-after'], '5');
  assert.equal(admitNow(open, 'stranger', 1_000).action, 'observe');
  for (const ladder of [closed, open]) {
    assert.equal(admitNow(ladder, 'lone', 1_000).action, 'throttle');
    assert.equal(
      admitNow(ladder, 'hydra-3', 1_000).action,
      'block',
      'a campaign member the last assessment named',
    );
  }
  stale = false;
  assert.equal(
    admitNow(closed, 'stranger', 2_000).action,
    'observe',
    'served again once detection is current',
  );
  await closed.close();
  await open.close();
});
