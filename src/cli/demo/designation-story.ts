// The demo's second half: the week analysed into a store of findings, a case opened on the top
// campaign, taken through review by two demo reviewers, shared with a hub started on loopback
// (its STIX bundle pushed over TAXII 2.1), nominated, and written out as an evidence package.
// Everything runs offline, as the people of a provider would do it with the CLI.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addUser,
  approveCase,
  loadLogSigner,
  openCase,
  transitionCase,
  TransparencyLog,
  writeEvidencePackage,
  type Actor,
  type CaseDesk,
} from '../../designate/index.js';
import { loadKeyHashSecret } from '../../gateway/index.js';
import {
  campaignsCollection,
  defaultIntelConfig,
  ensureDefaultCollection,
  exportIntel,
  newIntelKey,
  partnerSecretHash,
  startHub,
  TaxiiClient,
} from '../../intel/index.js';
import { SqliteStore } from '../../store/index.js';
import { analyze } from '../commands/analyze.js';

export interface DesignationStory {
  caseId: string;
  campaignId: string;
  accounts: number;
  state: string;
  hubUrl: string;
  pushed: { accepted: number; total: number };
  packageDir: string;
  pdfMissing: string | null;
  logEntries: number;
  checkpointSize: number;
  database: string;
  verifierKey: string;
  tokens: string;
}

const demoOrganization = { name: 'Demo Frontier Lab', identity_class: 'organization' as const };

