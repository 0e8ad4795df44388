// Designations lapse on their date: the expiry sweep moves a designated (or upheld) case to
// expired as the user `system`, with its own log entry; no user can set expired by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SqliteStore } from '../store/index.js';
import { temporaryDirectory } from '../test-support/paths.js';
import {
  approveCase,
  attachToCase,
  expireDue,
  openCase,
  transitionCase,
  type CaseDesk,
} from './cases.js';
import { loadLogSigner } from './log-signer.js';
import type { Actor } from './roles.js';
import { TransparencyLog } from './transparency-log.js';
import { verifyLog } from './verify-log.js';

const analyst: Actor = { name: 'ana', role: 'analyst' };
const reviewers: Actor[] = [
  { name: 'rui', role: 'reviewer' },
  { name: 'sam', role: 'reviewer' },
];
const liaison: Actor = { name: 'lia', role: 'liaison' };

function campaign(id: string): string {
  return JSON.stringify({
    campaign_id: id,
    accounts: ['acct_a', 'acct_b'],
    risk: 0.99,
    reasons: [],
  });
}

test('a designation expires on its date, by the system, in the log; a user cannot set expired', async () => {
  const folder = temporaryDirectory('dg-expiry-');
  const databasePath = join(folder, 'cases.db');
  const store = SqliteStore.open(databasePath);
  try {
    await store.intel.saveCampaignFindings(
      ['cmp_one', 'cmp_two'].map((id) => ({
        campaignId: id,
        analysedAt: '2026-12-01T00:00:00.000Z',
        campaign: campaign(id),
        traits: JSON.stringify({ campaign_id: id, templates: [], skeleton_bands: [] }),
        withdrawnAt: null,
        withdrawnReason: null,
      })),
    );
    let now = new Date('2026-12-07T12:00:00.000Z');
    const log = new TransparencyLog(
      store.designation,
      await loadLogSigner({ databasePath, store }),
    );
    const desk: CaseDesk = { store, log, now: () => now };
    const designate = async (campaignId: string, expires: string) => {
      const { caseId } = await openCase(desk, analyst, campaignId, null);
      await transitionCase(desk, analyst, caseId, { to: 'evidence', reason: 'r' });
      await transitionCase(desk, analyst, caseId, { to: 'internal-review', reason: 'r' });
      for (const target of ['shared', 'nominated']) {
        for (const reviewer of reviewers) await approveCase(desk, reviewer, caseId, target, 'ok');
        await transitionCase(desk, liaison, caseId, { to: target, reason: 'r' });
      }
      await transitionCase(desk, liaison, caseId, { to: 'under-assessment', reason: 'r' });
      await transitionCase(desk, liaison, caseId, {
        to: 'designated',
        reason: 'r',
        expiresAt: expires,
      });
      return caseId;
    };
    const early = await designate('cmp_one', '2027-01-01');
    const late = await designate('cmp_two', '2028-01-01');
    await transitionCase(desk, analyst, late, {
      to: 'appealed',
      reason: 'r',
      statement: 'we are a lab',
    });
    await transitionCase(desk, reviewers[0], late, {
      to: 'upheld',
      reason: 'the traffic is harvesting',
    });
    await assert.rejects(
      () => transitionCase(desk, reviewers[0], early, { to: 'expired', reason: 'done' }),
      /expired is set by the expiry sweep when the designation's date passes, not by a user/,
    );

    assert.deepEqual(await expireDue(desk), [], 'nothing lapses before its date');
    now = new Date('2027-06-01T00:00:00.000Z');
    assert.deepEqual(
      (await expireDue(desk)).map((row) => row.caseId),
      [early],
    );
    assert.equal((await store.designation.findCase(early))?.state, 'expired');
    assert.equal(
      (await store.designation.findCase(late))?.state,
      'upheld',
      'an upheld designation runs to its own date',
    );
    now = new Date('2028-02-01T00:00:00.000Z');
    assert.deepEqual(
      (await expireDue(desk)).map((row) => row.caseId),
      [late],
    );
    const lapse = (await store.designation.readCaseEvents(early)).at(-1);
    assert.equal(lapse?.actor, 'system');
    assert.equal(lapse?.toState, 'expired');
    const [lapseRow] = await store.designation.readLogEntries(
      lapse?.logIndex ?? -1,
      (lapse?.logIndex ?? -1) + 1,
    );
    const entry = JSON.parse(lapseRow.entry.toString('utf8')) as {
      kind: string;
      to: string;
      actor: string;
      reason: string;
    };
    assert.deepEqual(
      { kind: entry.kind, to: entry.to, actor: entry.actor },
      { kind: 'case.transition', to: 'expired', actor: 'system' },
    );
    assert.match(entry.reason, /the designation expired on 2027-01-01/);
    await log.checkpoint();
    assert.deepEqual(
      (await verifyLog(store.designation, { verifierKey: log.signer.verifierKey })).problems,
      [],
    );
  } finally {
    await store.close();
  }
});

test('approvals count for what the reviewers saw: new evidence resets them, a disabled reviewer no longer counts', async () => {
  const folder = temporaryDirectory('dg-approvals-');
  const databasePath = join(folder, 'cases.db');
  const store = SqliteStore.open(databasePath);
  try {
    await store.intel.saveCampaignFindings([
      {
        campaignId: 'cmp_one',
        analysedAt: '2026-12-01T00:00:00.000Z',
        campaign: campaign('cmp_one'),
        traits: JSON.stringify({ campaign_id: 'cmp_one', templates: [], skeleton_bands: [] }),
        withdrawnAt: null,
        withdrawnReason: null,
      },
    ]);
    for (const name of ['rui', 'sam'])
      await store.designation.addUser({
        name,
        role: 'reviewer',
        tokenHash: `hash-${name}`,
        createdAt: '2026-12-01T00:00:00.000Z',
        createdBy: 'dana',
        disabledAt: null,
      });
    const log = new TransparencyLog(
      store.designation,
      await loadLogSigner({ databasePath, store }),
    );
    const desk: CaseDesk = { store, log };
    const { caseId } = await openCase(desk, analyst, 'cmp_one', null);
    await transitionCase(desk, analyst, caseId, { to: 'evidence', reason: 'r' });
    await transitionCase(desk, analyst, caseId, { to: 'internal-review', reason: 'r' });
    for (const reviewer of reviewers) await approveCase(desk, reviewer, caseId, 'shared', 'ok');
    await attachToCase(desk, analyst, caseId, {
      kind: 'note',
      name: 'late.txt',
      content: Buffer.from('more'),
    });
    await assert.rejects(
      () => transitionCase(desk, liaison, caseId, { to: 'shared', reason: 'r' }),
      /needs approvals from two different reviewers .* it has 0/,
    );
    for (const reviewer of reviewers)
      await approveCase(desk, reviewer, caseId, 'shared', 'seen the note');
    await store.designation.disableUser('sam', '2026-12-08T00:00:00.000Z');
    await assert.rejects(
      () => transitionCase(desk, liaison, caseId, { to: 'shared', reason: 'r' }),
      /it has 1 \(rui\)/,
    );
    // each case entry names the one before it
    const entries = (await store.designation.readLogEntries()).map(
      (row) =>
        JSON.parse(row.entry.toString('utf8')) as { case?: string; previous?: number | null },
    );
    const ofCase = entries
      .map((entry, index) => ({ ...entry, index }))
      .filter((entry) => entry.case === caseId);
    assert.equal(ofCase[0].previous, null);
    for (let i = 1; i < ofCase.length; i += 1)
      assert.equal(ofCase[i].previous, ofCase[i - 1].index);
  } finally {
    await store.close();
  }
});
