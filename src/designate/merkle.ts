// The log's Merkle tree: RFC 6962 §2.1 hashing and proofs, checked as RFC 9162 §2.1.3.2 and
// §2.1.4.2 say, and the subtree proofs of draft-ietf-plants-merkle-tree-certs §4.
import { createHash } from 'node:crypto';
import { DistillGuardError } from '../core/index.js';

type Hash = Uint8Array;
type Hashes = readonly Uint8Array[];

const hashSize = 32;
const emptyRoot = createHash('sha256').digest();

/** A proof, or the sizes and indices it is for, does not hold; the message says which part. */
export class ProofError extends DistillGuardError {
  constructor(message: string) {
    super('input_invalid', message);
    this.name = 'ProofError';
  }
}

/** The hash of one log entry: SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Buffer {
  return createHash('sha256').update(Uint8Array.of(0)).update(entry).digest();
}

/** The hash of an inner node: SHA-256(0x01 || left || right). */
export function nodeHash(left: Hash, right: Hash): Buffer {
  return createHash('sha256').update(Uint8Array.of(1)).update(left).update(right).digest();
}

/** MTH over the leaf hashes; the empty tree's root is SHA-256 of nothing. */
export function treeRoot(leafHashes: Hashes): Buffer {
  return rangeRoot(leafHashes, 0, leafHashes.length);
}

/** RFC 6962 PATH: the inclusion proof of entry `index` in the tree of the first treeSize leaves. */
export function inclusionProof(leafHashes: Hashes, index: number, treeSize: number): Buffer[] {
  return subtreeInclusionProof(leafHashes, index, 0, treeSize);
}

/** The inclusion proof of entry `index` in the subtree [start, end). */
export function subtreeInclusionProof(
  leafHashes: Hashes,
  index: number,
  start: number,
  end: number,
): Buffer[] {
  requireLeaves(leafHashes, end);
  requireSubtree(start, end);
  if (!Number.isInteger(index) || index < start || index >= end)
    fail(`entry ${index} is not in [${start}, ${end})`);
  return path(leafHashes, index, start, end);
}

/** RFC 6962 PROOF: the consistency proof from the tree of size1 leaves to the tree of size2. */
export function consistencyProof(leafHashes: Hashes, size1: number, size2: number): Buffer[] {
  if (!(size1 > 0 && size1 <= size2))
    fail(`no consistency proof runs from size ${size1} to ${size2}`);
  return subtreeConsistencyProof(leafHashes, 0, size1, size2);
}

/** The proof that the subtree [start, end) is part of the tree of the first `treeSize` leaves. */
export function subtreeConsistencyProof(
  leafHashes: Hashes,
  start: number,
  end: number,
  treeSize: number,
): Buffer[] {
  requireLeaves(leafHashes, treeSize);
  requireSubtree(start, end);
  if (end > treeSize) fail(`the subtree [${start}, ${end}) ends past a tree of size ${treeSize}`);
  return start === end ? [] : subproof(leafHashes, start, end, treeSize);
}

/**
 * Checks that `proof` leads from `leaf`, the leaf hash of entry `index`, to `root`, the root of the
 * tree of `treeSize` entries (RFC 9162 §2.1.3.2).
 * @example verifyInclusion(leafHash(entry), 3, checkpoint.treeSize, proof, checkpoint.rootHash)
 */
export function verifyInclusion(
  leaf: Hash,
  index: number,
  treeSize: number,
  proof: Hashes,
  root: Hash,
): void {
  requireWhole({ 'the entry index': index, 'the tree size': treeSize });
  if (!same(rootFromInclusion(index, treeSize, leaf, proof), root))
    fail(
      `the inclusion proof for entry ${index} in a tree of ${treeSize} does not lead to the checkpoint's root`,
    );
}

/** Checks the inclusion of entry `index` in the subtree [start, end) with root `subtreeRoot`. */
export function verifySubtreeInclusion(
  leaf: Hash,
  index: number,
  start: number,
  end: number,
  proof: Hashes,
  subtreeRoot: Hash,
): void {
  requireWhole({ 'the entry index': index, 'the subtree start': start, 'the subtree end': end });
  requireSubtree(start, end);
  if (index < start || index >= end)
    fail(`entry ${index} is not in the subtree [${start}, ${end})`);
  if (!same(rootFromInclusion(index - start, end - start, leaf, proof), subtreeRoot))
    fail(
      `the inclusion proof for entry ${index} in [${start}, ${end}) does not lead to the subtree's root`,
    );
}

