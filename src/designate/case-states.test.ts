// The workflow table in docs/designation.md is the one the code enforces: every allowed step, who
// takes it and what it needs, row for row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../test-support/paths.js';
import { caseTransitions } from './case-states.js';
import { rolesFor } from './roles.js';

test('docs/designation.md lists exactly the allowed steps, with who takes each and what it needs', () => {
  const doc = readFileSync(join(repositoryRoot, 'docs', 'designation.md'), 'utf8');
  const section = doc.slice(
    doc.indexOf('## States and steps'),
    doc.indexOf('## What each step records'),
  );
  const rows = section
    .split('\n')
    .filter((line) => /^\| [a-z-]+ \| [a-z-]+ \|/.test(line) && !line.startsWith('| from |'))
    .map((line) =>
      line
        .split('|')
        .map((cell) => cell.trim())
        .slice(1, 5),
    );
  const fromCode = caseTransitions.map((step) => {
    const needs = [
      step.approvals ? 'two reviewers' : '',
      step.warningCheck ? 'the warning-list check' : '',
      step.needsExpiry ? 'an expiry date' : '',
      step.needsStatement ? "the appellant's statement" : '',
    ].filter(Boolean);
    return {
      step: `${step.from} → ${step.to}`,
      who: step.action === 'system' ? 'the system' : rolesFor(step.action).join(' or '),
      needs,
    };
  });
  assert.deepEqual(
    rows.map(([from, to]) => `${from} → ${to}`),
    fromCode.map((row) => row.step),
  );
  rows.forEach(([, , who, needs], index) => {
    assert.equal(who, fromCode[index].who, `who takes ${fromCode[index].step}`);
    for (const need of fromCode[index].needs)
      assert.ok(needs.includes(need), `${fromCode[index].step} needs ${need} (doc: '${needs}')`);
    if (fromCode[index].needs.length === 0 && fromCode[index].who !== 'the system')
      assert.equal(needs, '', `${fromCode[index].step} needs nothing`);
  });
});
