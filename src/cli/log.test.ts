// `distillguard log` as an operator and a partner use it: the checkpoint checked by a verifier
// written here from the C2SP and RFC 6962 texts alone; every kind of tampering with a copy of the
// store (a changed entry, a changed entry with its leaf hash, a removed entry, history rewritten and
// re-signed with the log's own key) caught with a message that says where; cosignatures by a
// witness; inclusion proofs a partner checks with the log's public key alone.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli, type CliResult } from '../test-support/run-cli.js';

const folder = temporaryDirectory('dg-log-');
const db = join(folder, 'provider.db');
const otherDb = join(folder, 'other.db');
const saved = join(folder, 'saved.txt');
/** The log's verifier key (`log public-key`). */
let publicKey: string;
let origin: string;
/** Another provider's log key, which must not be trusted in its place. */
let otherKey: string;
/** The size of the checkpoint saved after the first three users. */
let savedSize: number;

async function ok(args: string[]): Promise<CliResult> {
  const said = await runCli(args);
  assert.equal(said.code, 0, `${args.join(' ')}\n${said.stdout}\n${said.stderr}`);
  return said;
}

async function addUser(database: string, name: string, role: string, by: string | null) {
  const as = by ? ['--as', by, '--token-file', join(folder, `${by}.token`)] : [];
  const said = await ok(['users', 'add', name, '--role', role, ...as, '--db', database]);
  const token = /token \(shown once[^:]*\): (\S+)/.exec(said.stdout + said.stderr)?.[1];
  assert.ok(token, said.stdout);
  writeFileSync(join(folder, `${name}.token`), `${token}\n`, { mode: 0o600 });
}

function logEntries(database: string): Buffer[] {
  const connection = new Database(database, { readonly: true });
  try {
    const rows = connection.prepare('SELECT idx, entry FROM log_entries ORDER BY idx').all() as {
      idx: number;
      entry: Buffer;
    }[];
    return rows.map((row) => row.entry);
  } finally {
    connection.close();
  }
}

/** A copy of the store (with its signing key and key-hash secret beside it) to tamper with. */
async function copyOfStore(name: string): Promise<string> {
  const copy = join(folder, `${name}.db`);
  const source = new Database(db, { readonly: true });
  try {
    await source.backup(copy);
  } finally {
    source.close();
  }
  for (const suffix of ['.log-key', '.key-hash-secret']) copyFileSync(db + suffix, copy + suffix);
  return copy;
}

function tamper(database: string, work: (connection: Database.Database) => void): void {
  const connection = new Database(database);
  try {
    work(connection);
  } finally {
    connection.close();
  }
}

function entryAt(connection: Database.Database, index: number): Buffer {
  const row = connection.prepare('SELECT entry FROM log_entries WHERE idx = ?').get(index) as {
    entry: Buffer;
  };
  return Buffer.from(row.entry);
}

// An independent reading of the specifications, sharing no code with the product:
// RFC 6962 §2.1 (Merkle tree hash), c2sp.org/signed-note, c2sp.org/tlog-checkpoint.

const sha256 = (...parts: Uint8Array[]): Buffer =>
  createHash('sha256').update(Buffer.concat(parts)).digest();

/** RFC 6962: leaf = SHA-256(0x00 || entry). */
const leafOf = (entry: Uint8Array): Buffer => sha256(Buffer.of(0), entry);

/** RFC 6962 MTH: split at the largest power of two smaller than n; node = SHA-256(0x01||l||r). */
function merkleRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0];
  let split = 1;
  while (split * 2 < leaves.length) split *= 2;
  const left = merkleRoot(leaves.slice(0, split));
  const right = merkleRoot(leaves.slice(split));
  return sha256(Buffer.of(1), left, right);
}

/** signed-note verifier key: name+hex(key id)+base64(0x01 || 32-byte Ed25519 key). */
function readVerifierKey(text: string): { name: string; keyId: Buffer; key: Buffer } {
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text);
  assert.ok(match, `'${text}' reads name+8 hex digits+base64`);
  const [, name, hexId, encoded] = match;
  const material = Buffer.from(encoded, 'base64');
  assert.equal(material.length, 33, 'type byte and a 32-byte key');
  assert.equal(material[0], 0x01, 'an Ed25519 key (type 0x01)');
  const keyId = sha256(Buffer.from(`${name}\n`, 'utf8'), material).subarray(0, 4);
  assert.equal(keyId.toString('hex'), hexId, 'the key id is SHA-256(name || 0x0A || 0x01 || key)');
  return { name, keyId, key: material.subarray(1) };
}