/**
 * Checks that the tree of size2 with `root2` extends the tree of size1 with `root1`: RFC 9162
 * §2.1.4.2, as the subtree check below with the subtree [0, size1).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: Hashes,
  root1: Hash,
  root2: Hash,
): void {
  requireWhole({ 'the first tree size': size1, 'the second tree size': size2 });
  if (size1 > size2)
    fail(`the first tree (size ${size1}) is larger than the second (${size2}); a log only grows`);
  if (size1 === 0)
    fail('a consistency proof from the empty tree proves nothing; check the first size');
  if (size1 === size2 && !same(root1, root2))
    fail(`two trees of size ${size1} have different roots: the log forked`);
  checkConsistency(0, size1, size2, proof, root1, root2, `the tree of size ${size1}`);
}

/**
 * Checks that the subtree [start, end) with `subtreeRoot` is part of the tree of `treeSize` with
 * `root`, as transparency-dev/merkle's VerifySubtreeConsistency does. An empty subtree is part of
 * every tree, so for it only the empty proof and the empty root are checked.
 */
export function verifySubtreeConsistency(
  start: number,
  end: number,
  treeSize: number,
  proof: Hashes,
  subtreeRoot: Hash,
  root: Hash,
): void {
  requireWhole({ 'the subtree start': start, 'the subtree end': end, 'the tree size': treeSize });
  requireSubtree(start, end);
  checkConsistency(
    start,
    end,
    treeSize,
    proof,
    subtreeRoot,
    root,
    `the subtree [${start}, ${end})`,
  );
}

function checkConsistency(
  start: number,
  end: number,
  size: number,
  proof: Hashes,
  subtreeRoot: Hash,
  root: Hash,
  subtree: string,
): void {
  if (end > size) fail(`${subtree} ends past a tree of size ${size}`);
  const needs = `a proof that ${subtree} is in a tree of size ${size}`;
  const mismatch = `the consistency proof for ${subtree} does not lead to the root of the tree of size ${size}`;
  if (start === end || (start === 0 && end === size)) {
    requireHashes(proof, 0, needs);
    if (!same(start === end ? emptyRoot : root, subtreeRoot))
      fail(`${subtree} has the wrong root for its size`);
    return;
  }
  if (end === size) {
    // The subtree is a node on the tree's right border: its left siblings lead to the root.
    requireHashes(proof, popCount(down(start, bitLength(xor(end - 1, start)))), needs);
    if (!same(chainLeft(Buffer.from(subtreeRoot), proof), root)) fail(mismatch);
    return;
  }
  // The proof climbs from the largest perfect subtree that ends at `end`. A perfect subtree is
  // that node itself, so the proof leaves it out; otherwise it comes first.
  const level = trailingZeros(end - start);
  const perfect = end - start === 2 ** level;
  const [fork, border] = inclusionShape(end - 1, size);
  const inner = fork - level;
  requireHashes(proof, (perfect ? 0 : 1) + inner + border, needs);
  const seed = Buffer.from(perfect ? subtreeRoot : proof[0]);
  const rest = perfect ? proof : proof.slice(1);
  const position = down(end - 1, level);
  if (!perfect) {
    // The subtree's own root takes the left siblings below its height and the border siblings
    // that lie inside it.
    const height = bitLength(xor(end - 1, start));
    const innerInside = rest.slice(0, Math.min(height, fork) - level);
    const borderInside = Math.max(0, border - popCount(down(end - 1, height)));
    const leftInside = innerInside.filter((_, step) => down(position, step) % 2 === 1);
    const rebuilt = chainLeft(chainLeft(seed, leftInside), rest.slice(inner, inner + borderInside));
    if (!same(rebuilt, subtreeRoot))
      fail(`the consistency proof does not rebuild the root of ${subtree}`);
  }
  if (!same(chainLeft(chainInner(seed, rest.slice(0, inner), position), rest.slice(inner)), root))
    fail(mismatch);
}

/** RFC 9162 §2.1.3.2, with the proof's length checked first so that a short proof says so. */
function rootFromInclusion(index: number, size: number, leaf: Hash, proof: Hashes): Buffer {
  if (index >= size) fail(`entry ${index} is not in a tree of size ${size}`);
  if (leaf.length !== hashSize)
    fail(`the leaf hash has ${leaf.length} bytes; SHA-256 gives ${hashSize}`);
  const [inner, border] = inclusionShape(index, size);
  requireHashes(proof, inner + border, `a tree of size ${size}`);
  return chainLeft(chainInner(Buffer.from(leaf), proof.slice(0, inner), index), proof.slice(inner));
}

/**
 * How many siblings an inclusion path has below the level where the paths to `index` and to the
 * last leaf part (on either side), and above it (only on the left).
 */
