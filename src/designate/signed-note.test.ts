// Signed notes against the known answers of golang.org/x/mod/sumdb/note (note_test.go) and the
// C2SP signed-note example, malformed notes, wrong keys, and cosignatures, made here and real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { formatCheckpoint } from './checkpoint.js';
import {
  cosignCheckpoint,
  formatCosignerVerifierKey,
  formatVerifierKey,
  generateCosignerKey,
  generateSignerKey,
  NoteError,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  type NoteVerifier,
} from './signed-note.js';

// golang.org/x/mod sumdb/note/note_test.go (TestNewSigner, TestSign, TestOpen).
const peterSignerKey =
  'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const peterVerifierKey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const enochVerifierKey = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const text =
  'If you think cryptography is the answer to your problem,\n' +
  "then you don't know what your problem is.\n";
const peterLine =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const enochLine =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const peter = parseVerifierKey(peterVerifierKey);
const enoch = parseVerifierKey(enochVerifierKey);

test("signing sumdb/note's text with PeterNeumann's key gives its published signature, byte for byte", () => {
  const { signer, verifierKey } = parseSignerKey(peterSignerKey);
  assert.equal(verifierKey, peterVerifierKey);
  assert.equal(signer.keyId, 0xc74f20a3);
  assert.equal(signNote(text, [signer]), `${text}\n${peterLine}`);
  assert.equal(formatVerifierKey(signer.name, signer.publicKey), peterVerifierKey);
});

test('opening a note checks the known keys and lists the others (sumdb/note TestOpen)', () => {
  const note = `${text}\n${peterLine}${enochLine}`;
  const one = openNote(note, [peter]);
  assert.equal(one.text, text);
  assert.deepEqual(one.verified, [{ name: 'PeterNeumann', keyId: 0xc74f20a3 }]);
  assert.deepEqual(one.unverified, [{ name: 'EnochRoot', keyId: 0xaf0cfe78 }]);
  const both = openNote(note, [peter, enoch]);
  assert.deepEqual(
    both.verified.map((signature) => signature.name),
    ['PeterNeumann', 'EnochRoot'],
  );
  assert.deepEqual(both.unverified, []);
  // Repeats of a line are read once; the same key given twice is one key.
  const repeated = openNote(`${text}\n${peterLine}${peterLine}${enochLine}${enochLine}`, [
    peter,
    peter,
  ]);
  assert.equal(repeated.verified.length, 1);
  assert.equal(repeated.unverified.length, 1);
});

test('the C2SP signed-note example verifies with its verifier key', () => {
  const key = parseVerifierKey(
    'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
  );
  const note =
    'This is an example message.\n\n' +
    '— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
  assert.deepEqual(openNote(note, [key]).verified, [
    { name: 'example.com/foo', keyId: 0x530d903a },
  ]);
});

test('a mangled key text is refused (sumdb/note TestNewVerifier, TestNewSigner)', () => {
  for (const [good, parse] of [
    [peterVerifierKey, parseVerifierKey],
    [peterSignerKey, parseSignerKey],
  ] as const) {
    for (let from = 0; from < good.length; from += 1)
      for (let to = from + 1; to <= good.length; to += 1)
        if (from !== 0 || to !== good.length)
          assert.throws(() => parse(good.slice(from, to)), NoteError, good.slice(from, to));
    for (let at = 0; at < good.length; at += 1) {
      const bumped =
        good.slice(0, at) + String.fromCharCode(good.charCodeAt(at) + 1) + good.slice(at + 1);
      assert.throws(() => parse(bumped), NoteError, bumped);
    }
  }
  // A key of the wrong length and an unknown algorithm, each with a matching key id.
  assert.throws(
    () =>
      parseVerifierKey(
        'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
      ),
    /32 bytes/,
  );
  assert.throws(
    () => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    /0x01/,
  );
});

test('a malformed note is refused with what is wrong (sumdb/note TestOpen)', () => {
  const malformed: (string | Uint8Array)[] = [
    text,
    `${text}\n`,
    `${text}\n${peterLine.slice(0, -1)}`,
    `\u0001${text}\n${peterLine}`,
    Buffer.concat([Uint8Array.of(0xff), Buffer.from(`${text}\n${peterLine}`)]),
    `${text}\n— Bad Name ${peterLine.split(' ')[2]}`,
    `${text}\n${peterLine}Unexpected line.\n`,
    `${text}\n${peterLine.repeat(101)}`,
    `${text}\n— PeterNeumann AAAA\n`,
  ];
  for (const note of malformed)
    assert.throws(() => openNote(note, [peter]), NoteError, String(note));
  assert.throws(() => openNote(`${text}\n${peterLine.repeat(101)}`, [peter]), /at most 100/);
  assert.throws(
    () => openNote(`\u0001${text}\n${peterLine}`, [peter]),
    /control character U\+0001/,
  );
  assert.throws(
    () => signNote('no final newline', [parseSignerKey(peterSignerKey).signer]),
    NoteError,
  );
});

test('a signature that does not verify under its known key rejects the note', () => {
  const broken = `${text}\n${peterLine.slice(0, 60)}ABCD${peterLine.slice(60)}`;
  assert.throws(
    () => openNote(broken, [peter]),
    /the signature by PeterNeumann\+c74f20a3 does not verify/,
  );
  assert.throws(
    () => openNote(`${text.replace('problem,', 'problem;')}\n${peterLine}`, [peter]),
    NoteError,
  );
});

