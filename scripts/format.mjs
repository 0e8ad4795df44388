// `npm run format` rewrites the code with prettier (the settings in .prettierrc, what is left
// alone in .prettierignore); `npm run format -- --check` writes nothing and exits 1 when a file
// is not formatted, naming it. Other arguments (paths) replace the default `.`:
//   npm run format -- --check src/core     checks one folder
// A wrapper because `prettier --write --check` (what `--check` appended to a plain `prettier
// --write .` script gives) rewrites the files and exits 0: a check that always passes.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prettier = createRequire(import.meta.url).resolve('prettier/bin/prettier.cjs');
const args = process.argv.slice(2);
const check = args.includes('--check');
const paths = args.filter((arg) => arg !== '--check');
const result = spawnSync(
  process.execPath,
  [
    prettier,
    check ? '--check' : '--write',
    '--config',
    join(root, '.prettierrc'),
    '--ignore-path',
    join(root, '.prettierignore'),
    ...(paths.length > 0 ? paths : ['.']),
  ],
  { cwd: process.cwd(), stdio: 'inherit' },
);
process.exitCode = result.status ?? 1;
