// The CI checks, and that each fails on a deliberately broken file: a file prettier would change
// makes `npm run format -- --check` exit 1 naming it; an import past a folder's index.ts or against
// the architecture table makes `npm run check:boundaries` exit 1 with its file:line and rule; and
// the package lists no compiled test or test helper; a dropped await makes `npm run check:promises`
// exit 1 naming the rule. Broken files are written to a temporary
// folder, never into the tree. Run with `npm run test:checks` (CI runs it before `npm test`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (script, args, cwd = root) =>
  spawnSync(process.execPath, [join(root, 'scripts', script), ...args], { cwd, encoding: 'utf8' });

function scratch(t) {
  const folder = mkdtempSync(join(tmpdir(), 'distillguard-checks-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

function write(folder, path, text) {
  mkdirSync(dirname(join(folder, path)), { recursive: true });
  writeFileSync(join(folder, path), text);
}

test('the format check passes a formatted file and fails, naming it, on one prettier would change', (t) => {
  const folder = scratch(t);
  write(folder, 'formatted.ts', "export const answer = { value: 42, unit: 'none' };\n");
  write(folder, 'broken.ts', 'export const answer = {value:42,unit:"none"}\n');
  const good = run('format.mjs', ['--check', 'formatted.ts'], folder);
  assert.equal(good.status, 0, good.stdout + good.stderr);
  const bad = run('format.mjs', ['--check', 'broken.ts'], folder);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout + bad.stderr, /broken\.ts/);
  assert.equal(
    readFileSync(join(folder, 'broken.ts'), 'utf8'),
    'export const answer = {value:42,unit:"none"}\n',
    '--check must not write',
  );
});

test('the format check holds lines to 100 characters', (t) => {
  const folder = scratch(t);
  const long = `export const words = [${Array.from({ length: 12 }, (_, i) => `'word${i}'`).join(', ')}];\n`;
  assert.ok(long.length > 100 && long.length < 160);
  write(folder, 'long.ts', long);
  assert.equal(run('format.mjs', ['--check', 'long.ts'], folder).status, 1);
});

const architecture = `# Architecture

| folder | owns | depends on |
|---|---|---|
| \`core/\` | types | nothing |
| \`store/\` | the store | core |
| \`detect/\` | detection | core, store (port) |
| \`test-support/\` | helpers for tests | — |
`;

function miniRepository(t, extra) {
  const folder = scratch(t);
  write(folder, 'docs/architecture.md', architecture);
  write(folder, 'src/core/index.ts', "export * from './errors.js';\n");
  write(folder, 'src/core/errors.ts', 'export class AppError extends Error {}\n');
  write(
    folder,
    'src/store/index.ts',
    "import { AppError } from '../core/index.js';\nexport const store = AppError;\n",
  );
  write(
    folder,
    'src/detect/index.ts',
    "import type { AppError } from '../core/index.js';\nexport type Finding = AppError;\n",
  );
  write(folder, 'src/test-support/paths.ts', "export const here = '.';\n");
  write(
    folder,
    'src/detect/detect.test.ts',
    "import { here } from '../test-support/paths.js';\nimport { store } from '../store/index.js';\nvoid here; void store;\n",
  );
  for (const [path, text] of Object.entries(extra)) write(folder, path, text);
  return folder;
}

test('the boundary check passes imports through index.ts in the directions of the table', (t) => {
  const result = run('check-boundaries.mjs', [miniRepository(t, {})]);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /0 breaks/);
});

test('the boundary check names the file, the line and the rule of each break', (t) => {
  const folder = miniRepository(t, {
    // past core's index.ts, on line 3
    'src/detect/past-index.ts':
      "// header\n\nimport { AppError } from '../core/errors.js';\nexport const e = AppError;\n",
    // upward: store/ may depend on core/ only (a dynamic import counts too)
    'src/store/upward.ts': "export const load = () => import('../detect/index.js');\n",
    // shipped code may not use test helpers
    'src/core/uses-helper.ts':
      "import { here } from '../test-support/paths.js';\nexport const where = here;\n",
  });
  const result = run('check-boundaries.mjs', [folder]);
  assert.equal(result.status, 1, result.stdout + result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.deepEqual(lines.slice(0, -1).sort(), [
    "src/core/uses-helper.ts:1: imports '../test-support/paths.js': src/test-support/ is for tests only (*.test.ts, *.runtime.ts, bench/, faults/)",
    "src/detect/past-index.ts:3: imports '../core/errors.js': src/core/ is imported from outside only through src/core/index.ts",
    "src/store/upward.ts:1: imports '../detect/index.js': src/store/ may not depend on src/detect/ (docs/architecture.md: store/ depends on core)",
  ]);
  assert.match(lines.at(-1), /3 breaks$/);
});

test('the boundary check refuses a folder the architecture table does not list', (t) => {
  const result = run('check-boundaries.mjs', [
    miniRepository(t, { 'src/newfolder/index.ts': 'export {};\n' }),
  ]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /no row for src\/newfolder\//);
});

test('the repository passes its boundary check', () => {
  const result = run('check-boundaries.mjs', []);
  assert.equal(result.status, 0, result.stdout);
});

test('the package ships no compiled test and no test helper', () => {
  // --ignore-scripts: list what the last build left in dist/ (npm ci builds it) without rebuilding
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  const files = JSON.parse(result.stdout)[0].files.map((file) => file.path);
  assert.ok(files.includes('dist/src/cli/main.js'), 'dist/ is missing: run npm run build first');
  assert.deepEqual(
    files.filter((path) => /\.(test|runtime)\.|test-support\//.test(path)),
    [],
  );
});

test('the promise check names a dropped await and a promise tested for truth, and passes the fixed file', (t) => {
  const folder = scratch(t);
  write(
    folder,
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, noEmit: true },
      include: ['src/**/*.ts'],
    }),
  );
  const scope = [
    'async function requireScope(token: string): Promise<void> {',
    "  if (token !== 'ok') throw new Error('401');",
    '}',
  ];
  write(
    folder,
    'src/route.ts',
    [
      ...scope,
      'export async function handler(token: string): Promise<string> {',
      '  requireScope(token);',
      "  return 'answer';",
      '}',
      'export function anyKey(keys: string[], live: (key: string) => Promise<boolean>): boolean {',
      '  return keys.some((key) => live(key));',
      '}',
      '',
    ].join('\n'),
  );
  const lint = (cwd) =>
    spawnSync(
      process.execPath,
      [
        join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
        '-c',
        join(root, 'eslint.config.mjs'),
        'src',
      ],
      { cwd, encoding: 'utf8' },
    );
  const bad = lint(folder);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /route\.ts/);
  assert.match(bad.stdout, /5:3 .*no-floating-promises/);
  assert.match(bad.stdout, /no-misused-promises/);
  write(
    folder,
    'src/route.ts',
    [
      ...scope,
      'export async function handler(token: string): Promise<string> {',
      '  await requireScope(token);',
      "  return 'answer';",
      '}',
      '',
    ].join('\n'),
  );
  const good = lint(folder);
  assert.equal(good.status, 0, good.stdout + good.stderr);
});