/** The note's text if a signature line by `verifierKey` verifies over it, else null. */
function openSignedNote(note: string, verifierKey: string): string | null {
  const { name, keyId, key } = readVerifierKey(verifierKey);
  const split = note.lastIndexOf('\n\n');
  assert.ok(split > 0, 'a blank line separates the text from the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  assert.ok(block.endsWith('\n'), 'every signature line ends with a newline');
  const publicKeyObject = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: key.toString('base64url') },
    format: 'jwk',
  });
  for (const line of block.slice(0, -1).split('\n')) {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/.exec(line);
    assert.ok(match, `'${line}' is a signature line '— <name> <base64>'`);
    const bytes = Buffer.from(match[2], 'base64');
    if (match[1] !== name || !bytes.subarray(0, 4).equals(keyId)) continue;
    assert.equal(bytes.length, 4 + 64, 'key id and an Ed25519 signature');
    if (verify(null, Buffer.from(text, 'utf8'), publicKeyObject, bytes.subarray(4))) return text;
  }
  return null;
}

/** tlog-checkpoint body: origin, decimal tree size, base64 root of 32 bytes. */
function readCheckpointBody(text: string): { origin: string; size: number; root: Buffer } {
  assert.ok(text.endsWith('\n'));
  const [originLine, sizeLine, rootLine] = text.slice(0, -1).split('\n');
  assert.match(sizeLine, /^(0|[1-9][0-9]*)$/, 'the tree size is decimal, no leading zeros');
  const root = Buffer.from(rootLine, 'base64');
  assert.equal(root.toString('base64'), rootLine, 'the root is standard base64');
  assert.equal(root.length, 32, 'the root is a SHA-256 hash');
  return { origin: originLine, size: Number(sizeLine), root };
}

before(async () => {
  await addUser(db, 'root', 'admin', null);
  await addUser(db, 'alice', 'analyst', 'root');
  await addUser(db, 'bob', 'reviewer', 'root');
  const written = await ok(['log', 'checkpoint', '--out', saved, '--db', db]);
  savedSize = logEntries(db).length;
  assert.match(written.stderr, new RegExp(`checkpoint of ${savedSize} entries written to`));
  await addUser(db, 'carol', 'reviewer', 'root');
  await addUser(db, 'lee', 'liaison', 'root');
  await addUser(db, 'vic', 'viewer', 'root');
  publicKey = (await ok(['log', 'public-key', '--db', db])).stdout.trim();
  origin = publicKey.split('+')[0];
  await addUser(otherDb, 'root', 'admin', null);
  otherKey = (await ok(['log', 'public-key', '--db', otherDb])).stdout.trim();
});

/**
 * An insider's rewrite: entry 1 says eve where it said alice, every leaf hash recomputed, the
 * store's checkpoints deleted (the key and its head file are left to the caller).
 */
function rewriteHistory(database: string): void {
  tamper(database, (connection) => {
    const entry = entryAt(connection, 1).toString('utf8');
    assert.match(entry, /"user":"alice"/);
    connection
      .prepare('UPDATE log_entries SET entry = ? WHERE idx = 1')
      .run(Buffer.from(entry.replace('"user":"alice"', '"user":"eve"'), 'utf8'));
    const rows = connection.prepare('SELECT idx, entry FROM log_entries').all() as {
      idx: number;
      entry: Buffer;
    }[];
    const rehash = connection.prepare('UPDATE log_entries SET leaf_hash = ? WHERE idx = ?');
    for (const row of rows) rehash.run(leafOf(row.entry), row.idx);
    connection.prepare('DELETE FROM log_checkpoints').run();
  });
}

