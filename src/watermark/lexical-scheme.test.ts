// The lexical scheme: the streamed transform equals the whole-text one at every split, marked text
// is detected, unmarked text and other keys' text are not, and the exact tail is right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanTexts } from '../test-support/human-text.js';
import { fixedWatermarkKey } from '../test-support/watermark-keys.js';
import {
  LexicalChooser,
  LexicalTransform,
  detectLexical,
  logBinomialUpperTail,
  logPoissonBinomialUpperTail,
  markLexical,
  synonymIndexOf,
} from './index.js';

const chooser = new LexicalChooser(fixedWatermarkKey('kgw', 'lexical'));
const other = new LexicalChooser(fixedWatermarkKey('kgw', 'lexical-other'));
const sample =
  'Big cars frequently need repair. The doctor said it was a huge achievement; `big` stays, ```\nbig car\n``` too. Perhaps the large forest is vast.';

test('Poisson-binomial tail: equal probabilities give the binomial tail; a two-coin case by hand', () => {
  const probabilities = Array.from({ length: 40 }, () => 0.3);
  assert.ok(
    Math.abs(logPoissonBinomialUpperTail(probabilities, 20) - logBinomialUpperTail(20, 40, 0.3)) <
      1e-9,
  );
  assert.ok(
    Math.abs(logPoissonBinomialUpperTail([0.5, 0.25], 1) - Math.log(1 - 0.5 * 0.75)) < 1e-12,
  );
  assert.equal(logPoissonBinomialUpperTail([0.5], 0), 0);
  assert.equal(logPoissonBinomialUpperTail([0.5], 2), -Infinity);
});

test('streaming: the transform split at every boundary (and one character at a time) equals the whole-text transform', () => {
  const whole = markLexical(sample, chooser);
  for (let split = 0; split <= sample.length; split += 1) {
    const transform = new LexicalTransform(chooser);
    const parts =
      transform.push(sample.slice(0, split)) +
      transform.push(sample.slice(split)) +
      transform.end();
    assert.equal(parts, whole, `split at ${split}`);
  }
  const transform = new LexicalTransform(chooser);
  let byCharacter = '';
  for (const character of sample) byCharacter += transform.push(character);
  assert.equal(byCharacter + transform.end(), whole);
});

test('capitalisation is kept; code is never touched; only group words change', () => {
  const index = synonymIndexOf([
    ['big', 'large'],
    ['car', 'automobile'],
  ]);
  const local = new LexicalChooser(fixedWatermarkKey('kgw', 'lexical'), index);
  for (let trial = 0; trial < 20; trial += 1) {
    const marked = markLexical(`w${trial} Big car. \`big car\` BIG`, local);
    assert.match(marked, new RegExp(`^w${trial} (Big|Large) (car|automobile)\\. \`big car\` BIG$`));
  }
});

test('marked human text is detected (p < 1e-6 on 30 texts of 200 tokens), unmarked and wrong-key text is not', () => {
  const texts = humanTexts(30, 200, 200);
  const tape = texts.map((text) => markLexical(text, chooser)).join('\n\n');
  const marked = detectLexical(tape, chooser);
  assert.ok(marked.scored_tokens >= 50, `scored ${marked.scored_tokens}`);
  assert.ok(marked.log10_p_value < -6, `log10 p ${marked.log10_p_value}`);
  assert.equal(marked.verdict, 'watermarked');
  assert.ok(detectLexical(tape, other).log10_p_value > -2);
  assert.ok(detectLexical(texts.join('\n\n'), chooser).log10_p_value > -2);
});

test('calibration: unmarked human texts of 2,000 tokens stay within alpha 1e-2', () => {
  const texts = humanTexts(150, 2000);
  const results = texts
    .map((text) => detectLexical(text, chooser))
    .filter((result) => result.verdict !== 'too_short');
  assert.ok(results.length >= 100, `only ${results.length} texts long enough`);
  const rate = results.filter((result) => result.log10_p_value <= -2).length / results.length;
  assert.ok(rate <= 0.01 + 3 * Math.sqrt((0.01 * 0.99) / results.length), `FPR ${rate}`);
});
