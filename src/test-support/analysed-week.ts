// A simulated week analysed into a store, with a user of each role asked for and what a gateway
// needs to run watermark audits (a master key, audit prompts): the set-up the dashboard's API and
// browser tests share.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisReport } from '../core/index.js';
import { addUser, type Role } from '../designate/index.js';
import { loadKeyHashSecret } from '../gateway/index.js';
import { SqliteStore } from '../store/index.js';
import { writeWatermarkKey, type WatermarkKey } from '../watermark/index.js';
import { humanTexts } from './human-text.js';
import { runCli } from './run-cli.js';

export interface AnalysedWeek {
  /** The simulated traffic folder (interactions.jsonl, accounts.jsonl, labels.json). */
  traffic: string;
  report: AnalysisReport;
  /** Each user's token, by name. */
  tokens: Map<string, string>;
  masterKeyFile: string;
  auditPromptsFile: string;
}

/**
 * Simulates a week into `folder`, analyses it into `databasePath` and adds `people` (the first an
 * admin, who adds the others).
 * @example const week = await analysedWeek(folder, db, { scale: '0.05', seed: '21', people: [['dana', 'admin'], ['ana', 'analyst']], master });
 */
export async function analysedWeek(
  folder: string,
  databasePath: string,
  options: { scale: string; seed: string; people: [string, Role][]; master: WatermarkKey },
): Promise<AnalysedWeek> {
  const traffic = join(folder, 'traffic');
  const simulated = await runCli([
    'simulate',
    '--out',
    traffic,
    '--scale',
    options.scale,
    '--seed',
    options.seed,
  ]);
  assert.equal(simulated.code, 0, simulated.stderr);
  const analysed = await runCli([
    'analyze',
    '--interactions',
    join(traffic, 'interactions.jsonl'),
    '--accounts',
    join(traffic, 'accounts.jsonl'),
    '--out',
    join(folder, 'report.json'),
    '--db',
    databasePath,
  ]);
  assert.equal(analysed.code, 0, analysed.stderr);
  const report = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')) as AnalysisReport;
  assert.ok(report.campaigns.length >= 2, 'the simulated week has campaigns');

  const tokens = new Map<string, string>();
  const store = SqliteStore.open(databasePath);
  try {
    const secret = await loadKeyHashSecret({ databasePath, store });
    const [admin] = options.people[0];
    for (const [name, role] of options.people)
      tokens.set(
        name,
        (
          await addUser(store.designation, secret, {
            name,
            role,
            by: name === admin ? null : { name: admin, role: 'admin' },
          })
        ).token,
      );
  } finally {
    await store.close();
  }
  const masterKeyFile = join(folder, 'master.json');
  writeWatermarkKey(masterKeyFile, options.master);
  // audit prompts: pieces of human text from fixtures/, as the radioactivity experiment uses
  const auditPromptsFile = join(folder, 'audit-prompts.jsonl');
  writeFileSync(
    auditPromptsFile,
    humanTexts(60, 32)
      .map((prompt) => JSON.stringify({ messages: [{ role: 'user', content: prompt }] }))
      .join('\n'),
  );
  return { traffic, report, tokens, masterKeyFile, auditPromptsFile };
}
