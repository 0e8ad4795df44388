// Calibration: the distribution of final scores of benign accounts in labelled simulated traffic,
// and the false-positive rate at the current thresholds. Run on a calibration seed only (never
// on the evaluation seeds):
//   distillguard simulate --out cal --seed 1 && distillguard analyze --interactions cal/interactions.jsonl \
//     --accounts cal/accounts.jsonl --out cal/report.json --scores cal/scores.jsonl && node scripts/calibrate.mjs cal
import { readFileSync } from 'node:fs';
import { thresholds } from '../dist/src/detect/thresholds.js';

const folder = process.argv[2] ?? 'cal';
const labels = JSON.parse(readFileSync(`${folder}/labels.json`, 'utf8')).accounts;
const scores = readFileSync(`${folder}/scores.jsonl`, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));
const quantile = (values, q) => values[Math.min(values.length - 1, Math.floor(q * values.length))];
for (const klass of ['benign', 'benchmark', 'campaign']) {
  const values = scores
    .filter((row) => labels[row.account_id]?.class === klass && !row.benchmark)
    .map((row) => row.score)
    .sort((a, b) => a - b);
  if (values.length === 0) continue;
  const above = (threshold) => values.filter((value) => value >= threshold).length;
  console.log(
    `${klass.padEnd(9)} n=${values.length} p50=${quantile(values, 0.5)} p99=${quantile(values, 0.99)} p99.9=${quantile(values, 0.999)} max=${values[values.length - 1]}` +
      ` | >= review (${thresholds.review}): ${above(thresholds.review)} | >= extraction (${thresholds.extraction}): ${above(thresholds.extraction)}`,
  );
}
const benign = scores.filter((row) => labels[row.account_id]?.class === 'benign');
const worst = benign.sort((a, b) => b.score - a.score).slice(0, 5);
console.log(
  'highest benign:',
  worst.map((row) => `${labels[row.account_id].persona} ${row.score}`).join(', '),
);
