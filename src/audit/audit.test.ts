// The audit end to end over real sockets: a student trained on marked answers is flagged, a clean
// student is not, the wrong-key null looks uniform, and resume does not ask twice.
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  NgramModel,
  NgramTrainer,
  encodeText,
  generate,
  loadDefaultModel,
  samplingStream,
  startReferenceModelServer,
} from '../refmodel/index.js';
import { fixedWatermarkKey } from '../test-support/watermark-keys.js';
import { humanTexts } from '../test-support/human-text.js';
import { temporaryDirectory } from '../test-support/paths.js';
import { watermarkProcessor, type WatermarkKey } from '../watermark/index.js';
import {
  buildTupleTape,
  readAuditPrompts,
  readServedWindows,
  runFingerprints,
  runAudit,
  type AuditEvidence,
  type AuditPrompt,
} from './index.js';

const key = fixedWatermarkKey('kgw', 'audit-test');
const teacher = loadDefaultModel();
const promptTexts = humanTexts(100, 24);

/** A small order-3 student trained on 120 answers of the teacher, marked with `marking` or not. */
function student(marking: WatermarkKey | null, label: string): NgramModel {
  const trainer = new NgramTrainer(3);
  promptTexts.slice(0, 60).forEach((prompt, index) => {
    const options = {
      maxTokens: 300,
      logitBias: new Map([[100257, -100]]),
      ...(marking ? { logitsProcessor: watermarkProcessor(marking) } : {}),
    };
    trainer.addDocument(
      generate(
        teacher,
        encodeText(`${prompt}\n\n`),
        options,
        samplingStream(`${label}/${index}`),
      ).tokens.map((token) => token.tokenId),
    );
  });
  return new NgramModel(trainer.build());
}

async function auditPrompts(count: number): Promise<AuditPrompt[]> {
  const path = join(temporaryDirectory(), 'prompts.jsonl');
  writeFileSync(
    path,
    promptTexts
      .slice(60, 60 + count)
      .map((prompt, index) =>
        JSON.stringify({ messages: [{ role: 'user', content: prompt }], seed: index + 1 }),
      )
      .join('\n'),
  );
  return (await readAuditPrompts(path)).prompts;
}

async function auditStudent(model: NgramModel): Promise<AuditEvidence> {
  const server = await startReferenceModelServer({ port: 0, model });
  try {
    return await runAudit({
      key,
      prompts: await auditPrompts(40),
      baseUrl: `${server.url}/v1`,
      model: 'student',
      concurrency: 4,
      rate: Infinity,
      maxTokens: 200,
      samplesPerPrompt: 1,
      nullKeyCount: 300,
      nullSeed: 'audit-test',
      minTuples: 200,
      answersPath: join(temporaryDirectory(), 'answers.jsonl'),
      resume: false,
    });
  } finally {
    await server.close();
  }
}

test('a student trained on marked answers is flagged; a clean student is not; the wrong-key null is roughly uniform', async () => {
  const marked = await auditStudent(student(key, 'marked'));
  assert.equal(marked.verdict, 'radioactive');
  assert.ok(marked.log10_p_value < -6, `marked student p = 10^${marked.log10_p_value}`);
  assert.equal(marked.null.at_or_below_real, 0);
  assert.ok(marked.scored_tuples >= 1000 && marked.scored_tuples <= marked.counts.tuples_distinct);

  const clean = await auditStudent(student(null, 'clean'));
  assert.ok(clean.log10_p_value > -2, `clean student p = 10^${clean.log10_p_value}`);
  assert.notEqual(clean.verdict, 'radioactive');
  // Coarse uniformity of the wrong keys' p-values (discrete binomial p-values are conservative).
  const pValues = clean.null.log10_p_values.map((value) => 10 ** value);
  const share = (limit: number) =>
    pValues.filter((value) => value <= limit).length / pValues.length;
  assert.equal(pValues.length, 300);
  assert.ok(share(0.5) > 0.3 && share(0.5) < 0.65, `share <= 0.5: ${share(0.5)}`);
  assert.ok(share(0.1) > 0.03 && share(0.1) < 0.18, `share <= 0.1: ${share(0.1)}`);
  assert.ok(share(0.01) < 0.04, `share <= 0.01: ${share(0.01)}`);
});

