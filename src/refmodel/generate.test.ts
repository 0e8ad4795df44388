import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeText,
  generate,
  GenerationRun,
  loadDefaultModel,
  samplingStream,
  type GeneratedToken,
  type GenerateOptions,
} from './index.js';

const model = loadDefaultModel();
const prompt = encodeText(
  'Natalia sold clips to 48 of her friends. How many clips did she sell?\n\n',
);

test("a run stepped token by token gives generate's tokens, and hands over only text no stop sequence can cut", () => {
  const variants: GenerateOptions[] = [
    { maxTokens: 120 },
    { maxTokens: 120, stop: [' the same'] },
    { maxTokens: 120, stop: [' of the', 'clips.'], temperature: 0.8, topP: 0.9, topLogprobs: 2 },
    { maxTokens: 120, stop: ['\n\n', 'é'], logitBias: new Map([[13, 5]]) },
  ];
  let heldBack = 0;
  for (const options of variants) {
    for (let seed = 0; seed < 25; seed += 1) {
      const whole = generate(model, prompt, options, samplingStream(seed));
      const run = new GenerationRun(model, prompt, options, samplingStream(seed));
      const handedOver: GeneratedToken[] = [];
      let stepping = true;
      while (stepping) {
        stepping = run.step();
        handedOver.push(...run.takeSettled());
        const shown = handedOver.map((token) => token.text).join('');
        assert.ok(
          whole.text.startsWith(shown),
          `seed ${seed}: streamed text is not a prefix of the final text`,
        );
        if (!run.finished && shown.length < run.result().text.length) heldBack += 1;
      }
      assert.deepEqual(handedOver, whole.tokens);
      assert.deepEqual(run.result(), whole);
    }
  }
  assert.ok(heldBack > 0, 'some text was held back as a possible start of a stop sequence');
});
