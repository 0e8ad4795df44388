// Rebuilds the shipped reference model (data/refmodel.bin.gz) from data/refmodel-corpus.txt.gz.
// Run after `npm run build` whenever the corpus, the trainer or the model file format changes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(
  process.execPath,
  [
    'dist/src/cli/main.js',
    'refmodel',
    'train',
    '--corpus',
    'data/refmodel-corpus.txt.gz',
    '--out',
    'data/refmodel.bin.gz',
    '--order',
    '3',
  ],
  { cwd: root, stdio: 'inherit' },
);