function inclusionShape(index: number, size: number): [inner: number, border: number] {
  const inner = bitLength(xor(index, size - 1));
  return [inner, popCount(down(index, inner))];
}

function chainInner(seed: Buffer, siblings: Hashes, position: number): Buffer {
  return siblings.reduce<Buffer>(
    (hash, sibling, step) =>
      down(position, step) % 2 === 0 ? nodeHash(hash, sibling) : nodeHash(sibling, hash),
    seed,
  );
}

function chainLeft(seed: Buffer, leftSiblings: Hashes): Buffer {
  return leftSiblings.reduce<Buffer>((hash, sibling) => nodeHash(sibling, hash), seed);
}

/** MTH of leaves [begin, end). */
function rangeRoot(leaves: Hashes, begin: number, end: number): Buffer {
  if (end - begin < 2) return Buffer.from(end === begin ? emptyRoot : leaves[begin]);
  const split = begin + largestPowerOfTwoBelow(end - begin);
  return nodeHash(rangeRoot(leaves, begin, split), rangeRoot(leaves, split, end));
}

/** RFC 6962 PATH over leaves [begin, end), lowest level first. */
function path(leaves: Hashes, index: number, begin: number, end: number): Buffer[] {
  const siblings: Buffer[] = [];
  while (end - begin > 1) {
    const split = begin + largestPowerOfTwoBelow(end - begin);
    siblings.push(index < split ? rangeRoot(leaves, split, end) : rangeRoot(leaves, begin, split));
    if (index < split) end = split;
    else begin = split;
  }
  return siblings.reverse();
}

/** RFC 6962 SUBPROOF, widened from [0, m) to any subtree [start, end), lowest level first. */
function subproof(leaves: Hashes, start: number, end: number, size: number): Buffer[] {
  const nodes: Buffer[] = [];
  let [begin, stop, known] = [0, size, true];
  while (start !== begin || end !== stop) {
    const split = begin + largestPowerOfTwoBelow(stop - begin);
    nodes.push(end <= split ? rangeRoot(leaves, split, stop) : rangeRoot(leaves, begin, split));
    if (end <= split) stop = split;
    // A valid subtree that straddles the split starts at `begin`; what lies right of it is new.
    else [begin, start, known] = [split, Math.max(start, split), known && start >= split];
  }
  if (!known) nodes.push(rangeRoot(leaves, begin, stop));
  return nodes.reverse();
}

/** [start, end) is a subtree, one node of some tree, when start is a multiple of the smallest
 * power of two at or above end - start. */
function requireSubtree(start: number, end: number): void {
  if (start > end) fail(`the subtree [${start}, ${end}) starts after it ends`);
  const width = end - start <= 1 ? 1 : 2 ** bitLength(end - start - 1);
  if (start !== end && start % width !== 0)
    fail(`[${start}, ${end}) is not a subtree: its start must be a multiple of ${width}`);
}

function requireHashes(proof: Hashes, wanted: number, what: string): void {
  if (proof.length !== wanted)
    fail(`the proof has ${proof.length} hashes; ${what} needs ${wanted}`);
  const odd = proof.findIndex((node) => node.length !== hashSize);
  if (odd >= 0)
    fail(`hash ${odd} of the proof has ${proof[odd].length} bytes; SHA-256 gives ${hashSize}`);
}

function requireLeaves(leafHashes: Hashes, size: number): void {
  requireWhole({ 'the tree size': size });
  if (size > leafHashes.length)
    fail(`a tree of size ${size} needs as many leaves; ${leafHashes.length} were given`);
}

/** Sizes and indices are whole numbers below 2^53; the bit helpers below rely on it. */
function requireWhole(values: Record<string, number>): void {
  for (const [what, value] of Object.entries(values))
    if (!Number.isSafeInteger(value) || value < 0)
      fail(`${what} (${value}) is not a whole number this log can reach`);
}

function largestPowerOfTwoBelow(size: number): number {
  return 2 ** (bitLength(size - 1) - 1);
}

function fail(message: string): never {
  throw new ProofError(message);
}

// Bit arithmetic on whole numbers of up to 53 bits (JavaScript's bitwise operators stop at 32).
const same = (left: Hash, right: Hash): boolean => Buffer.compare(left, right) === 0;
const xor = (left: number, right: number): number => Number(BigInt(left) ^ BigInt(right));
const down = (value: number, levels: number): number => Math.floor(value / 2 ** levels);
const bitLength = (value: number): number => (value === 0 ? 0 : value.toString(2).length);
const popCount = (value: number): number => value.toString(2).replaceAll('0', '').length;
const trailingZeros = (value: number): number =>
  value.toString(2).length - 1 - value.toString(2).lastIndexOf('1');
