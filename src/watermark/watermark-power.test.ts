// Power on the reference model (small version of scripts/measure-watermark-power.mjs): marked
// generations are detected at 200 scored tuples, KGW survives 10% random token substitution, and
// a text marked under one cohort key is attributed to that cohort among 16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeTokens,
  encodeText,
  generate,
  loadDefaultModel,
  samplingStream,
} from '../refmodel/index.js';
import { Random } from '../sim/index.js';
import { humanTexts } from '../test-support/human-text.js';
import { fixedWatermarkKey } from '../test-support/watermark-keys.js';
import {
  CohortDetector,
  WatermarkDetector,
  deriveCohortKey,
  watermarkProcessor,
  type WatermarkKey,
} from './index.js';

const model = loadDefaultModel();
const prompts = humanTexts(40, 24);
const noEndOfText = new Map([[100257, -100]]);

function markedGenerations(key: WatermarkKey, count: number, tokens: number): number[][] {
  const logitsProcessor = watermarkProcessor(key);
  return Array.from({ length: count }, (_, index) =>
    generate(
      model,
      encodeText(`${prompts[index % prompts.length]}\n\n`),
      { maxTokens: tokens, logitBias: noEndOfText, logitsProcessor },
      samplingStream(`power/${index}`),
    ).tokens.map((token) => token.tokenId),
  );
}

for (const scheme of ['kgw', 'kgw-selfhash', 'gumbel', 'unigram'] as const) {
  test(`${scheme}: marked generations are detected at 200 scored tuples (alpha 1e-3)`, () => {
    const key = fixedWatermarkKey(scheme, 'power');
    const detector = new WatermarkDetector(key, { maxScoredTokens: 200 });
    const results = markedGenerations(key, 25, 260).map((tokens) =>
      detector.detectText(decodeTokens(tokens)),
    );
    const detected = results.filter((result) => result.verdict === 'watermarked').length;
    assert.ok(detected >= 24, `${detected}/25 detected`);
  });
}

test('kgw: detected after 10% random token substitution at 400 tuples (alpha 1e-2)', () => {
  const key = fixedWatermarkKey('kgw', 'substitution');
  const detector = new WatermarkDetector(key, { maxScoredTokens: 400, alpha: 1e-2 });
  const random = new Random('substitution');
  let detected = 0;
  for (const tokens of markedGenerations(key, 20, 460)) {
    for (let index = 0; index < tokens.length; index += 1) {
      if (random.next() < 0.1)
        tokens[index] = model.tokenId(1 + Math.floor(random.next() * (model.vocabularySize - 1)));
    }
    if (detector.detectText(decodeTokens(tokens)).verdict === 'watermarked') detected += 1;
  }
  assert.ok(detected >= 18, `${detected}/20 detected`);
});

test('tracer cohorts: the marking cohort is named among 16 (Holm), unmarked text names none', () => {
  const master = fixedWatermarkKey('kgw', 'master');
  const cohorts = Array.from({ length: 16 }, (_, index) =>
    deriveCohortKey(master, `cohort-${index}`),
  );
  const detector = new CohortDetector(cohorts);
  const [marked] = markedGenerations(cohorts[11], 1, 260);
  const found = detector.detectText(decodeTokens(marked));
  assert.equal(found.cohort, 'cohort-11');
  assert.equal(found.verdict, 'watermarked');
  const clean = detector.detectText(humanTexts(1, 300)[0]);
  assert.equal(clean.cohort, null);
  assert.equal(clean.verdict, 'not_watermarked');
});
