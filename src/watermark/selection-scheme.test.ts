// The selection scheme on the reference model: the served (best-of-4) answers carry the key's mark
// over a tape of answers; the first candidates (what an unmarked upstream serves) do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeText, generate, loadDefaultModel, samplingStream } from '../refmodel/index.js';
import { humanTexts } from '../test-support/human-text.js';
import { fixedWatermarkKey } from '../test-support/watermark-keys.js';
import { WatermarkDetector, selectCandidate } from './index.js';

test('best of 4 by keyed score: 40 answers of 60 tokens are detected on one tape; unselected answers are not', () => {
  const model = loadDefaultModel();
  const key = fixedWatermarkKey('kgw', 'selection');
  const prompts = humanTexts(40, 24);
  const served: string[] = [];
  const unselected: string[] = [];
  prompts.forEach((prompt, index) => {
    const candidates = Array.from(
      { length: 4 },
      (_, choice) =>
        generate(
          model,
          encodeText(`${prompt}\n\n`),
          { maxTokens: 60, logitBias: new Map([[100257, -100]]) },
          samplingStream(`selection/${index}`, choice),
        ).text,
    );
    const selection = selectCandidate(candidates, key);
    assert.ok(
      selection.log10PValues.every((value) => value >= selection.log10PValues[selection.index]),
    );
    served.push(candidates[selection.index]);
    unselected.push(candidates[0]);
  });
  const detector = new WatermarkDetector(key);
  const marked = detector.detectText(served.join('\n\n'));
  assert.ok(marked.log10_p_value < -6, `served tape log10 p ${marked.log10_p_value}`);
  assert.ok(detector.detectText(unselected.join('\n\n')).log10_p_value > -2);
  assert.ok(
    new WatermarkDetector(fixedWatermarkKey('kgw', 'selection-other')).detectText(
      served.join('\n\n'),
    ).log10_p_value > -2,
  );
});
