// Partners' indicators in serve's live detection: with a partner's keyed template indicator and the
// community key in the store, an account that fills that template gets the partner reason (and so
// a verdict the ladder acts on), and so does one that pays with a card a partner's indicator names;
// an account with other prompts and its own card does not; with intel.partner_signal off, nobody.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyedFingerprint } from '../core/index.js';
import { requestSignals } from '../detect/index.js';
import { importBundle, newIntelKey, tlpMarkingIds } from '../intel/index.js';
import { SqliteStore } from '../store/index.js';
import { chat } from '../test-support/interactions.js';
import { InteractionRecorder } from './interaction-recorder.js';
import { LiveDetection } from './live-detection.js';

const template = (content: string) =>
  `You are grading a student's answer. Think step by step and explain every step in detail. ${content} Give the final grade as a number between 0 and 10 on its own line.`;

test(
  "serve's live detection: a partner's template indicator marks the accounts that fill that template, only them, and only when intel.partner_signal is on",
  { timeout: 90_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-partner-signal-'));
    const databasePath = join(folder, 'gateway.db');
    const store = SqliteStore.open(databasePath);
    const key = newIntelKey('community-1');
    await store.intel.addIntelKey(key);
    const head = requestSignals(
      chat({ account: 'x', ts: Date.now(), text: template('x') }),
      Date.now(),
    ).keys.head;
    assert.ok(head !== null);
    const fingerprint = keyedFingerprint(key.secret, 'template', head);
    const card = keyedFingerprint(key.secret, 'payment', 'pm_operator_card_7');
    const imported = await importBundle(
      store,
      {
        type: 'bundle',
        id: 'bundle--5d9a4c3e-0b1f-4e2a-9c8d-7f6e5d4c3b2a',
        objects: [
          {
            type: 'indicator',
            spec_version: '2.1',
            id: 'indicator--8e2f1a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b',
            created: '2026-02-01T00:00:00.000Z',
            modified: '2026-02-01T00:00:00.000Z',
            name: 'a prompt template of distillation campaign cmp_x',
            pattern: `[distillguard-fingerprint:kind = 'template' AND distillguard-fingerprint:key_id = 'community-1' AND distillguard-fingerprint:value = '${fingerprint}']`,
            pattern_type: 'stix',
            valid_from: '2026-02-01T00:00:00Z',
            object_marking_refs: [tlpMarkingIds.green],
          },
          {
            type: 'indicator',
            spec_version: '2.1',
            id: 'indicator--9e2f1a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b',
            created: '2026-02-01T00:00:00.000Z',
            modified: '2026-02-01T00:00:00.000Z',
            name: 'a payment instrument of distillation campaign dc-0123456789abcdef',
            pattern: `[distillguard-fingerprint:kind = 'payment' AND distillguard-fingerprint:key_id = 'community-1' AND distillguard-fingerprint:value = '${card}']`,
            pattern_type: 'stix',
            valid_from: '2026-02-01T00:00:00Z',
            object_marking_refs: [tlpMarkingIds.green],
          },
        ],
      },
      { source: 'Lab A', channel: 'file' },
    );
    assert.equal(imported.added, 2);
    // an account that pays with the operator's card, and one with a card of its own
    const accounts = await store.beginImport('accounts', {
      kind: 'file',
      path: null,
      size: null,
      modifiedMs: null,
    });
    await store.writeAccounts(
      accounts,
      ['pm_operator_card_7', 'pm_own_card_1'].map((paymentFingerprint, index) => ({
        accountId: index === 0 ? 'acct-card' : 'acct-writer',
        createdAtMs: Date.now() - 86_400_000,
        verification: 'card',
        orgId: null,
        emailDomain: 'example.org',
        paymentFingerprint,
        country: 'US',
        signupIp: null,
        record: '{}',
      })),
    );
    const recorder = new InteractionRecorder(
      store,
      await store.beginImport('interactions', {
        kind: 'gateway',
        path: null,
        size: null,
        modifiedMs: null,
      }),
    );
    const now = Date.now() - 60 * 60_000;
    for (let index = 0; index < 40; index += 1) {
      for (const [account, text] of [
        [
          'acct-harvester',
          template(
            `Question ${index}: the student wrote that ${index * 7} apples cost ${index + 3} dollars each, so the total is ${index * 7 * (index + 3)} dollars.`,
          ),
        ],
        [
          'acct-card',
          `What is ${index} times ${index + 1}? Explain your reasoning step by step, then give the final answer on its own line.`,
        ],
        [
          'acct-writer',
          `Please write a short poem about the number ${index} and the colour of the sea at dawn, in the style of a sonnet with a twist at the end.`,
        ],
      ] as const) {
        const record = chat({ account, ts: now + index * 60_000, text });
        recorder.add(record, Date.parse(record.ts));
      }
    }
    await recorder.drain();
    try {
      for (const partnerSignal of [true, false]) {
        const detection = new LiveDetection({
          databasePath,
          partnerSignal,
          storedThrough: () => store.lastInteractionSeq(),
        });
        try {
          const assessment = await detection.assessNow(await store.lastInteractionSeq());
          const reasons = new Map(assessment.reasons);
          const harvester = reasons.get('acct-harvester') ?? '';
          if (partnerSignal) {
            assert.match(
              harvester,
              /matches partner indicator indicator--8e2f1a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b \(template\) from Lab A, first seen 2026-02-01/,
            );
            assert.match(
              reasons.get('acct-card') ?? '',
              /matches partner indicator indicator--9e2f1a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b \(payment\) from Lab A/,
            );
            assert.ok(
              new Map(assessment.accounts).get('acct-harvester'),
              'the harvester has a verdict the ladder acts on',
            );
          } else assert.doesNotMatch(harvester, /partner/);
          assert.doesNotMatch(reasons.get('acct-writer') ?? '', /partner/);
        } finally {
          await detection.close();
        }
      }
    } finally {
      await recorder.close();
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
