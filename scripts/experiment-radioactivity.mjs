// End-to-end radioactivity experiment (docs/provenance.md): the reference model serves KGW-marked
// answers (gamma 0.25, delta 2, the key of cohort-07 of 16) to a simulated harvesting campaign; n-gram
// students are trained with 0%, 1%, 5% and 10% of their corpus tokens taken from those answers, served,
// and audited with the built `distillguard audit`. Fixed keys and seeds: the run repeats.
// Usage: npm run build && node scripts/experiment-radioactivity.mjs [auditPrompts=300]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { encodeText, loadModel, startReferenceModelServer } from '../dist/src/refmodel/index.js';
import { humanTexts } from '../dist/src/test-support/human-text.js';
import {
  deriveCohortKey,
  parseWatermarkKey,
  watermarkProcessor,
  writeWatermarkKey,
} from '../dist/src/watermark/index.js';

const auditPromptCount = Number(process.argv[2] ?? 300);
const harvestCount = 720;
const leakingCohort = 'cohort-07';
const shares = [0, 0.01, 0.05, 0.1];
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/src/cli/main.js');
const directory = mkdtempSync(join(tmpdir(), 'radioactivity-'));
const started = Date.now();
const log = (message) =>
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}\n`);

const master = parseWatermarkKey({
  key_id: 'wk_experiment_master',
  scheme: 'kgw',
  parameters: { gamma: 0.25, delta: 2, window: 1, seeding: 'keyed', vocabulary_size: 100277 },
  secret: createHash('sha256')
    .update('radioactivity-experiment/master')
    .digest()
    .toString('base64url'),
  created_at: '2026-11-27T00:00:00.000Z',
});
const cohortDirectory = join(directory, 'cohorts');
mkdirSync(cohortDirectory);
const cohortKeys = Array.from({ length: 16 }, (_, index) =>
  deriveCohortKey(
    master,
    `cohort-${String(index).padStart(2, '0')}`,
    0,
    new Date('2026-11-27T00:00:00Z'),
  ),
);
for (const key of cohortKeys) writeWatermarkKey(join(cohortDirectory, `${key.cohort}.json`), key);
const leakingKey = cohortKeys.find((key) => key.cohort === leakingCohort);
writeWatermarkKey(join(directory, 'key.json'), leakingKey);

// Prompts: human text from fixtures/, cut into 32-token pieces; the campaign's and the audit's are disjoint.
const pieces = humanTexts(harvestCount + auditPromptCount, 32);
const harvestPrompts = pieces.slice(0, harvestCount);
const auditPrompts = pieces.slice(harvestCount);
writeFileSync(
  join(directory, 'prompts.jsonl'),
  auditPrompts
    .map((prompt) => JSON.stringify({ messages: [{ role: 'user', content: prompt }] }))
    .join('\n') + '\n',
);

async function ask(baseUrl, prompts, seedLabel) {
  const answers = new Array(prompts.length);
  let cursor = 0;
  const worker = async () => {
    while (cursor < prompts.length) {
      const index = cursor++;
      const response = await request(`${baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'teacher',
          messages: [{ role: 'user', content: prompts[index] }],
          max_tokens: 256,
          seed: index + 1,
          logit_bias: { 100257: -100 },
        }),
      });
      answers[index] = (await response.body.json()).choices[0].message.content;
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return answers;
}

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`distillguard ${args[0]} exited ${code}: ${stderr}`)),
    );
  });
}

// 1. The campaign harvests marked answers from the reference model (served under cohort-07's key).
const teacher = await startReferenceModelServer({
  port: 0,
  logitsProcessor: watermarkProcessor(leakingKey),
});
const harvested = await ask(teacher.url, harvestPrompts, 'harvest');
await teacher.close();
writeFileSync(
  join(directory, 'served.jsonl'),
  harvested.map((text) => JSON.stringify({ text })).join('\n') + '\n',
);
const harvestedTokens = harvested.map((text) => encodeText(text).length);
log(`harvested ${harvested.length} answers, ${harvestedTokens.reduce((a, b) => a + b, 0)} tokens`);

