// Power of the sampler-side watermarks on the reference model (docs/provenance.md): TPR at fixed
// numbers of scored tuples, and KGW after 10% random token substitution. Fixed keys; prompts are
// fixture texts; end-of-text is banned so every generation reaches the length.
// Usage: npm run build && node scripts/measure-watermark-power.mjs [generations=200]
import {
  decodeTokens,
  encodeText,
  generate,
  loadDefaultModel,
  samplingStream,
} from '../dist/src/refmodel/index.js';
import { Random } from '../dist/src/sim/index.js';
import { humanTexts } from '../dist/src/test-support/human-text.js';
import { fixedWatermarkKey } from '../dist/src/test-support/watermark-keys.js';
import { WatermarkDetector, watermarkProcessor } from '../dist/src/watermark/index.js';

const count = Number(process.argv[2] ?? 200);
const model = loadDefaultModel();
const prompts = humanTexts(count, 24, 24);
const generations = (key, tokens) =>
  prompts.map((prompt, index) =>
    generate(
      model,
      encodeText(`${prompt}\n\n`),
      {
        maxTokens: tokens,
        logitBias: new Map([[100257, -100]]),
        logitsProcessor: watermarkProcessor(key),
      },
      samplingStream(`power-script/${index}`),
    ).tokens.map((token) => token.tokenId),
  );
const tpr = (key, texts, scored, alpha) => {
  const detector = new WatermarkDetector(key, { maxScoredTokens: scored, alpha });
  const results = texts.map((text) => detector.detectText(text));
  const full = results.filter((result) => result.scored_tokens >= scored);
  return `${(full.filter((result) => result.verdict === 'watermarked').length / full.length).toFixed(3)} (${full.length} texts with ${scored} scored)`;
};
for (const scheme of ['kgw', 'kgw-selfhash', 'gumbel', 'unigram']) {
  const key = fixedWatermarkKey(scheme, 'power-script');
  const texts = generations(key, 520).map((tokens) => decodeTokens(tokens));
  console.log(
    `${scheme.padEnd(13)} TPR@1e-3: 200 tuples ${tpr(key, texts, 200, 1e-3)}; 400 tuples ${tpr(key, texts, 400, 1e-3)}`,
  );
}
const key = fixedWatermarkKey('kgw', 'power-script');
const random = new Random('power-script/substitution');
const attacked = generations(key, 520).map((tokens) =>
  decodeTokens(
    tokens.map((token) =>
      random.next() < 0.1
        ? model.tokenId(1 + Math.floor(random.next() * (model.vocabularySize - 1)))
        : token,
    ),
  ),
);
console.log(
  `kgw after 10% random token substitution TPR@1e-2: 400 tuples ${tpr(key, attacked, 400, 1e-2)}`,
);
