// `npm run format` rewrites the code with prettier (the settings in .prettierrc, what is left
// alone in .prettierignore); `npm run format -- --check` writes nothing and exits 1 when a file
// is not formatted, naming it. Other arguments (paths) replace the default `.`:
//   npm run format -- --check src/core     checks one folder
// A wrapper for two reasons: `prettier --write --check` (what `--check` appended to a plain
// `prettier --write .` script gives) rewrites the files and exits 0, a check that always passes;
// and one prettier pass does not always reach its fixed point (a call chain broken over lines
// is joined by the second pass), so writing repeats until the check passes, three passes at most.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prettier = createRequire(import.meta.url).resolve('prettier/bin/prettier.cjs');
const args = process.argv.slice(2);
const paths = args.filter((arg) => arg !== '--check');
const settings = [
  '--config',
  join(root, '.prettierrc'),
  '--ignore-path',
  join(root, '.prettierignore'),
];

function prettierRun(mode, output) {
  const run = spawnSync(
    process.execPath,
    [prettier, mode, ...settings, ...(paths.length > 0 ? paths : ['.'])],
    {
      cwd: process.cwd(),
      stdio: ['ignore', output, output],
    },
  );
  return run.status ?? 1;
}

if (args.includes('--check')) {
  process.exitCode = prettierRun('--check', 'inherit');
} else {
  let status = prettierRun('--write', 'inherit');
  for (let pass = 2; pass <= 3 && status === 0; pass += 1) {
    if (prettierRun('--check', 'ignore') === 0) break;
    process.stdout.write(`format: pass ${pass}, for what the last pass left unsettled\n`);
    status = prettierRun('--write', 'inherit');
  }
  process.exitCode = status;
}
