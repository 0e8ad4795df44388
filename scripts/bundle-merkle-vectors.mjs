// Bundles transparency-dev/merkle's proof test vectors (a folder tree of JSON files) into one
// gzipped JSON object keyed by path, so the Merkle tests run on a clone without ../shared.
//   node scripts/bundle-merkle-vectors.mjs ../shared/data/merkle
// writes fixtures/merkle/testdata.json.gz and copies the vectors' LICENSE beside it.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const source = process.argv[2];
if (source === undefined) {
  process.stderr.write(
    'usage: node scripts/bundle-merkle-vectors.mjs <folder holding testdata/>\n',
  );
  process.exit(64);
}
const testdata = join(source, 'testdata');
const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'merkle');

function* jsonFiles(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* jsonFiles(path);
    else if (entry.name.endsWith('.json')) yield path;
  }
}

// Keys are paths below testdata/ with '/' separators, sorted, so the file is the same on every
// machine. JSON.parse reads the few uint64 values above 2^53 (all in vectors that must fail) as
// the nearest doubles, as the tests would read the files themselves.
const paths = [...jsonFiles(testdata)]
  .map((path) => relative(testdata, path).split(sep).join('/'))
  .sort();
const bundle = Object.fromEntries(
  paths.map((path) => [path, JSON.parse(readFileSync(join(testdata, path), 'utf8'))]),
);
mkdirSync(target, { recursive: true });
writeFileSync(join(target, 'testdata.json.gz'), gzipSync(JSON.stringify(bundle), { level: 9 }));
writeFileSync(join(target, 'LICENSE'), readFileSync(join(source, 'LICENSE')));
process.stdout.write(
  `${paths.length} vectors → ${relative(process.cwd(), target)}/testdata.json.gz\n`,
);