test('a note signed by no known key is refused, and so is an ambiguous key list', () => {
  const stranger = parseVerifierKey(generateSignerKey('PeterNeumann').verifierKey);
  assert.throws(
    () => openNote(`${text}\n${peterLine}`, [stranger]),
    /no known key signed this note \(it is signed by PeterNeumann\+c74f20a3\)/,
  );
  const impostor: NoteVerifier = { ...peter, publicKey: randomBytes(32) };
  assert.throws(
    () => openNote(`${text}\n${peterLine}`, [peter, impostor]),
    /two different verifier keys/,
  );
  assert.throws(() => generateSignerKey('has space'), NoteError);
  assert.throws(() => generateSignerKey('has+plus'), NoteError);
  assert.throws(() => generateSignerKey(''), NoteError);
});

test('generated keys sign notes that their verifier keys open', () => {
  const pair = generateSignerKey('example.com/log');
  const { signer, verifierKey } = parseSignerKey(pair.signerKey);
  assert.equal(verifierKey, pair.verifierKey);
  assert.match(pair.signerKey, /^PRIVATE\+KEY\+example\.com\/log\+[0-9a-f]{8}\+A/);
  const note = signNote('a\n\nb\n', [signer]);
  assert.equal(openNote(note, [parseVerifierKey(pair.verifierKey)]).text, 'a\n\nb\n');
});

// A checkpoint signed by a log, then cosigned by a witness (C2SP tlog-cosignature).
const logPair = generateSignerKey('example.com/log');
const log = parseSignerKey(logPair.signerKey).signer;
const witnessPair = generateCosignerKey('witness.example/w1');
const witness = parseSignerKey(witnessPair.signerKey).signer;
const witnessKey = parseVerifierKey(witnessPair.verifierKey);
const body = formatCheckpoint({
  origin: 'example.com/log',
  treeSize: 7,
  rootHash: Buffer.alloc(32, 9),
});
const signed = signNote(body, [log]);
/** The base64 of a note's last signature line, `— <name> <base64>`. */
const lastSignature = (note: string): string =>
  (note.trimEnd().split('\n').at(-1) ?? '').split(' ')[2];

test('a cosignature round trip reports its time; a newer one replaces it', () => {
  assert.equal(witnessKey.keyType, 'cosignature/v1');
  assert.equal(formatCosignerVerifierKey(witness.name, witness.publicKey), witnessPair.verifierKey);
  const cosigned = cosignCheckpoint(
    signed,
    witness,
    1679315147,
    parseVerifierKey(logPair.verifierKey),
  );
  const opened = openNote(cosigned, [parseVerifierKey(logPair.verifierKey), witnessKey]);
  assert.equal(opened.text, body);
  assert.deepEqual(opened.verified[1], {
    name: 'witness.example/w1',
    keyId: witness.keyId,
    timestamp: 1679315147,
  });
  // bytes: key id (4) || timestamp (8, big-endian) || Ed25519 signature (64)
  const line = Buffer.from(lastSignature(cosigned), 'base64');
  assert.equal(line.length, 76);
  assert.equal(line.readBigUInt64BE(4), 1679315147n);
  const again = cosignCheckpoint(cosigned, witness, 1679315200);
  assert.equal(again.split('— witness.example/w1 ').length, 2);
  assert.equal(openNote(again, [witnessKey]).verified[0].timestamp, 1679315200);
});

test('a tampered cosignature or cosigned checkpoint is refused', () => {
  const cosigned = cosignCheckpoint(signed, witness, 1679315147);
  const encoded = lastSignature(cosigned);
  const bytes = Buffer.from(encoded, 'base64');
  bytes[11] ^= 1; // the timestamp's last byte: the signature no longer covers it
  const tampered = cosigned.replace(encoded, bytes.toString('base64'));
  assert.throws(
    () => openNote(tampered, [witnessKey]),
    /the signature by witness\.example\/w1\+[0-9a-f]{8} does not verify/,
  );
  assert.throws(() => openNote(cosigned.replace('\n7\n', '\n8\n'), [witnessKey]), NoteError);
  // A plain signature by the cosigner's key, or a cosignature read as a plain one, fails too.
  const asPlain: NoteVerifier = { ...witnessKey, keyType: 'ed25519' };
  assert.throws(() => openNote(cosigned, [asPlain]), NoteError);
  assert.throws(() => signNote(body, [witness]), /cosigner key/);
  assert.throws(() => cosignCheckpoint(signed, log, 1), /not a cosigner key/);
  assert.throws(() => cosignCheckpoint(signed, witness, 1, witnessKey), /no known key signed/);
  assert.throws(
    () => cosignCheckpoint(signNote('not a checkpoint\n', [log]), witness, 1),
    /three lines/,
  );
});

// A real checkpoint of a Certificate Transparency staging log, with its log signature and five
// witnesses' cosignatures, as florolf/tlog-scales tests/test_signing.py records it.
test('a real cosigned checkpoint verifies under the log key and the remora.n621.de cosigner key', () => {
  const note = [
    'arche2025h1.staging.ct.transparency.dev',
    '1432088532',
    'U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=',
    '',
    '— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=',
    '— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=',
    '— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==',
    '— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==',
    '— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==',
    '— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==',
    '',
  ].join('\n');
  const keys = [
    'arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f',
    'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2',
  ].map(parseVerifierKey);
  const opened = openNote(note, keys);
  assert.deepEqual(opened.verified, [
    { name: 'arche2025h1.staging.ct.transparency.dev', keyId: 0xba2f06c0 },
    { name: 'remora.n621.de', keyId: 0xda77ade7, timestamp: 1779573024 },
  ]);
  assert.equal(opened.unverified.length, 4);
  assert.throws(() => openNote(note.replace('\n1432088532\n', '\n42\n'), [keys[1]]), NoteError);
});