test('log public-key and log checkpoint: an independent C2SP verifier checks the signature, the body and the RFC 6962 root of the entries', async () => {
  const said = await ok(['log', 'public-key', '--db', db]);
  assert.match(said.stdout, /^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*\n$/);
  const settings = new Database(db, { readonly: true });
  const recorded = settings
    .prepare("SELECT value FROM settings WHERE name = 'log_verifier_key'")
    .get() as { value: string };
  settings.close();
  assert.equal(recorded.value, publicKey, 'the key the store recorded is the one printed');

  const out = join(folder, 'latest.txt');
  const written = await ok(['log', 'checkpoint', '--out', out, '--db', db]);
  const entries = logEntries(db);
  assert.equal(entries.length, 6, 'one log entry per user added');
  assert.match(written.stderr, new RegExp(`checkpoint of ${entries.length} entries written to`));
  const note = readFileSync(out, 'utf8');

  const text = openSignedNote(note, publicKey);
  assert.ok(text, "the checkpoint carries a valid signature by the log's key");
  const body = readCheckpointBody(text);
  assert.equal(body.origin, readVerifierKey(publicKey).name, 'the origin is the key name');
  assert.equal(body.size, entries.length);
  assert.deepEqual(body.root, merkleRoot(entries.map(leafOf)), 'the root of the stored entries');

  // the verifier is not blind: one changed character of the text and the signature fails
  const forged = note.replace(`\n${body.size}\n`, `\n${body.size + 1}\n`);
  assert.notEqual(forged, note);
  assert.equal(openSignedNote(forged, publicKey), null);

  // every checkpoint the store signed along the way holds for the entries it covers
  const stored = new Database(db, { readonly: true });
  const rows = stored.prepare('SELECT tree_size, note FROM log_checkpoints').all() as {
    tree_size: number;
    note: string;
  }[];
  stored.close();
  assert.equal(rows.length, 6, 'a checkpoint per command');
  for (const row of rows) {
    const signed = openSignedNote(row.note, publicKey);
    assert.ok(signed, `stored checkpoint ${row.tree_size} is signed`);
    const storedBody = readCheckpointBody(signed);
    assert.equal(storedBody.size, row.tree_size);
    assert.deepEqual(storedBody.root, merkleRoot(entries.slice(0, row.tree_size).map(leafOf)));
  }
});

test('log verify: an untouched log and a saved checkpoint of it verify', async () => {
  const said = await ok(['log', 'verify', '--db', db]);
  assert.match(said.stdout, /^ok: 6 entries, 6 stored checkpoint\(s\) verified\n$/);
  const held = await ok(['log', 'verify', '--checkpoint', saved, '--db', db]);
  assert.match(
    held.stdout,
    new RegExp(`saved checkpoint of ${savedSize} entries holds \\(signed by ${origin}\\)`),
  );
});

test('log verify: a changed entry is named', async () => {
  const copy = await copyOfStore('flipped');
  tamper(copy, (connection) => {
    const entry = entryAt(connection, 2);
    entry[20] ^= 0x01;
    connection.prepare('UPDATE log_entries SET entry = ? WHERE idx = 2').run(entry);
  });
  const said = await runCli(['log', 'verify', '--db', copy]);
  assert.equal(said.code, 2, said.stdout);
  assert.match(
    said.stdout,
    /FAIL entry 2: its content no longer hashes to its recorded leaf .*; it was changed after it was written/,
  );
  assert.doesNotMatch(said.stdout, /FAIL entry [013-9]:/, 'only entry 2 is named');
  assert.match(said.stderr, /the log does not verify: \d+ problem\(s\) above \(6 entries/);
});

test('log verify: an entry changed with its leaf hash rewritten is caught by the signed checkpoints, which name where', async () => {
  const copy = await copyOfStore('rehashed');
  tamper(copy, (connection) => {
    const entry = entryAt(connection, 2);
    entry[20] ^= 0x01;
    connection
      .prepare('UPDATE log_entries SET entry = ?, leaf_hash = ? WHERE idx = 2')
      .run(entry, leafOf(entry));
  });
  const said = await runCli(['log', 'verify', '--db', copy]);
  assert.equal(said.code, 2, said.stdout);
  assert.doesNotMatch(
    said.stdout,
    /no longer hashes to its recorded leaf/,
    'the leaf is consistent',
  );
  assert.match(
    said.stdout,
    /FAIL stored checkpoint of size 3 \(signed [^)]+\) does not match the log/,
  );
  assert.doesNotMatch(said.stdout, /stored checkpoint of size [12] /, 'earlier checkpoints hold');
  assert.match(
    said.stdout,
    /FAIL entry 2 was changed: the checkpoint of size 2 still holds, the one of size 3 does not/,
  );
});