/** Runs the story; null when the analysis found no campaign to open a case on. */
export async function tellDesignationStory(
  dir: string,
  traffic: string,
  say: (text: string) => void,
): Promise<DesignationStory | null> {
  const database = join(dir, 'cases.db');
  const report = await analyze({
    interactions: join(traffic, 'interactions.jsonl'),
    accounts: join(traffic, 'accounts.jsonl'),
    out: join(dir, 'report.json'),
    db: database,
  });
  const top = [...report.campaigns].sort((a, b) => b.risk - a.risk)[0];
  if (!top) return null;
  say(
    `analysed the week into ${database}: ${report.campaigns.length} campaigns; opening a case on the top one, ${top.campaign_id} (${top.accounts.length} accounts, risk ${top.risk.toFixed(3)})`,
  );

  const store = SqliteStore.open(database);
  const hubStore = SqliteStore.open(join(dir, 'hub.db'));
  try {
    await store.intel.addIntelKey(newIntelKey('demo-community'));
    const keyHashSecret = await loadKeyHashSecret({ databasePath: database, store });
    const log = new TransparencyLog(
      store.designation,
      await loadLogSigner({ databasePath: database, store, origin: 'demo.distillguard.local/log' }),
    );
    const desk: CaseDesk = { store, log };
    const admin: Actor = { name: 'dana', role: 'admin' };
    const people: Actor[] = [
      { name: 'ana', role: 'analyst' },
      { name: 'rui', role: 'reviewer' },
      { name: 'sam', role: 'reviewer' },
      { name: 'lia', role: 'liaison' },
    ];
    // the demo's users keep their tokens in files only this user reads, as a real team would
    const tokens = join(dir, 'tokens');
    mkdirSync(tokens, { recursive: true, mode: 0o700 });
    for (const [person, by] of [
      [admin, null],
      ...people.map((person) => [person, admin] as const),
    ] as const) {
      const added = await addUser(store.designation, keyHashSecret, {
        name: person.name,
        role: person.role,
        by,
      });
      writeFileSync(join(tokens, `${person.name}.token`), `${added.token}\n`, { mode: 0o600 });
    }
    const [analyst, firstReviewer, secondReviewer, liaison] = people;

    const opened = await openCase(
      desk,
      analyst,
      top.campaign_id,
      'highest-risk campaign of the week',
    );
    const caseId = opened.caseId;
    await transitionCase(desk, analyst, caseId, {
      to: 'evidence',
      reason: 'collecting the analysis',
    });
    await transitionCase(desk, analyst, caseId, {
      to: 'internal-review',
      reason: 'signals, shared infrastructure and timing documented',
    });
    await approveCase(
      desk,
      firstReviewer,
      caseId,
      'shared',
      'template reuse and shared cards hold up',
    );
    await approveCase(
      desk,
      secondReviewer,
      caseId,
      'shared',
      'agree; no benchmark or research account',
    );
    say(`${caseId}: opened by ana, reviewed and approved for sharing by rui and sam`);

    // the hub: a second organisation's TAXII 2.1 server on loopback, with us as a partner
    await ensureDefaultCollection(hubStore);
    const hubSecret = await loadKeyHashSecret({
      databasePath: join(dir, 'hub.db'),
      store: hubStore,
    });
    const partnerSecret = randomBytes(32).toString('base64url');
    await hubStore.taxii.addPartner({
      name: 'demo-frontier-lab',
      secretHash: partnerSecretHash(hubSecret, partnerSecret),
      canRead: ['*'],
      canWrite: ['*'],
      amber: true,
      createdAt: new Date().toISOString(),
      revokedAt: null,
    });
    const hub = await startHub({
      store: hubStore,
      hashSecret: (secret) => partnerSecretHash(hubSecret, secret),
      port: 0,
      host: '127.0.0.1',
      title: 'Demo government hub',
    });
    let pushed;
    try {
      const exported = await exportIntel(store, {
        campaignId: top.campaign_id,
        tlp: 'amber',
        config: { ...defaultIntelConfig, organization: demoOrganization },
      });
      const client = new TaxiiClient(`${hub.url}/taxii2/`, {
        user: 'demo-frontier-lab',
        password: partnerSecret,
      });
      const outcome = await client.push(
        campaignsCollection.alias,
        exported.bundle.objects as never[],
      );
      pushed = { accepted: outcome.successes, total: outcome.total };
      await log.append({
        kind: 'intel.export',
        at: new Date().toISOString(),
        actor: liaison.name,
        role: liaison.role,
        case: caseId,
        tlp: 'amber',
        objects: outcome.total,
        pushed_to: `${hub.url}/taxii2/`,
        accepted: outcome.successes,
      });
      await transitionCase(desk, liaison, caseId, {
        to: 'shared',
        reason: `pushed to the hub's campaigns collection (${outcome.successes} of ${outcome.total} objects accepted)`,
      });
      say(
        `${caseId}: shared by lia with the hub at ${hub.url}/taxii2/ (${outcome.successes} of ${outcome.total} STIX objects accepted)`,
      );
    } finally {
      await hub.close();
    }
    await approveCase(desk, firstReviewer, caseId, 'nominated', 'meets the designation criteria');
    await approveCase(desk, secondReviewer, caseId, 'nominated', 'agree');
    const nominated = await transitionCase(desk, liaison, caseId, {
      to: 'nominated',
      reason: 'nominated to the hub for assessment',
    });
    say(
      `${caseId}: nominated to the hub after a second two-person review and the warning-list check`,
    );

    const packageDir = join(dir, 'evidence', caseId);
    const written = await writeEvidencePackage(desk, analyst, {
      caseId,
      outDir: packageDir,
      includeRaw: false,
      tlp: 'amber',
      config: { ...defaultIntelConfig, organization: demoOrganization },
      pdf: 'auto',
    });
    await log.checkpoint();
    return {
      caseId,
      campaignId: top.campaign_id,
      accounts: top.accounts.length,
      state: nominated.state,
      hubUrl: `${hub.url}/taxii2/`,
      pushed,
      packageDir,
      pdfMissing: written.pdfMissing,
      logEntries: written.logEntries,
      checkpointSize: written.checkpointSize,
      database,
      verifierKey: log.signer.verifierKey,
      tokens,
    };
  } finally {
    await hubStore.close();
    await store.close();
  }
}
