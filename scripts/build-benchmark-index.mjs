// Builds data/benchmark-index.json.gz (keyed shingle hashes of public benchmark items) from the
// fixtures. Run after `npm run build` when fixtures change: `node scripts/build-benchmark-index.mjs`.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { loadCorpus } from '../dist/src/sim/index.js';
import { BenchmarkIndex, builtInIndexPath } from '../dist/src/detect/benchmarks/benchmark-index.js';

// The key only makes the hashes this index's own; it is not a secret.
const index = new BenchmarkIndex(0x6d1f2e37);
const corpus = loadCorpus();
for (const item of corpus.gsm8k) index.addItem('gsm8k', item.question);
for (const item of corpus.humaneval) index.addItem('humaneval', item.prompt);
for (const item of corpus.mmlu)
  index.addItem('mmlu', `${item.question}\n${item.choices.join('\n')}`);
for (const item of corpus.tools) index.addItem('bfcl', item.question.join('\n'));
writeFileSync(builtInIndexPath, gzipSync(JSON.stringify(index.serialize()), { level: 9 }));
console.log(`${builtInIndexPath}: ${index.itemCount} items`);