test('log verify: a removed entry, in the middle or at the end, is reported as missing', async () => {
  const middle = await copyOfStore('removed-middle');
  tamper(middle, (connection) => connection.prepare('DELETE FROM log_entries WHERE idx = 2').run());
  const gap = await runCli(['log', 'verify', '--db', middle]);
  assert.equal(gap.code, 2, gap.stdout);
  assert.match(gap.stdout, /FAIL entry 2 is missing: the log jumps from 1 to 3/);

  const end = await copyOfStore('removed-end');
  tamper(end, (connection) => connection.prepare('DELETE FROM log_entries WHERE idx = 5').run());
  const truncated = await runCli(['log', 'verify', '--db', end]);
  assert.equal(truncated.code, 2, truncated.stdout);
  assert.match(
    truncated.stdout,
    /FAIL stored checkpoint of size 6 \(signed [^)]+\) covers more entries than the log holds \(5\): entries were removed/,
  );
});

test("log verify --checkpoint: history rewritten and re-signed with the log's own key is caught by a checkpoint saved before", async () => {
  const copy = await copyOfStore('rewritten');
  rewriteHistory(copy);
  await ok(['log', 'checkpoint', '--db', copy]);
  const alone = await ok(['log', 'verify', '--db', copy]);
  assert.match(alone.stdout, /^ok: 6 entries, 1 stored checkpoint\(s\) verified\n$/);

  const said = await runCli(['log', 'verify', '--checkpoint', saved, '--db', copy]);
  assert.equal(said.code, 2, said.stdout);
  assert.match(
    said.stdout,
    new RegExp(
      `FAIL checkpoint \\S*saved\\.txt: history was rewritten after it was signed: the log's first ${savedSize} entries \\(0\\.\\.${savedSize - 1}\\) hash to \\S+, the saved checkpoint says \\S+`,
    ),
  );
});

test('log prove-consistency: a partner holding an old checkpoint checks, with the key alone, that the log only grew; a rewritten log cannot prove it', async () => {
  const proof = join(folder, 'consistency.json');
  await ok(['log', 'prove-consistency', '--checkpoint', saved, '--out', proof, '--db', db]);
  const checked = await ok(['log', 'verify-proof', proof, '--key', publicKey]);
  assert.match(
    checked.stdout,
    new RegExp(`^ok: the log of ${savedSize} entries is a prefix of the log of \\d+\\n$`),
  );
  const copy = await copyOfStore('rewritten-for-consistency');
  rewriteHistory(copy);
  const forged = join(folder, 'forged-consistency.json');
  await ok(['log', 'prove-consistency', '--checkpoint', saved, '--out', forged, '--db', copy]);
  const refused = await runCli(['log', 'verify-proof', forged, '--key', publicKey]);
  assert.equal(refused.code, 2, refused.stdout);
  assert.match(refused.stdout, /^FAIL consistency: /);
});

test('log keygen --cosigner, log cosign and log verify --cosigner: a witness cosignature holds; a forged or missing one fails', async () => {
  const witnessKeyFile = join(folder, 'w.key');
  const generated = await ok([
    'log',
    'keygen',
    '--name',
    'witness.example/w1',
    '--cosigner',
    '--out',
    witnessKeyFile,
  ]);
  assert.match(generated.stdout, /^witness\.example\/w1\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*\n$/);
  const witness = generated.stdout.trim();
  assert.equal(statSync(witnessKeyFile).mode & 0o777, 0o600, 'the private key is 0600');

  const cosigned = join(folder, 'cosigned.txt');
  const cosigning = await ok([
    'log',
    'cosign',
    '--checkpoint',
    saved,
    '--key-file',
    witnessKeyFile,
    '--log-key',
    publicKey,
    '--out',
    cosigned,
  ]);
  assert.match(cosigning.stderr, /cosigned checkpoint written to \S*cosigned\.txt/);

  const held = await ok([
    'log',
    'verify',
    '--checkpoint',
    cosigned,
    '--cosigner',
    witness,
    '--db',
    db,
  ]);
  assert.match(
    held.stdout,
    new RegExp(
      `saved checkpoint of ${savedSize} entries holds \\(signed by ${origin}, witness\\.example/w1 at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)`,
    ),
  );

  // one base64 character of the cosignature changed (in its signature bytes)
  const note = readFileSync(cosigned, 'utf8');
  const line = note.split('\n').find((text) => text.startsWith('— witness.example/w1 '));
  assert.ok(line, note);
  const at = '— witness.example/w1 '.length + 40;
  const forgedLine = line.slice(0, at) + (line[at] === 'A' ? 'B' : 'A') + line.slice(at + 1);
  const forged = join(folder, 'forged-cosignature.txt');
  writeFileSync(forged, note.replace(line, forgedLine));
  const broken = await runCli([
    'log',
    'verify',
    '--checkpoint',
    forged,
    '--cosigner',
    witness,
    '--db',
    db,
  ]);
  assert.equal(broken.code, 2, broken.stdout);
  assert.match(
    broken.stdout,
    /FAIL checkpoint \S*forged-cosignature\.txt: the signature by witness\.example\/w1\+[0-9a-f]{8} does not verify/,
  );

  const uncosigned = await runCli([
    'log',
    'verify',
    '--checkpoint',
    saved,
    '--cosigner',
    witness,
    '--db',
    db,
  ]);
  assert.equal(uncosigned.code, 2, uncosigned.stdout);
  assert.match(
    uncosigned.stdout,
    /FAIL checkpoint \S*saved\.txt: no valid cosignature from witness\.example\/w1/,
  );
});

