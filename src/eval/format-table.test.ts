import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from './evaluate.js';
import { formatEvaluationTable } from './format-table.js';
import { labelsOf, manyLabels, reported, reportOf } from './sample-inputs.js';

const labels = labelsOf({
  ...manyLabels('a', 8, { class: 'campaign', persona: 'hydra-coding', campaign: 'c1' }),
  ...manyLabels('u', 1500, { class: 'benign', persona: 'individual' }),
  ...manyLabels('k', 2, { class: 'benchmark', persona: 'eval-harness' }),
});

describe('formatEvaluationTable', () => {
  it('shows the key figures a reader checks, in every section', () => {
    const report = reportOf([
      ...Array.from({ length: 6 }, (_, index) =>
        reported(`a${index + 1}`, 'extraction', index < 4 ? 'R1' : 'R2'),
      ),
      reported('u1', 'extraction', 'R1'),
      reported('u2', 'review'),
      reported('k1', 'benchmark'),
      reported('ghost', 'extraction'),
    ]);
    const table = formatEvaluationTable(evaluate(labels, report));

    for (const heading of [
      'Overall extraction verdicts',
      'Benign personas',
      'Benchmark accounts',
      'Campaigns (recall + grouping)',
      'Report campaigns (purity)',
      'Warnings',
    ]) {
      assert.ok(table.includes(heading), `missing section ${heading}`);
    }
    assert.match(table, /Labels: 1,510 accounts \(benign 1,500, benchmark 2, campaign 8\)/);
    assert.match(table, /Precision\s+85\.7%\s+TP \/ flagged = 6 \/ 7/);
    assert.match(table, /Recall\s+75\.0%\s+TP \/ campaign accounts = 6 \/ 8/);
    assert.match(table, /False-positive rate\s+0\.1%\s+FP \/ non-campaign accounts = 1 \/ 1,502/);
    assert.match(table, /individual\s+1,500\s+1\s+0\.1%\s+1\s+0\.1%/);
    assert.match(table, /c1\s+8\s+6\s+75\.0%\s+0\s+0\s+0\s+R1\s+66\.7%\s+2/);
    assert.match(table, /R1\s+5\s+4\s+1\s+0\s+0\s+c1\s+80\.0%/);
    assert.match(table, /Report accounts not in the labels: 1 \(ghost\)/);
  });

  it('says precision is undefined when nothing is flagged', () => {
    const table = formatEvaluationTable(evaluate(labels, reportOf([reported('u1', 'review')])));

    assert.match(table, /Precision\s+n\/a: nothing flagged/);
  });

  it('aligns the columns of each table', () => {
    const lines = formatEvaluationTable(
      evaluate(labels, reportOf([reported('a1', 'extraction', 'R1')])),
    ).split('\n');
    const start = lines.findIndex((line) => line.trimStart().startsWith('Persona'));
    const [header, rule, row] = lines.slice(start, start + 3);
    const accountsEnd = header.indexOf('Accounts') + 'Accounts'.length;

    assert.match(rule, /^\s+-+( +-+)+$/);
    assert.equal(header.length, rule.length);
    assert.equal(row.length, rule.length);
    assert.ok(
      row.slice(0, accountsEnd).endsWith('1,500'),
      'counts are right-aligned under their header',
    );
  });
});
