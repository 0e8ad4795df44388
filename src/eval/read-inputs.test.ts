import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DistillGuardError } from '../core/index.js';
import { readEvaluationInputs } from './read-inputs.js';
import { reported, reportOf } from './sample-inputs.js';

describe('readEvaluationInputs', () => {
  let folder: string;
  let labelsPath: string;
  let reportPath: string;

  const writeJson = async (name: string, value: unknown): Promise<string> => {
    const path = join(folder, name);
    await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'distillguard-eval-'));
    labelsPath = await writeJson('labels.json', {
      accounts: {
        a1: { class: 'campaign', campaign: 'c1' },
        u1: { class: 'benign', persona: 'app' },
      },
    });
    reportPath = await writeJson('report.json', reportOf([reported('a1', 'extraction', 'R1')]));
  });

  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('reads and validates both files', async () => {
    const { labels, report } = await readEvaluationInputs(labelsPath, reportPath);

    assert.equal(labels.accounts.u1.persona, 'app');
    assert.equal(report.accounts[0].account_id, 'a1');
  });

  it('names the file and the missing field when the report lacks `schema`', async () => {
    const { schema: _schema, ...withoutSchema } = reportOf([]);
    const badReport = await writeJson('no-schema.json', withoutSchema);

    await assert.rejects(readEvaluationInputs(labelsPath, badReport), (error: unknown) => {
      assert.ok(error instanceof DistillGuardError);
      assert.equal(error.code, 'input_invalid');
      assert.match(
        error.message,
        /report file '.*no-schema\.json' does not fit contracts\/analysis-report\.schema\.json/,
      );
      assert.match(error.message, /field 'schema' is required but missing/);
      assert.match(error.message, /distillguard analyze --out FILE/);
      return true;
    });
  });

  it('names the nested field when a label has an unknown class', async () => {
    const badLabels = await writeJson('bad-class.json', {
      accounts: { u1: { class: 'friendly' } },
    });

    await assert.rejects(readEvaluationInputs(badLabels, reportPath), {
      code: 'input_invalid',
      message:
        /labels file '.*bad-class\.json'.*field 'accounts\.u1\.class' must be one of "benign", "benchmark", "campaign"/,
    });
  });

  it('says when a file is not JSON', async () => {
    const notJson = await writeJson('truncated.json', '{"accounts": {');

    await assert.rejects(readEvaluationInputs(notJson, reportPath), {
      code: 'input_invalid',
      message: /labels file '.*truncated\.json' is not valid JSON/,
    });
  });

  it('says when a file cannot be read', async () => {
    const missing = join(folder, 'missing.json');

    await assert.rejects(readEvaluationInputs(labelsPath, missing), {
      code: 'input_unreadable',
      message: /report file: cannot read '.*missing\.json': no such file/,
    });
  });

  it('reports the labels file first when both files are bad', async () => {
    await assert.rejects(
      readEvaluationInputs(join(folder, 'nope-labels.json'), join(folder, 'nope-report.json')),
      { message: /^labels file/ },
    );
  });
});