// 2. Students: the clean corpus plus enough harvested answers to make up `share` of the tokens.
const cleanCorpus = gunzipSync(readFileSync(join(root, 'data/refmodel-corpus.txt.gz'))).toString(
  'utf8',
);
const cleanTokens = 1_508_508; // docs/refmodel.md; the trainer prints the exact total
const results = [];
for (const share of shares) {
  const wanted = (share * cleanTokens) / (1 - share);
  const documents = [];
  let tokens = 0;
  for (let index = 0; index < harvested.length && tokens < wanted; index += 1) {
    documents.push(harvested[index]);
    tokens += harvestedTokens[index];
  }
  if (tokens < wanted) throw new Error(`not enough harvested text for ${share}`);
  const label = `student-${Math.round(share * 100)}pct`;
  const corpusPath = join(directory, `${label}.txt`);
  writeFileSync(
    corpusPath,
    `${cleanCorpus.replace(/\n*$/, '\n')}${documents.map((text) => `<|endoftext|>\n${text.replace(/^<\|endoftext\|>$/gm, '')}\n`).join('')}`,
  );
  const modelPath = join(directory, `${label}.bin`);
  const trained = await run(['refmodel', 'train', '--corpus', corpusPath, '--out', modelPath]);
  log(trained.trim());
  // 3. The student is served and audited through its OpenAI-compatible API.
  const student = await startReferenceModelServer({ port: 0, model: loadModel(modelPath) });
  const evidencePath = join(directory, `${label}.evidence.json`);
  const auditStarted = Date.now();
  await run([
    'audit',
    '--suspect',
    `${student.url}/v1`,
    '--model',
    label,
    '--prompts',
    join(directory, 'prompts.jsonl'),
    '--key',
    join(directory, 'key.json'),
    '--served',
    join(directory, 'served.jsonl'),
    '--cohort-keys',
    cohortDirectory,
    '--out',
    evidencePath,
    '--html',
    join(directory, `${label}.evidence.html`),
    '--concurrency',
    '4',
    '--rate',
    '1000',
    '--max-tokens',
    '256',
    '--null-keys',
    '1000',
    '--null-seed',
    'experiment',
  ]);
  await student.close();
  const evidence = JSON.parse(readFileSync(evidencePath, 'utf8'));
  const row = {
    contamination: share,
    harvested_tokens: tokens,
    harvested_answers: documents.length,
    log10_p_value: Number(evidence.log10_p_value.toFixed(2)),
    verdict: evidence.verdict,
    scored_tuples: evidence.scored_tuples,
    green_share: Number((evidence.statistic / evidence.scored_tuples).toFixed(4)),
    tuples_total: evidence.counts.tuples_total,
    tuples_distinct: evidence.counts.tuples_distinct,
    after_prompt_filter: evidence.counts.tuples_after_prompt_filter,
    null_median_log10_p: Number(evidence.null.log10_p_quantiles.median.toFixed(2)),
    null_min_log10_p: Number(evidence.null.log10_p_quantiles.min.toFixed(2)),
    null_at_or_below_real: evidence.null.at_or_below_real,
    named_cohort: evidence.cohorts.named_cohort,
    leaking_cohort_adjusted_log10_p: Number(
      evidence.cohorts.keys
        .find((entry) => entry.cohort === leakingCohort)
        .adjusted_log10_p_value.toFixed(2),
    ),
    audit_seconds: Number(((Date.now() - auditStarted) / 1000).toFixed(1)),
  };
  results.push(row);
  log(JSON.stringify(row));
}

const targets = {
  '5% contamination: p <= 1e-6 with <= 60,000 tuples':
    results[2].log10_p_value <= -6 && results[2].scored_tuples <= 60_000,
  'clean student not flagged (p > 0.01)': results[0].log10_p_value > -2,
  'leaking cohort named at 5% and 10%':
    results[2].named_cohort === leakingCohort && results[3].named_cohort === leakingCohort,
  'no cohort named for the clean student': results[0].named_cohort === null,
};
console.log(
  'contamination  log10 p   tuples  green share  null median  wrong keys <= real  cohort named',
);
for (const row of results)
  console.log(
    `${`${(row.contamination * 100).toFixed(0)}%`.padEnd(13)}  ${String(row.log10_p_value).padStart(7)}  ${String(row.scored_tuples).padStart(7)}  ${String(row.green_share).padStart(11)}  ${String(row.null_median_log10_p).padStart(11)}  ${String(row.null_at_or_below_real).padStart(18)}  ${row.named_cohort ?? 'none'}`,
  );
for (const [target, met] of Object.entries(targets))
  console.log(`${met ? 'met    ' : 'NOT MET'}  ${target}`);
console.log(`files in ${directory}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
writeFileSync(join(directory, 'results.json'), JSON.stringify({ results, targets }, null, 2));
if (!Object.values(targets).every(Boolean)) process.exitCode = 1;
