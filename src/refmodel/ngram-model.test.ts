import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeModel,
  encodeModel,
  encodeText,
  endOfTextToken,
  generate,
  loadDefaultModel,
  NgramModel,
  NgramTrainer,
  samplingStream,
} from './index.js';

function tinyModel(): NgramModel {
  const trainer = new NgramTrainer(3);
  for (const text of [
    'the cat sat on the mat.',
    'the dog sat on the log.',
    'a cat and a dog sat together.',
  ])
    trainer.addDocument(encodeText(text));
  return new NgramModel(trainer.build());
}

test('the next-token distribution sums to 1 over the vocabulary, for seen and unseen contexts', () => {
  const model = tinyModel();
  for (const context of [encodeText('the cat'), encodeText('zebra quantum'), []]) {
    const { tokenIds, logProbs } = model.nextDistribution(context);
    assert.equal(tokenIds.length, model.vocabularySize);
    let sum = 0;
    for (const logProb of logProbs) sum += Math.exp(logProb);
    assert.ok(Math.abs(sum - 1) < 1e-9, `sum ${sum}`);
  }
  const shipped = loadDefaultModel();
  let sum = 0;
  for (const logProb of shipped.nextDistribution(encodeText('The answer is')).logProbs)
    sum += Math.exp(logProb);
  assert.ok(Math.abs(sum - 1) < 1e-9, `sum ${sum}`);
});

test('a context seen in training makes its continuation likely', () => {
  const model = tinyModel();
  const { tokenIds, logProbs } = model.nextDistribution(encodeText('a dog sat together'));
  const best = tokenIds[logProbs.indexOf(Math.max(...logProbs))];
  assert.equal(best, encodeText('.')[0]);
  assert.equal(tokenIds[0], endOfTextToken);
});

test('the model file round-trips the tables', () => {
  const model = tinyModel();
  const again = new NgramModel(decodeModel(encodeModel(model.tables)));
  assert.deepEqual(
    again.nextDistribution(encodeText('a cat')).logProbs,
    model.nextDistribution(encodeText('a cat')).logProbs,
  );
});

test('the same seed gives the same text, another seed other text', () => {
  const model = loadDefaultModel();
  const prompt = encodeText('Natalia sold clips to 48 of her friends.\n\n');
  const first = generate(model, prompt, { maxTokens: 40 }, samplingStream(7));
  const second = generate(model, prompt, { maxTokens: 40 }, samplingStream(7));
  assert.equal(first.text, second.text);
  assert.ok(first.text.length > 0);
  const texts = new Set(
    [1, 2, 3, 4].map(
      (seed) => generate(model, prompt, { maxTokens: 40 }, samplingStream(seed)).text,
    ),
  );
  assert.ok(texts.size > 1);
});

test('logit_bias -100 bans a token and +100 forces it', () => {
  const model = loadDefaultModel();
  const prompt = encodeText('The cat sat on the');
  const period = encodeText('.')[0];
  const banned = generate(
    model,
    prompt,
    { maxTokens: 200, logitBias: new Map([[period, -100]]), temperature: 1.5 },
    samplingStream(3),
  );
  assert.ok(!banned.tokens.some((token) => token.tokenId === period));
  const forced = generate(
    model,
    prompt,
    { maxTokens: 10, logitBias: new Map([[period, 100]]) },
    samplingStream(3),
  );
  assert.deepEqual(
    forced.tokens.map((token) => token.tokenId),
    new Array(10).fill(period),
  );
});

test('stop sequences end the text before them; max_tokens ends with "length"', () => {
  const model = loadDefaultModel();
  const prompt = encodeText('Question: what is two plus two?\n\n');
  const full = generate(model, prompt, { maxTokens: 60, temperature: 0 }, samplingStream(1));
  assert.equal(full.finishReason === 'length' ? full.completionTokens : 60, 60);
  const word = full.text.trim().split(/\s+/)[2];
  const stopped = generate(
    model,
    prompt,
    { maxTokens: 60, temperature: 0, stop: [word] },
    samplingStream(1),
  );
  assert.equal(stopped.finishReason, 'stop');
  assert.equal(stopped.text, full.text.slice(0, full.text.indexOf(word)));
  assert.equal(stopped.tokens.map((token) => token.text).join(''), stopped.text);
});

test('a logits processor sees the candidates and can steer the draw', () => {
  const model = loadDefaultModel();
  const target = encodeText(' banana')[0];
  const seen: number[] = [];
  const processor = {
    process(context: readonly number[], candidates: Int32Array, logits: Float64Array) {
      seen.push(context.length);
      for (let slot = 0; slot < candidates.length; slot += 1)
        if (candidates[slot] === target) logits[slot] += 1000;
    },
  };
  const generation = generate(
    model,
    encodeText('I like'),
    { maxTokens: 3, logitBias: new Map([[target, 0]]), logitsProcessor: processor },
    samplingStream(5),
  );
  assert.deepEqual(
    generation.tokens.map((token) => token.tokenId),
    [target, target, target],
  );
  assert.deepEqual(seen, [2, 3, 4]);
});
