// Watermark detection throughput (scored tokens/s) beside its floor, plain tokenization of the same
// text, in the same run and alternating order: detection with the tokenizer (normalise + encode +
// score) and without it (score pre-tokenized text). Run: npm run build && npm run bench:watermark
import { humanTexts } from '../src/test-support/human-text.js';
import { fixedWatermarkKey } from '../src/test-support/watermark-keys.js';
import { encodeText } from '../src/refmodel/index.js';
import { WatermarkDetector, watermarkSchemes } from '../src/watermark/index.js';

const texts = humanTexts(3000, 200);
const tokenized = texts.map((text) => WatermarkDetector.tokenize(text));
const rounds = 5;

function time(run: () => number): { seconds: number; tokens: number } {
  const start = process.hrtime.bigint();
  const tokens = run();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, tokens };
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

for (const scheme of watermarkSchemes) {
  const detector = new WatermarkDetector(fixedWatermarkKey(scheme, 'bench'));
  const variants: Record<string, () => number> = {
    tokenize: () => texts.reduce((sum, text) => sum + encodeText(text).length, 0),
    'detect (with tokenizer)': () =>
      texts.reduce((sum, text) => sum + detector.detectText(text).scored_tokens, 0),
    'detect (tokens given)': () =>
      tokenized.reduce((sum, tokens) => sum + detector.detectTokens(tokens).scored_tokens, 0),
  };
  const names = Object.keys(variants);
  const rates: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const { seconds, tokens } = time(variants[name]);
      rates[name].push(tokens / seconds);
    }
  }
  const floor = median(rates.tokenize);
  console.log(`${scheme}: ${texts.length} texts, ${rounds} rounds, median tokens/s`);
  for (const name of names)
    console.log(
      `  ${name.padEnd(24)} ${Math.round(median(rates[name])).toLocaleString('en-US').padStart(12)}  (${(median(rates[name]) / floor).toFixed(2)}x tokenize)`,
    );
}
