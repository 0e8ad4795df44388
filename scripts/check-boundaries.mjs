// The import-boundary check (`npm run check:boundaries`): every relative import in src/, bench/
// and faults/ is read with the TypeScript scanner and held to two rules. (1) A folder of src/ is
// entered from outside only through its index.ts (the exceptions, `otherEntries`, with their reason).
// (2) Code outside tests imports only the folders the "depends on" column of the table in
// docs/architecture.md allows for its own folder; tests (*.test.ts, *.runtime.ts), test-support/,
// bench/ and faults/ may also use test-support/ and any folder's public face. A folder's own
// subfolders (store/sqlite/, detect/signals/) are free. Each break is printed as file:line and
// the rule; the exit status is 1 when there is any, 2 when the table lacks a folder.
//
//   node scripts/check-boundaries.mjs [ROOT]    ROOT defaults to the repository (used by its test)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const src = join(root, 'src');
const testSupport = 'test-support';

/** The folders of src/ and what each may import, read from the table in docs/architecture.md. */
function allowedImports() {
  const folders = readdirSync(src, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const table = new Map();
  const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const folder = /^`([a-z-]+)\/`$/.exec(cells[1] ?? '')?.[1];
    if (folder === undefined || cells.length < 5) continue;
    const dependsOn = cells[3].replace(/\([^)]*\)/g, '');
    if (/\beverything\b/.test(dependsOn)) table.set(folder, new Set(folders));
    // "core, store types" names core and store: the first word of each item is the folder
    else
      table.set(
        folder,
        new Set(
          dependsOn
            .split(',')
            .map((item) => item.trim().split(/\s+/)[0])
            .filter((word) => folders.includes(word)),
        ),
      );
  }
  const missing = folders.filter((folder) => !table.has(folder));
  if (missing.length > 0) {
    process.stderr.write(
      `check-boundaries: docs/architecture.md has no row for src/${missing.join('/, src/')}/; add one to the folder table (owns, depends on).\n`,
    );
    process.exit(2);
  }
  return table;
}

function* sourceFiles(folder) {
  if (!existsSync(folder)) return;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** The top-level folder of src/ a path is in, or null outside src/ (bench/, faults/). */
function folderOf(path) {
  const inside = relative(src, path);
  if (inside.startsWith('..')) return null;
  const parts = inside.split(sep);
  return parts.length > 1 ? parts[0] : null;
}

// tests, their helpers, and what sits outside src/ (bench/, faults/: never shipped) may use test-support/
// The entries other than index.ts, each for the importers named and the reason given. Code that
// runs before `serve`'s heap settings apply loads as little of core/ as it can (decision record
// 2026-11-27-young-generation-cap): core/index.js allocates about 0.4 MB more while loading. The
// store's write thread likewise loads only the one name it reads. Each of these files imports nothing.
const otherEntries = new Map([
  ['core/errors.ts', ['cli/main.ts', 'cli/commands/serve.ts', 'runtime/heap-growth.ts']],
  [
    'core/environment.ts',
    ['cli/commands/serve.ts', 'runtime/heap-growth.ts', 'store/sqlite/write-worker.ts'],
  ],
  ['core/listen-defaults.ts', ['cli/commands/serve.ts', 'cli/default-upstream.ts']],
  ['core/wire-headers.ts', ['cli/commands/serve.ts']],
]);
const enteredElsewhere = (file, target) =>
  otherEntries
    .get(relative(src, target).split(sep).join('/'))
    ?.includes(relative(src, file).split(sep).join('/')) ?? false;

const isTest = (path) =>
  /\.(test|runtime)\.ts$/.test(path) ||
  folderOf(path) === testSupport ||
  relative(src, path).startsWith('..');
const table = allowedImports();
const breaks = [];
let imports = 0;

for (const top of ['src', 'bench', 'faults']) {
  for (const file of sourceFiles(join(root, top))) {
    const text = readFileSync(file, 'utf8');
    const from = folderOf(file);
    for (const reference of ts.preProcessFile(text, true, true).importedFiles) {
      if (!reference.fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), reference.fileName.replace(/\.js$/, '.ts'));
      const to = folderOf(target);
      if (to === null || to === from) continue;
      imports += 1;
      const at = `${relative(root, file)}:${text.slice(0, reference.pos).split('\n').length}`;
      const entered = relative(join(src, to), target);
      if (to === testSupport) {
        if (!isTest(file))
          breaks.push(
            `${at}: imports '${reference.fileName}': src/test-support/ is for tests only (*.test.ts, *.runtime.ts, bench/, faults/)`,
          );
      } else if (entered !== 'index.ts' && !enteredElsewhere(file, target)) {
        breaks.push(
          `${at}: imports '${reference.fileName}': src/${to}/ is imported from outside only through src/${to}/index.ts`,
        );
      }
      if (from !== null && !isTest(file) && to !== testSupport && !table.get(from).has(to)) {
        breaks.push(
          `${at}: imports '${reference.fileName}': src/${from}/ may not depend on src/${to}/ (docs/architecture.md: ${from}/ depends on ${[...table.get(from)].join(', ') || 'nothing'})`,
        );
      }
    }
  }
}

for (const line of breaks) process.stdout.write(`${line}\n`);
process.stdout.write(
  `check-boundaries: ${imports} imports across folders, ${breaks.length} ${breaks.length === 1 ? 'break' : 'breaks'}\n`,
);
process.exitCode = breaks.length === 0 ? 0 : 1;
