// Checkpoint text (C2SP tlog-checkpoint): formatting, reading and its errors, and one signed
// checkpoint checked with node:crypto alone, following the signed-note spec written out here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { CheckpointError, formatCheckpoint, parseCheckpoint } from './checkpoint.js';
import { treeRoot } from './merkle.js';
import { generateSignerKey, parseSignerKey, signNote } from './signed-note.js';

const root = Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64');

test("the C2SP example checkpoint's text reads back as origin, size and root", () => {
  const text =
    'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
  assert.deepEqual(parseCheckpoint(text), {
    origin: 'example.com/behind-the-sofa',
    treeSize: 20852163,
    rootHash: root,
    extensions: [],
  });
  assert.equal(
    formatCheckpoint({ origin: 'example.com/behind-the-sofa', treeSize: 20852163, rootHash: root }),
    text,
  );
});

test('extension lines and the empty tree round-trip', () => {
  const withExtensions = {
    origin: 'log.example/a',
    treeSize: 5,
    rootHash: root,
    extensions: ['x', 'y z'],
  };
  assert.deepEqual(parseCheckpoint(formatCheckpoint(withExtensions)), withExtensions);
  const empty = formatCheckpoint({ origin: 'log.example/a', treeSize: 0, rootHash: treeRoot([]) });
  assert.equal(empty, 'log.example/a\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n');
  assert.equal(parseCheckpoint(empty).treeSize, 0);
});

test('a malformed checkpoint text is refused with the line that is wrong', () => {
  const rootLine = root.toString('base64');
  const cases: [string, RegExp][] = [
    [`log\n5\n${rootLine}`, /must end with a newline/],
    ['log\n5\n', /at least three lines/],
    [`\n5\n${rootLine}\n`, /empty origin/],
    [`log\n05\n${rootLine}\n`, /'05' is not a decimal number without leading zeros/],
    [`log\n-1\n${rootLine}\n`, /'-1' is not a decimal number/],
    [`log\n5 \n${rootLine}\n`, /not a decimal number/],
    [`log\n99999999999999999999\n${rootLine}\n`, /larger than this log can hold/],
    [`log\n5\nAAAA\n`, /the root hash has 3 bytes/],
    [`log\n5\n${rootLine.replace('=', '')}\n`, /not standard base64/],
    [`log\n5\n${rootLine.replaceAll('/', '_')}\n`, /not standard base64/],
    [`log\n5\n${rootLine}\n\n`, /extension line 1 is empty/],
  ];
  for (const [text, message] of cases)
    assert.throws(() => parseCheckpoint(text), message, JSON.stringify(text));
  assert.throws(() => parseCheckpoint('log\n5\n'), CheckpointError);
  assert.throws(
    () => formatCheckpoint({ origin: 'two\nlines', treeSize: 1, rootHash: root }),
    /one non-empty line/,
  );
  assert.throws(
    () => formatCheckpoint({ origin: 'log', treeSize: 1.5, rootHash: root }),
    /whole number/,
  );
  assert.throws(
    () => formatCheckpoint({ origin: 'log', treeSize: 1, rootHash: root.subarray(1) }),
    /31 bytes/,
  );
});

// The one check that does not go through signed-note.ts: the spec's rules, written out here.
test('a checkpoint signed here verifies with node:crypto and the signed-note spec alone', () => {
  const pair = generateSignerKey('example.com/log');
  const note = signNote(
    formatCheckpoint({ origin: 'example.com/log', treeSize: 3, rootHash: root }),
    [parseSignerKey(pair.signerKey).signer],
  );

  // Verifier key: <name>+<hex key id>+<base64(0x01 || 32-byte Ed25519 public key)>; names hold
  // no '+', base64 may.
  const first = pair.verifierKey.indexOf('+');
  const second = pair.verifierKey.indexOf('+', first + 1);
  const name = pair.verifierKey.slice(0, first);
  const keyIdHex = pair.verifierKey.slice(first + 1, second);
  const keyBase64 = pair.verifierKey.slice(second + 1);
  assert.equal(name, 'example.com/log');
  const keyBytes = Buffer.from(keyBase64, 'base64');
  assert.equal(keyBytes.length, 33);
  assert.equal(keyBytes[0], 0x01);
  // Key id: the first four bytes of SHA-256(key name || 0x0A || 0x01 || public key).
  const keyId = createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), keyBytes]))
    .digest()
    .subarray(0, 4);
  assert.equal(keyId.toString('hex'), keyIdHex);

  // The text ends with a newline; the last blank line separates it from the signature lines.
  const split = note.lastIndexOf('\n\n');
  const textBytes = Buffer.from(note.slice(0, split + 1), 'utf8');
  const lines = note.slice(split + 2).split('\n');
  assert.deepEqual(lines.slice(1), ['']);
  // A signature line: U+2014 EM DASH, U+0020, key name, U+0020, base64(key id || signature).
  const prefix = `\u2014 ${name} `;
  assert.ok(lines[0].startsWith(prefix));
  const signature = Buffer.from(lines[0].slice(prefix.length), 'base64');
  assert.equal(signature.length, 4 + 64);
  assert.deepEqual(signature.subarray(0, 4), keyId);

  // Ed25519 over the text, final newline included; the public key as a SubjectPublicKeyInfo.
  const spki = Buffer.concat([
    Buffer.from('302a300506032b6570032100', 'hex'),
    keyBytes.subarray(1),
  ]);
  const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  assert.equal(verify(null, textBytes, publicKey, signature.subarray(4)), true);
  textBytes[textBytes.length - 2] ^= 1;
  assert.equal(verify(null, textBytes, publicKey, signature.subarray(4)), false);
});