test('log cosign refuses a checkpoint whose log signature does not verify under --log-key', async () => {
  const witnessKeyFile = join(folder, 'w2.key');
  await ok([
    'log',
    'keygen',
    '--name',
    'witness.example/w2',
    '--cosigner',
    '--out',
    witnessKeyFile,
  ]);
  const altered = join(folder, 'altered.txt');
  const note = readFileSync(saved, 'utf8');
  writeFileSync(altered, note.replace(`\n${savedSize}\n`, `\n${savedSize + 1}\n`));
  const out = join(folder, 'should-not-exist.txt');
  const cosign = (checkpoint: string, logKey: string) =>
    runCli([
      'log',
      'cosign',
      '--checkpoint',
      checkpoint,
      '--key-file',
      witnessKeyFile,
      '--log-key',
      logKey,
      '--out',
      out,
    ]);

  const changed = await cosign(altered, publicKey);
  assert.equal(changed.code, 2, changed.stderr);
  assert.match(
    changed.stderr,
    new RegExp(`the signature by ${origin}\\+[0-9a-f]{8} does not verify`),
  );

  const foreign = await cosign(saved, otherKey);
  assert.equal(foreign.code, 2, foreign.stderr);
  assert.match(foreign.stderr, /no known key signed this note/);
  assert.equal(existsSync(out), false, 'nothing was cosigned');
});

test('log prove and log verify-proof: an entry proven against the latest checkpoint; an edited entry or another log key fails, naming the entry', async () => {
  const proofFile = join(folder, 'p.json');
  await ok(['log', 'prove', '--entry', '4', '--out', proofFile, '--db', db]);
  const document = JSON.parse(readFileSync(proofFile, 'utf8')) as {
    index: number;
    entry: string;
    leaf_hash: string;
    tree_size: number;
  };
  assert.equal(document.index, 4);
  assert.equal(document.tree_size, 6);
  assert.equal((JSON.parse(document.entry) as { user: string }).user, 'lee');
  const checked = await ok(['log', 'verify-proof', proofFile, '--key', publicKey]);
  assert.match(checked.stdout, /^ok: 1 entries are in the signed log\n$/);

  const edited = join(folder, 'p-edited.json');
  const changedEntry = document.entry.replace('"user":"lee"', '"user":"leo"');
  writeFileSync(edited, JSON.stringify({ ...document, entry: changedEntry }));
  const said = await runCli(['log', 'verify-proof', edited, '--key', publicKey]);
  assert.equal(said.code, 2, said.stdout);
  assert.match(said.stdout, /FAIL entry 4: the entry text does not hash to the leaf hash given/);
  assert.match(said.stderr, /1 problem\(s\) in 1 proofs/);

  // the entry and its leaf hash changed together: the path no longer leads to the signed root
  const rehashed = join(folder, 'p-rehashed.json');
  const leaf = leafOf(Buffer.from(changedEntry, 'utf8')).toString('base64');
  writeFileSync(rehashed, JSON.stringify({ ...document, entry: changedEntry, leaf_hash: leaf }));
  const path = await runCli(['log', 'verify-proof', rehashed, '--key', publicKey]);
  assert.equal(path.code, 2, path.stdout);
  assert.match(
    path.stdout,
    /FAIL entry 4: .*the inclusion proof for entry 4 in a tree of 6 does not lead to the checkpoint's root/,
  );

  const foreign = await runCli(['log', 'verify-proof', proofFile, '--key', otherKey]);
  assert.equal(foreign.code, 2, foreign.stdout);
  assert.match(foreign.stdout, /FAIL entry 4: no known key signed this note/);
});

