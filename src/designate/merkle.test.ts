// The Merkle tree against transparency-dev/merkle's proof vectors (bundled in fixtures/merkle,
// checked against ../shared when it is there), RFC 6962's reference tree, the subtree vectors of
// draft-ietf-plants-merkle-tree-certs, and every proof our provers make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { repositoryRoot, sharedDirectory } from '../test-support/paths.js';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  ProofError,
  subtreeConsistencyProof,
  subtreeInclusionProof,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from './merkle.js';

/** One vector file; each folder uses its own fields (hashes are base64, `proof` may be null). */
interface Vector {
  leafIdx: number;
  treeSize: number;
  start: number;
  end: number;
  size: number;
  size1: number;
  size2: number;
  root: string;
  root1: string;
  root2: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

const bundlePath = join(repositoryRoot, 'fixtures', 'merkle', 'testdata.json.gz');
const bundle = JSON.parse(gunzipSync(readFileSync(bundlePath)).toString('utf8')) as Record<
  string,
  Vector
>;

function check(path: string, vector: Vector): void {
  const bytes = (base64: string): Buffer => Buffer.from(base64, 'base64');
  const proof = (vector.proof ?? []).map(bytes);
  const { leafIdx, treeSize, start, end, size, size1, size2 } = vector;
  const folder = path.split('/')[0];
  if (folder === 'inclusion')
    verifyInclusion(bytes(vector.leafHash), leafIdx, treeSize, proof, bytes(vector.root));
  else if (folder === 'subtreeinclusion')
    verifySubtreeInclusion(bytes(vector.leafHash), leafIdx, start, end, proof, bytes(vector.root));
  else if (folder === 'consistency')
    verifyConsistency(size1, size2, proof, bytes(vector.root1), bytes(vector.root2));
  else if (folder === 'subtreeconsistency')
    verifySubtreeConsistency(start, end, size, proof, bytes(vector.root1), bytes(vector.root2));
  else throw new Error(`unknown vector folder '${folder}'`);
}

test('every transparency-dev/merkle vector is accepted or refused as it says', () => {
  const wrong: string[] = [];
  for (const [path, vector] of Object.entries(bundle)) {
    let error: unknown = null;
    try {
      check(path, vector);
    } catch (caught) {
      error = caught;
    }
    if (error !== null && !(error instanceof ProofError)) wrong.push(`${path}: threw ${error}`);
    else if ((error !== null) !== vector.wantErr)
      wrong.push(`${path} (${vector.desc}): ${error === null ? 'accepted' : String(error)}`);
  }
  assert.deepEqual(wrong, []);
  assert.equal(Object.keys(bundle).length, 518);
  assert.equal(Object.values(bundle).filter((vector) => !vector.wantErr).length, 36);
});

test('the bundle holds exactly the vectors in ../shared/data/merkle/testdata', (context) => {
  const shared = sharedDirectory();
  if (!shared) {
    context.skip('../shared is not beside this checkout');
    return;
  }
  const testdata = join(shared, 'data', 'merkle', 'testdata');
  const files = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(folder, entry.name)) : [join(folder, entry.name)],
    );
  const paths = files(testdata).map((path) => relative(testdata, path).split(sep).join('/'));
  assert.deepEqual(Object.keys(bundle), paths.sort(), 'rerun scripts/bundle-merkle-vectors.mjs');
  for (const path of paths)
    assert.deepEqual(bundle[path], JSON.parse(readFileSync(join(testdata, path), 'utf8')), path);
});

test("the roots of Certificate Transparency's reference tree (transparency-dev/merkle testonly)", () => {
  const entries = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657'];
  entries.push('606162636465666768696a6b6c6d6e6f');
  const leaves = entries.map((entry) => leafHash(Buffer.from(entry, 'hex')));
  const roots = [
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];
  roots.forEach((root, size) =>
    assert.equal(treeRoot(leaves.slice(0, size)).toString('hex'), root),
  );
  // The second leaf and the first inner node, from the same file's NodeHashes.
  assert.equal(
    leaves[1].toString('hex'),
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  );
  assert.equal(nodeHash(leaves[0], leaves[1]).toString('hex'), roots[2]);
});

