// The admin API's designation routes over a real socket, as the dashboard will call them: 401
// without a user's token, 403 naming the role for a viewer who acts or an analyst who approves,
// 409 with the allowed next steps for a step the workflow refuses; a case opened and moved, every
// step in the log, whose checkpoint the log's key verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { addUser, checkEntryProof, recordedVerifierKey, type Role } from '../designate/index.js';
import { SqliteStore } from '../store/index.js';
import { startFakeUpstream } from '../test-support/fake-openai-upstream.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { loadKeyHashSecret } from './key-hash-secret.js';
import { startGateway } from './server.js';

test('/admin/v1: user tokens and roles, the case workflow and the log, as the CLI has them', async () => {
  const folder = temporaryDirectory('dg-admin-v1-');
  const databasePath = join(folder, 'gateway.db');
  const tokens = new Map<string, string>();
  const setup = SqliteStore.open(databasePath);
  try {
    await setup.intel.saveCampaignFindings([
      {
        campaignId: 'cmp_top',
        analysedAt: '2026-12-01T00:00:00.000Z',
        campaign: JSON.stringify({
          campaign_id: 'cmp_top',
          accounts: ['acct_1', 'acct_2', 'acct_3'],
          risk: 0.98,
          reasons: [{ signal: 'linked_accounts', detail: '3 accounts linked by shared cards' }],
        }),
        traits: JSON.stringify({ campaign_id: 'cmp_top', templates: [], skeleton_bands: [] }),
        withdrawnAt: null,
        withdrawnReason: null,
      },
    ]);
    const secret = await loadKeyHashSecret({ databasePath, store: setup });
    const people: [string, Role][] = [
      ['dana', 'admin'],
      ['ana', 'analyst'],
      ['rui', 'reviewer'],
      ['sam', 'reviewer'],
      ['lia', 'liaison'],
      ['vic', 'viewer'],
    ];
    for (const [name, role] of people) {
      const added = await addUser(setup.designation, secret, {
        name,
        role,
        by: name === 'dana' ? null : { name: 'dana', role: 'admin' },
      });
      tokens.set(name, added.token);
    }
  } finally {
    await setup.close();
  }

  const upstream = await startFakeUpstream();
  const gateway = await startGateway({
    port: 0,
    databasePath,
    upstream: upstream.url,
    logLevel: 'silent',
  });
  const call = async (method: string, path: string, user: string | null, body?: object) => {
    const response = await fetch(`${gateway.url}/admin/v1${path}`, {
      method,
      headers: {
        ...(user ? { authorization: `Bearer ${tokens.get(user)}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return {
      status: response.status,
      text,
      json: () => JSON.parse(text) as Record<string, unknown>,
    };
  };
  try {
    const anonymous = await call('GET', '/campaigns', null);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.text, /Authorization: Bearer <token>/);
    const forged = await fetch(`${gateway.url}/admin/v1/campaigns`, {
      headers: { authorization: 'Bearer dgu-not-a-user' },
    });
    assert.equal(forged.status, 401);

    assert.deepEqual((await call('GET', '/me', 'vic')).json(), {
      name: 'vic',
      role: 'viewer',
      actions: ['read'],
    });
    const campaigns = (await call('GET', '/campaigns', 'vic')).json().campaigns as {
      campaign_id: string;
      account_count: number;
    }[];
    assert.deepEqual(
      campaigns.map((campaign) => [campaign.campaign_id, campaign.account_count]),
      [['cmp_top', 3]],
    );

    const viewerOpens = await call('POST', '/cases', 'vic', { campaign_id: 'cmp_top' });
    assert.equal(viewerOpens.status, 403);
    assert.match(
      viewerOpens.text,
      /user 'vic' \(viewer\) may not open cases: this needs the analyst role/,
    );
    const opened = await call('POST', '/cases', 'ana', { campaign_id: 'cmp_top', reason: 'top' });
    assert.equal(opened.status, 201, opened.text);
    const caseId = opened.json().case_id as string;
    const skip = await call('POST', `/cases/${caseId}/transitions`, 'ana', {
      to: 'designated',
      reason: 'x',
    });
    assert.equal(skip.status, 409);
    assert.match(skip.text, /it cannot go to designated\. Allowed next: evidence/);
    for (const to of ['evidence', 'internal-review'])
      assert.equal(
        (await call('POST', `/cases/${caseId}/transitions`, 'ana', { to, reason: 'r' })).status,
        200,
      );
    const analystApproves = await call('POST', `/cases/${caseId}/approvals`, 'ana', {
      to: 'shared',
      reason: 'ok',
    });
    assert.equal(analystApproves.status, 403);
    assert.match(analystApproves.text, /this needs the reviewer role/);
    const missingReason = await call('POST', `/cases/${caseId}/approvals`, 'rui', { to: 'shared' });
    assert.equal(missingReason.status, 400);
    assert.match(missingReason.text, /reason: required/);
    const approved = (
      await call('POST', `/cases/${caseId}/approvals`, 'rui', { to: 'shared', reason: 'ok' })
    ).json() as { next_steps: { to: string; approvals: boolean; approved_by: string[] }[] };
    // what the dashboard offers: the step to shared waits for a second reviewer, the liaison's
    assert.deepEqual(
      approved.next_steps.find((step) => step.to === 'shared'),
      {
        to: 'shared',
        meaning: 'share with partners (after two reviewers approve)',
        action: 'talk-to-hub',
        roles: ['liaison'],
        approvals: true,
        approved_by: ['rui'],
        warning_check: false,
        needs_expiry: false,
        needs_statement: false,
      },
    );
    await call('POST', `/cases/${caseId}/approvals`, 'sam', { to: 'shared', reason: 'ok' });
    const shared = await call('POST', `/cases/${caseId}/transitions`, 'lia', {
      to: 'shared',
      reason: 'to partners',
    });
    assert.equal(shared.status, 200, shared.text);
    const view = (await call('GET', `/cases/${caseId}`, 'vic')).json() as {
      state: string;
      events: { kind: string; actor: string; log_index: number }[];
      next_steps: { to: string }[];
    };
    assert.equal(view.state, 'shared');
    assert.deepEqual(
      view.events.map((event) => `${event.kind}:${event.actor}`),
      [
        'opened:ana',
        'transition:ana',
        'transition:ana',
        'approval:rui',
        'approval:sam',
        'transition:lia',
      ],
    );
    assert.deepEqual(
      view.next_steps.map((step) => step.to),
      ['nominated', 'closed-benign'],
    );
    assert.equal((await call('GET', '/cases/case-99', 'vic')).status, 404);

    // the log: the last step proved against the signed checkpoint, with the key the store recorded
    const last = view.events.at(-1)?.log_index as number;
    const proof = (await call('GET', `/log/entries/${last}/proof`, 'vic')).json();
    const key = (await recordedVerifierKey(gateway.store)) as string;
    const entry = checkEntryProof(proof as never, key) as {
      kind: string;
      to: string;
      actor: string;
    };
    assert.deepEqual([entry.kind, entry.to, entry.actor], ['case.transition', 'shared', 'lia']);
  } finally {
    await gateway.close();
    await upstream.close();
  }
});