test('log prove --checkpoint: an entry proven against an older saved checkpoint', async () => {
  const proofFile = join(folder, 'p-saved.json');
  await ok(['log', 'prove', '--entry', '1', '--checkpoint', saved, '--out', proofFile, '--db', db]);
  const document = JSON.parse(readFileSync(proofFile, 'utf8')) as {
    tree_size: number;
    checkpoint: string;
  };
  assert.equal(document.tree_size, savedSize);
  assert.equal(document.checkpoint, readFileSync(saved, 'utf8'));
  const checked = await ok(['log', 'verify-proof', proofFile, '--key', publicKey]);
  assert.match(checked.stdout, /^ok: 1 entries are in the signed log\n$/);

  const beyond = await runCli(['log', 'prove', '--entry', '4', '--checkpoint', saved, '--db', db]);
  assert.equal(beyond.code, 64, beyond.stderr);
  assert.match(beyond.stderr, /--entry 4 is not in the checkpoint's tree of 3 entries \(0\.\.2\)/);
});

test('log: a mistyped store, a file that is no proof and a bad entry number are refused with what to do', async () => {
  const missing = join(folder, 'no-such.db');
  for (const args of [
    ['log', 'verify'],
    ['log', 'public-key'],
    ['log', 'checkpoint'],
  ]) {
    const said = await runCli([...args, '--db', missing]);
    assert.equal(said.code, 64, `${args.join(' ')}: ${said.stderr}`);
    assert.match(
      said.stderr,
      /no store at '.*no-such\.db': pass the --db the cases and exports were made in/,
    );
  }
  assert.ok(!existsSync(missing), 'no store was made');
  const notJson = join(folder, 'not-a-proof.txt');
  writeFileSync(notJson, 'example.com/log\n3\n');
  const said = await runCli(['log', 'verify-proof', notJson, '--key', 'x+00000000+AQ==']);
  assert.equal(said.code, 2);
  assert.match(said.stderr, /is not a proof document \(JSON from log prove/);
  const badEntry = await runCli(['log', 'prove', '--entry', 'abc', '--db', db]);
  assert.equal(badEntry.code, 64);
  assert.match(badEntry.stderr, /--entry must be an entry number/);
});

test('log checkpoint refuses to sign a log whose entries were rewritten in the database, even with its checkpoints deleted', async () => {
  const copy = await copyOfStore('rewritten-unsigned');
  copyFileSync(`${db}.log-key.head`, `${copy}.log-key.head`);
  tamper(copy, (connection) => {
    const entry = entryAt(connection, 1).toString('utf8');
    const changed = Buffer.from(entry.replace('"user":"alice"', '"user":"eve"'), 'utf8');
    connection
      .prepare('UPDATE log_entries SET entry = ?, leaf_hash = ? WHERE idx = 1')
      .run(changed, leafOf(changed));
    connection.prepare('DELETE FROM log_checkpoints WHERE tree_size > 1').run();
  });
  const said = await runCli([
    'users',
    'list',
    '--db',
    copy,
    '--as',
    'root',
    '--token-file',
    join(folder, 'root.token'),
  ]);
  assert.equal(said.code, 4, said.stdout + said.stderr);
  assert.match(
    said.stderr,
    /the log no longer matches what was signed: its first \d+ entries no longer hash to the root signed for them\. Nothing was signed/,
  );
});

test('log verify: a store that lost its recorded key is not "empty": it needs --key', async () => {
  const copy = await copyOfStore('keyless');
  tamper(copy, (connection) => {
    connection.prepare("DELETE FROM settings WHERE name = 'log_verifier_key'").run();
  });
  const said = await runCli(['log', 'verify', '--checkpoint', saved, '--db', copy]);
  assert.equal(said.code, 2, said.stdout + said.stderr);
  assert.match(
    said.stderr,
    /does not record the log's verifier key.*pass the key you trust with --key/,
  );
  const pinned = await runCli([
    'log',
    'verify',
    '--checkpoint',
    saved,
    '--key',
    publicKey,
    '--db',
    copy,
  ]);
  assert.equal(pinned.code, 0, pinned.stdout + pinned.stderr);
});