// Trees of entries "entry 0", "entry 1", ...: every proof the provers make must verify, and
// must stop verifying when any byte of any of its hashes changes.
const leaves = Array.from({ length: 70 }, (_, index) => leafHash(Buffer.from(`entry ${index}`)));
const roots = Array.from({ length: 71 }, (_, size) => treeRoot(leaves.slice(0, size)));

function assertTight(proof: Buffer[], verify: (proof: Buffer[]) => void, what: string): void {
  verify(proof);
  proof.forEach((_, position) => {
    const flipped = proof.map((hash) => Buffer.from(hash));
    flipped[position][position % 32] ^= 0x40;
    assert.throws(() => verify(flipped), ProofError, `${what}: hash ${position} changed`);
  });
  if (proof.length > 0)
    assert.throws(() => verify(proof.slice(1)), ProofError, `${what}: a hash dropped`);
}

test('inclusion proofs verify for every entry of trees of 1 to 70 entries, and only unchanged', () => {
  for (let size = 1; size <= 70; size += 1)
    for (let index = 0; index < size; index += 1)
      assertTight(
        inclusionProof(leaves, index, size),
        (proof) => verifyInclusion(leaves[index], index, size, proof, roots[size]),
        `entry ${index} of ${size}`,
      );
});

test('consistency proofs verify for every pair of sizes up to 70, and only unchanged', () => {
  for (let size2 = 1; size2 <= 70; size2 += 1)
    for (let size1 = 1; size1 <= size2; size1 += 1) {
      const proof = consistencyProof(leaves, size1, size2);
      const what = `${size1} to ${size2}`;
      assertTight(
        proof,
        (hashes) => verifyConsistency(size1, size2, hashes, roots[size1], roots[size2]),
        what,
      );
      if (size1 < size2)
        assert.throws(
          () => verifyConsistency(size1, size2, proof, roots[size1 - 1], roots[size2]),
          ProofError,
        );
    }
});

/** [start, end) is a subtree when start is a multiple of the power of two at or above its size. */
function isSubtree(start: number, end: number): boolean {
  let width = 1;
  while (width < end - start) width *= 2;
  return start === 0 || start === end || start % width === 0;
}

test('subtree proofs verify for every subtree of trees of up to 40 entries, and only unchanged', () => {
  for (let size = 1; size <= 40; size += 1)
    for (let end = 1; end <= size; end += 1)
      for (let start = 0; start < end; start += 1) {
        if (!isSubtree(start, end)) continue;
        const subtreeRoot = treeRoot(leaves.slice(start, end));
        if (end === size)
          for (let index = start; index < end; index += 1)
            assertTight(
              subtreeInclusionProof(leaves, index, start, end),
              (proof) =>
                verifySubtreeInclusion(leaves[index], index, start, end, proof, subtreeRoot),
              `entry ${index} of [${start}, ${end})`,
            );
        const proof = subtreeConsistencyProof(leaves, start, end, size);
        assertTight(
          proof,
          (hashes) => verifySubtreeConsistency(start, end, size, hashes, subtreeRoot, roots[size]),
          `[${start}, ${end}) in ${size}`,
        );
        // The proof must also tie it to the subtree's own root, not only to the tree's.
        const otherRoot = nodeHash(subtreeRoot, subtreeRoot);
        assert.throws(
          () => verifySubtreeConsistency(start, end, size, proof, otherRoot, roots[size]),
          ProofError,
        );
      }
  assert.throws(
    () => subtreeInclusionProof(leaves, 3, 3, 5),
    /not a subtree: its start must be a multiple of 2/,
  );
});