/** A stand-in suspect that answers a fixed text and counts requests. */
async function countingSuspect(): Promise<{
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}> {
  let requests = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      requests += 1;
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: `Answer number ${requests} about rivers and the sea.`,
              },
              finish_reason: 'stop',
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test('resume asks only the prompts without an answer on disk', async () => {
  const suspect = await countingSuspect();
  const answersPath = join(temporaryDirectory(), 'evidence.json.answers.jsonl');
  const options = {
    key,
    prompts: await auditPrompts(10),
    baseUrl: suspect.url,
    model: 'm',
    concurrency: 3,
    rate: Infinity,
    samplesPerPrompt: 2,
    nullKeyCount: 10,
    answersPath,
  };
  try {
    const first = await runAudit({ ...options, resume: false });
    assert.equal(suspect.requests(), 20);
    assert.equal(first.counts.answers, 20);
    const again = await runAudit({ ...options, resume: true });
    assert.equal(suspect.requests(), 20, 'a full resume sends nothing');
    assert.equal(again.counts.answers_reused, 20);
    // An interrupted run: 14 answers on disk and a torn last line.
    const lines = readFileSync(answersPath, 'utf8').trim().split('\n');
    writeFileSync(answersPath, `${lines.slice(0, 14).join('\n')}\n{"line": 3, "sam`);
    const resumed = await runAudit({ ...options, resume: true });
    assert.equal(suspect.requests(), 26);
    assert.equal(resumed.counts.requests_sent, 6);
    assert.equal(resumed.counts.answers, 20);
  } finally {
    await suspect.close();
  }
});

test('tuples that occur in the prompts are dropped', () => {
  const prompt = 'The quick brown fox jumps over the lazy dog near the quiet river bank.';
  const output = `${prompt} Then something entirely different happened at noon.`;
  const unfiltered = buildTupleTape([output], { window: 1, prompts: [], promptFilter: 'tuple' });
  const filtered = buildTupleTape([output], {
    window: 1,
    prompts: [prompt],
    promptFilter: 'tuple',
  });
  const byWindow = buildTupleTape([output], {
    window: 1,
    prompts: [prompt],
    promptFilter: 'window',
  });
  assert.equal(unfiltered.count, unfiltered.counts.tuples_distinct);
  assert.ok(
    filtered.count < unfiltered.count && filtered.count >= 6,
    `${filtered.count} of ${unfiltered.count}`,
  );
  assert.ok(byWindow.count <= filtered.count);
  const served = buildTupleTape([output], {
    window: 1,
    prompts: [],
    promptFilter: 'tuple',
    servedWindows: runFingerprints(['Then something'], 1),
  });
  assert.equal(served.counts.tuples_after_served_filter, served.count);
  assert.ok(served.count <= 2);
});

test('served texts are read as a stream (plain or gzip): their windows are kept, not the texts, and bad lines are named', async () => {
  const folder = temporaryDirectory();
  const texts = [
    'The quick brown fox jumps over the lazy dog.',
    'An interaction log line carries its text in response.text.',
  ];
  const lines = [
    JSON.stringify({ text: texts[0] }),
    '{"text": 3}',
    '',
    JSON.stringify({ id: 'x', response: { status: 200, text: texts[1] } }),
    'not json',
  ];
  const plain = join(folder, 'served.jsonl');
  writeFileSync(plain, `${lines.join('\n')}\n`);
  const gzipped = join(folder, 'served.jsonl.gz');
  writeFileSync(gzipped, gzipSync(`${lines.join('\n')}\n`));
  for (const path of [plain, gzipped]) {
    const served = await readServedWindows(path, 2);
    assert.equal(served.texts, 2);
    assert.deepEqual([...served.windows].sort(), [...runFingerprints(texts, 2)].sort());
    assert.deepEqual(
      served.rejected.map((rejection) => rejection.line),
      [2, 5],
    );
  }
});
