// Null calibration of the gateway-side tracer schemes (docs/provenance.md): empirical rate of
// p <= alpha on unmarked human text (fixtures/, 200-token windows) for the lexical test and for
// the selection scheme's detector, plus the marked rate (power) of single answers and of tapes.
// Usage: npm run build && node scripts/calibrate-tracer-schemes.mjs [texts=10000] [tokens=200]
import { humanTexts } from '../dist/src/test-support/human-text.js';
import { fixedWatermarkKey } from '../dist/src/test-support/watermark-keys.js';
import {
  LexicalChooser,
  WatermarkDetector,
  detectLexical,
  markLexical,
} from '../dist/src/watermark/index.js';

const count = Number(process.argv[2] ?? 10000);
const tokens = Number(process.argv[3] ?? 200);
const texts = humanTexts(count, tokens);
const chooser = new LexicalChooser(fixedWatermarkKey('kgw', 'tracer-calibration'));
const detector = new WatermarkDetector(fixedWatermarkKey('kgw', 'tracer-calibration'));
const rate = (values, log10Alpha) =>
  values.filter((value) => value <= log10Alpha).length / values.length;
const lexicalNull = texts.map((text) => detectLexical(text, chooser));
const selectionNull = texts.map((text) => detector.detectText(text).log10_p_value);
const lexicalMarked = texts
  .slice(0, 2000)
  .map((text) => detectLexical(markLexical(text, chooser), chooser).log10_p_value);
const scored =
  lexicalNull.reduce((sum, result) => sum + result.scored_tokens, 0) / lexicalNull.length;
console.log(`${texts.length} unmarked human texts of ${tokens} tokens`);
console.log(
  `lexical null     FPR@1e-2 ${rate(
    lexicalNull.map((r) => r.log10_p_value),
    -2,
  ).toFixed(5)}  FPR@1e-3 ${rate(
    lexicalNull.map((r) => r.log10_p_value),
    -3,
  ).toFixed(5)}  mean scored words ${scored.toFixed(2)}`,
);
console.log(
  `selection null   FPR@1e-2 ${rate(selectionNull, -2).toFixed(5)}  FPR@1e-3 ${rate(selectionNull, -3).toFixed(5)}  (the key's ordinary detector)`,
);
console.log(
  `lexical marked   TPR@1e-2 ${rate(lexicalMarked, -2).toFixed(4)}  TPR@1e-3 ${rate(lexicalMarked, -3).toFixed(4)}  (single texts of ${tokens} tokens)`,
);