// draft-ietf-plants-merkle-tree-certs, "Subtree Test Vectors", as transparency-dev/merkle's
// testonly/vectors_test.go folds them: over the tree of entries 0x00, 0x01, ... 0x81, every valid
// subtree [start, end) of every tree size up to 130 goes into one running SHA-256.
const entries = Array.from({ length: 130 }, (_, index) => leafHash(Uint8Array.of(index)));
const hex = (proof: Buffer[]): string => proof.map((hash) => ` ${hash.toString('hex')}`).join('');

function foldSubtrees(line: (start: number, end: number, size: number) => string): string {
  const running = createHash('sha256');
  for (let size = 0; size <= 130; size += 1)
    for (let end = 0; end <= size; end += 1)
      for (let start = 0; start <= end; start += 1)
        if (isSubtree(start, end)) running.update(line(start, end, size));
  return running.digest('hex');
}

test('subtree hashes: the draft-ietf-plants-merkle-tree-certs vector', () => {
  const digest = foldSubtrees((start, end, size) =>
    end === size
      ? `[${start}, ${end}) ${treeRoot(entries.slice(start, end)).toString('hex')}\n`
      : '',
  );
  assert.equal(digest, 'b82806ad4265bb151c1119c0f4db437bb4d1a1f887b3a7fba1cd4ebf552e3e81');
});

test('subtree inclusion proofs: the draft-ietf-plants-merkle-tree-certs vector', () => {
  const digest = foldSubtrees((start, end, size) => {
    if (end !== size) return '';
    const lines: string[] = [];
    for (let index = start; index < end; index += 1)
      lines.push(
        `${index} [${start}, ${end})${hex(subtreeInclusionProof(entries, index, start, end))}\n`,
      );
    return lines.join('');
  });
  assert.equal(digest, 'ac2a8f989e44d99e399db448050ff5f19757df53cfb716aa81015d3955d8163f');
});

test('subtree consistency proofs: the draft-ietf-plants-merkle-tree-certs vector', () => {
  const digest = foldSubtrees(
    (start, end, size) =>
      `[${start}, ${end}) ${size}${hex(subtreeConsistencyProof(entries, start, end, size))}\n`,
  );
  assert.equal(digest, '10fa99b37bf9bf9ffa26b412fbd98bd75363256d0b75d61bc4538b9c9c5a0a74');
});

test('a failed proof says in words what did not hold', () => {
  const proof = inclusionProof(leaves, 3, 5);
  assert.throws(
    () => verifyInclusion(leaves[3], 3, 5, proof, roots[4]),
    /^ProofError: the inclusion proof for entry 3 in a tree of 5 does not lead to the checkpoint's root$/,
  );
  assert.throws(
    () => verifyInclusion(leaves[3], 3, 5, proof.slice(1), roots[5]),
    /the proof has 2 hashes; a tree of size 5 needs 3/,
  );
  assert.throws(
    () => verifyInclusion(leaves[3], 5, 5, proof, roots[5]),
    /entry 5 is not in a tree of size 5/,
  );
  assert.throws(() => verifyConsistency(6, 5, [], roots[6], roots[5]), /a log only grows/);
  assert.throws(() => verifyConsistency(5, 5, [], roots[5], roots[4]), /the log forked/);
  assert.throws(
    () => verifyConsistency(3, 7, consistencyProof(leaves, 3, 7), roots[3], roots[6]),
    /does not lead to the root of the tree of size 7/,
  );
  assert.throws(
    () => verifyInclusion(leaves[0], 2 ** 64, 2 ** 64 + 1, [], roots[1]),
    /not a whole number/,
  );
});

test('leaf and node hashes are separated by their first byte (RFC 6962 §2.1)', () => {
  const sha256 = (...parts: Uint8Array[]): string =>
    createHash('sha256').update(Buffer.concat(parts)).digest('hex');
  assert.equal(treeRoot([]).toString('hex'), sha256());
  assert.equal(
    leafHash(Buffer.from('abc')).toString('hex'),
    sha256(Uint8Array.of(0), Buffer.from('abc')),
  );
  assert.equal(
    nodeHash(leaves[0], leaves[1]).toString('hex'),
    sha256(Uint8Array.of(1), leaves[0], leaves[1]),
  );
});
