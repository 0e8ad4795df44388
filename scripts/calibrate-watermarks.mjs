// Full null calibration of the watermark detectors (docs/provenance.md): empirical false-positive
// rates at alpha 1e-2 and 1e-3 on >= 10,000 null texts per scheme (human text from fixtures/ cut
// into 200-token windows, plus unwatermarked reference-model outputs), one fixed key per scheme.
// Usage: npm run build && node scripts/calibrate-watermarks.mjs [human=10000] [model=2000]
import { loadDefaultModel } from '../dist/src/refmodel/index.js';
import { humanTexts, modelTexts } from '../dist/src/test-support/human-text.js';
import { fixedWatermarkKey } from '../dist/src/test-support/watermark-keys.js';
import { WatermarkDetector, watermarkSchemes } from '../dist/src/watermark/index.js';

const humanCount = Number(process.argv[2] ?? 10000);
const modelCount = Number(process.argv[3] ?? 2000);
const texts = [
  ...humanTexts(humanCount, 200),
  ...modelTexts(loadDefaultModel(), modelCount, 200, 'calibration'),
];
const tokens = texts.map((text) => WatermarkDetector.tokenize(text));
console.log(`${texts.length} null texts (${humanCount} human, ${modelCount} reference-model)`);
for (const scheme of watermarkSchemes) {
  const detector = new WatermarkDetector(fixedWatermarkKey(scheme, 'full-calibration'));
  const results = tokens
    .map((list) => detector.detectTokens(list))
    .filter((result) => result.verdict !== 'too_short');
  const rate = (log10Alpha) =>
    results.filter((result) => result.log10_p_value <= log10Alpha).length;
  const at2 = rate(-2);
  const at3 = rate(-3);
  console.log(
    `${scheme.padEnd(13)} scored texts ${results.length}  FPR@1e-2 ${(at2 / results.length).toFixed(5)} (${at2})  FPR@1e-3 ${(at3 / results.length).toFixed(5)} (${at3})`,
  );
}
