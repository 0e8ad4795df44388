// Detection under the null: false-positive rate on human text and unwatermarked model output, and
// wrong-key p-values against the uniform law (Kolmogorov-Smirnov). The full 10,000-text
// calibration is scripts/calibrate-watermarks.mjs; this is its smaller, deterministic version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefaultModel } from '../refmodel/index.js';
import { humanTexts, modelTexts } from '../test-support/human-text.js';
import { fixedWatermarkKey } from '../test-support/watermark-keys.js';
import { WatermarkDetector, watermarkSchemes } from './index.js';

const human = humanTexts(1500, 200);
const model = modelTexts(loadDefaultModel(), 150, 200);
const nullTokens = [...human, ...model].map((text) => WatermarkDetector.tokenize(text));

/** Binomial slack: alpha plus three standard deviations of an empirical rate over n texts. */
const allowed = (alpha: number, n: number) => alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / n);

for (const scheme of watermarkSchemes) {
  test(`${scheme}: false-positive rate on ${nullTokens.length} null texts stays within alpha 1e-2`, () => {
    const detector = new WatermarkDetector(fixedWatermarkKey(scheme, 'calibration'), {
      alpha: 1e-2,
    });
    const results = nullTokens
      .map((tokens) => detector.detectTokens(tokens))
      .filter((result) => result.verdict !== 'too_short');
    assert.ok(results.length > 1200, `only ${results.length} texts long enough`);
    const rate =
      results.filter((result) => result.verdict === 'watermarked').length / results.length;
    assert.ok(rate <= allowed(1e-2, results.length), `FPR ${rate}`);
  });

  test(`${scheme}: wrong-key p-values are uniform (Kolmogorov-Smirnov at 1%)`, () => {
    // One text per key keeps the p-values independent; human texts only (model texts share a model).
    const pValues = human
      .slice(0, 400)
      .map(
        (text, index) =>
          10 **
          new WatermarkDetector(fixedWatermarkKey(scheme, `wrong-${index}`)).detectText(text)
            .log10_p_value,
      );
    pValues.sort((a, b) => a - b);
    const n = pValues.length;
    let above = 0; // D+ = max(F_n(u) - u): too many small p-values
    let below = 0; // D- = max(u - F_n(u)): too few
    pValues.forEach((p, index) => {
      above = Math.max(above, (index + 1) / n - p);
      below = Math.max(below, p - index / n);
    });
    if (scheme === 'gumbel') {
      // continuous statistic: two-sided KS, critical value 1.628 / sqrt(n) at 1% (Massey 1951)
      assert.ok(Math.max(above, below) <= 1.628 / Math.sqrt(n), `D = ${Math.max(above, below)}`);
    } else {
      // discrete binomial p-values are conservative (P(p <= u) <= u), so only D+ may be tested;
      // one-sided critical value sqrt(ln(100) / 2) / sqrt(n) at 1%
      assert.ok(above <= Math.sqrt(Math.log(100) / 2) / Math.sqrt(n), `D+ = ${above}`);
    }
  });
}

test('too few scored tuples gives no verdict; repeats are scored once', () => {
  const detector = new WatermarkDetector(fixedWatermarkKey('kgw', 'short'));
  assert.equal(detector.detectText('The cat sat on the mat.').verdict, 'too_short');
  const repeated = detector.detectText('the cat sat on the mat. '.repeat(200));
  assert.ok(repeated.scored_tokens < 10);
  assert.equal(repeated.verdict, 'too_short');
});
