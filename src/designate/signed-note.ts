// Signed notes with Ed25519 keys (https://c2sp.org/signed-note, as golang.org/x/mod/sumdb/note
// reads them) and Ed25519 checkpoint cosignatures (https://c2sp.org/tlog-cosignature).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { sign, verify, type KeyObject } from 'node:crypto';
import { DistillGuardError } from '../core/index.js';
import { parseCheckpoint } from './checkpoint.js';

/** 'ed25519' signs any note text (type 0x01); 'cosignature/v1' cosigns checkpoints (type 0x04). */
export type NoteKeyType = 'ed25519' | 'cosignature/v1';

/** A public key that can check signature lines: name and key id select it, as in the note. */
export interface NoteVerifier {
  readonly name: string;
  /** The first four bytes of SHA-256(name || 0x0A || type byte || public key), big-endian. */
  readonly keyId: number;
  readonly keyType: NoteKeyType;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Buffer;
}

/** A private key that signs (or cosigns); it is also the verifier of its own signatures. */
export interface NoteSigner extends NoteVerifier {
  readonly privateKey: KeyObject;
}

/** A signature line's key; `timestamp` (POSIX seconds) only on a verified cosignature. */
export interface NoteSignature {
  name: string;
  keyId: number;
  timestamp?: number;
}

/** A key pair as text: the private signer key (keep it secret) and the public verifier key. */
export interface NoteKeyPair {
  signerKey: string;
  verifierKey: string;
}

/** An opened note: its text, the signatures checked with a known key, and the others. */
export interface OpenedNote {
  text: string;
  verified: NoteSignature[];
  unverified: NoteSignature[];
}

/** A note or key that is malformed, or whose signatures do not hold. */
export class NoteError extends DistillGuardError {
  constructor(message: string) {
    super('input_invalid', message);
    this.name = 'NoteError';
  }
}

const typeByte: Record<NoteKeyType, number> = { ed25519: 0x01, 'cosignature/v1': 0x04 };
const maxSignatures = 100; // the spec asks for at least 16; sumdb/note allows 100
const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A new Ed25519 key pair for notes: the private signer key text and the verifier key text. */
export function generateSignerKey(name: string): NoteKeyPair {
  return generateKey(name, 'ed25519');
}

/** A new cosigner key pair (type 0x04): cosigns checkpoints with cosignCheckpoint. */
export function generateCosignerKey(name: string): NoteKeyPair {
  return generateKey(name, 'cosignature/v1');
}

/** `<name>+<hex key id>+<base64(0x01 || public key)>`, the text a verifier is given. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  return formatKey(name, 'ed25519', Buffer.from(publicKey));
}

/** The verifier key text of a cosigner: like formatVerifierKey with type byte 0x04. */
export function formatCosignerVerifierKey(name: string, publicKey: Uint8Array): string {
  return formatKey(name, 'cosignature/v1', Buffer.from(publicKey));
}

/**
 * Reads `PRIVATE+KEY+<name>+<hex key id>+<base64(type || 32-byte seed)>`.
 * @returns the signer and its verifier key text
 */
export function parseSignerKey(text: string): { signer: NoteSigner; verifierKey: string } {
  const parts = text.startsWith('PRIVATE+KEY+') ? keyParts(text.slice(12)) : [];
  if (parts.length === 0) fail('a signer key reads PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>');
  const [name, id, encoded] = parts;
  const [keyType, seed] = keyMaterial(encoded, `signer key for ${name}`);
  const privateKey = createPrivateKey({
    key: Buffer.concat([pkcs8Ed25519Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = Buffer.from(jwk.x ?? '', 'base64url');
  const keyId = keyIdOf(name, keyType, publicKey);
  if (id !== hex(keyId))
    fail(`the signer key for ${name} says key id ${id}, its key gives ${hex(keyId)}`);
  const signer = { name, keyId, keyType, publicKey, privateKey };
  return { signer, verifierKey: formatKey(name, keyType, publicKey) };
}

/** Reads `<name>+<hex key id>+<base64(type || 32-byte public key)>`, type 0x01 or 0x04. */
export function parseVerifierKey(text: string): NoteVerifier {
  const parts = keyParts(text);
  if (parts.length === 0)
    fail(`'${text}' is not a verifier key <name>+<8 hex digits>+<base64 key>`);
  const [name, id, encoded] = parts;
  const [keyType, publicKey] = keyMaterial(encoded, `verifier key ${name}+${id}`);
  const keyId = keyIdOf(name, keyType, publicKey);
  if (id !== hex(keyId))
    fail(`the verifier key ${name}+${id} was altered: its key gives id ${hex(keyId)}`);
  return { name, keyId, keyType, publicKey };
}

/**
 * Signs `text` (which ends with a newline) with Ed25519 keys: the text, a blank line, then one
 * line `— <name> <base64(key id || signature)>` per signer.
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  requireNoteCharacters(text);
  if (!text.endsWith('\n')) fail('a note text must end with a newline');
  const lines = signers.map((signer) => {
    if (signer.keyType !== 'ed25519')
      fail(`${signer.name} is a cosigner key; cosign with cosignCheckpoint`);
    return signatureLine(signer, Buffer.from(text, 'utf8'));
  });
  return `${text}\n${lines.join('')}`;
}

/**
 * Appends `cosigner`'s cosignature/v1 line, made at `timeSeconds`, to a signed checkpoint; an
 * older cosignature by the same key is replaced. With `logVerifier`, the log's signature must
 * verify first (a cosigner vouches only for checkpoints it has checked).
 * @example
 *   cosignCheckpoint(note, parseSignerKey(keyText).signer, nowSeconds, parseVerifierKey(logKey))
 */
export function cosignCheckpoint(
  noteText: string,
  cosigner: NoteSigner,
  timeSeconds: number,
  logVerifier?: NoteVerifier,
): string {
  if (cosigner.keyType !== 'cosignature/v1')
    fail(
      `${cosigner.name} is not a cosigner key; make one with: distillguard log keygen --cosigner`,
    );
  if (!Number.isSafeInteger(timeSeconds) || timeSeconds < 0)
    fail(`the cosignature time ${timeSeconds} is not whole seconds since 1970`);
  if (logVerifier) openNote(noteText, [logVerifier]);
  const { text, lines } = splitNote(noteText);
  parseCheckpoint(text);
  const kept = lines.filter((line) => line.name !== cosigner.name || line.keyId !== cosigner.keyId);
  const line = signatureLine(cosigner, cosignedMessage(BigInt(timeSeconds), text), timeSeconds);
  return `${text}\n${kept.map((other) => `${other.raw}\n`).join('')}${line}`;
}

/**
 * Opens a signed note: checks every signature line from a known key (plain or cosignature),
 * records the others as unverified, and ignores repeats.
 * @throws NoteError when the note is malformed, a known key's signature fails, or no known key
 *   signed it
 */
export function openNote(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): OpenedNote {
  const { text, lines } = splitNote(note);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const label = `${line.name}+${hex(line.keyId)}`;
    const matches = verifiers.filter((key) => key.name === line.name && key.keyId === line.keyId);
    const key = matches.at(0);
    const differs = (other: NoteVerifier): boolean =>
      other.keyType !== key?.keyType || !other.publicKey.equals(key.publicKey);
    if (matches.some(differs)) fail(`two different verifier keys are named ${label}; keep one`);
    // A known key's first line counts; an unknown key's lines are listed once each.
    const seenAs = key ? label : line.raw;
    if (seen.has(seenAs)) continue;
    seen.add(seenAs);
    if (key) verified.push(checkSignature(key, text, line.signature));
    else unverified.push({ name: line.name, keyId: line.keyId });
  }
  if (verified.length === 0) {
    const found = unverified.map((signature) => `${signature.name}+${hex(signature.keyId)}`);
    fail(
      `no known key signed this note (it is signed by ${found.join(', ')}); check the verifier key`,
    );
  }
  return { text, verified, unverified };
}

interface SignatureLine {
  raw: string;
  name: string;
  keyId: number;
  signature: Buffer;
}

function splitNote(note: string | Uint8Array): { text: string; lines: SignatureLine[] } {
  const decoded = typeof note === 'string' ? note : decodeUtf8(note);
  requireNoteCharacters(decoded);
  const split = decoded.lastIndexOf('\n\n');
  const block = split < 0 ? '' : decoded.slice(split + 2);
  if (block === '' || !block.endsWith('\n'))
    fail('a signed note is its text, a blank line, then signature lines each ending in a newline');
  const rawLines = block.slice(0, -1).split('\n');
  if (rawLines.length > maxSignatures)
    fail(`the note has ${rawLines.length} signature lines; at most ${maxSignatures} are read`);
  return { text: decoded.slice(0, split + 1), lines: rawLines.map(parseSignatureLine) };
}

function parseSignatureLine(raw: string): SignatureLine {
  const space = raw.indexOf(' ', 2);
  const [name, encoded] = [raw.slice(2, space), raw.slice(space + 1)];
  const bytes = Buffer.from(encoded, 'base64');
  const wellMade = raw.startsWith('— ') && space > 0 && isKeyName(name) && isBase64(encoded);
  if (!wellMade || bytes.length < 5)
    fail(`'${raw}' is not a signature line '— <key name> <base64 signature>'`);
  return { raw, name, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
}

function checkSignature(key: NoteVerifier, text: string, signature: Buffer): NoteSignature {
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey.toString('base64url') },
    format: 'jwk',
  });
  const label = `${key.name}+${hex(key.keyId)}`;
  const failed = `the signature by ${label} does not verify: the note changed after signing, or another key signed it`;
  if (key.keyType === 'ed25519') {
    if (signature.length !== 64 || !verify(null, Buffer.from(text, 'utf8'), publicKey, signature))
      fail(failed);
    return { name: key.name, keyId: key.keyId };
  }
  // cosignature/v1: timestamp (8 bytes, big-endian) || Ed25519 signature over the cosigned message
  if (signature.length !== 72) fail(failed);
  const timestamp = signature.readBigUInt64BE(0);
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER))
    fail(`the cosignature by ${label} is dated ${timestamp}, far in the future`);
  if (!verify(null, cosignedMessage(timestamp, text), publicKey, signature.subarray(8)))
    fail(failed);
  return { name: key.name, keyId: key.keyId, timestamp: Number(timestamp) };
}

/** tlog-cosignature: "cosignature/v1\ntime <seconds>\n" then the whole checkpoint text. */
function cosignedMessage(timestamp: bigint, text: string): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${text}`, 'utf8');
}

function signatureLine(signer: NoteSigner, message: Buffer, timestamp?: number): string {
  const keyId = Buffer.alloc(4);
  keyId.writeUInt32BE(signer.keyId);
  const time = Buffer.alloc(timestamp === undefined ? 0 : 8);
  if (timestamp !== undefined) time.writeBigUInt64BE(BigInt(timestamp));
  const signature = sign(null, message, signer.privateKey);
  return `— ${signer.name} ${Buffer.concat([keyId, time, signature]).toString('base64')}\n`;
}

function generateKey(name: string, keyType: NoteKeyType): NoteKeyPair {
  if (!isKeyName(name))
    fail(`'${name}' cannot name a key: it must be non-empty, without spaces or '+'`);
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d ?? '', 'base64url');
  const publicKey = Buffer.from(jwk.x ?? '', 'base64url');
  const material = Buffer.concat([Uint8Array.of(typeByte[keyType]), seed]).toString('base64');
  const signerKey = `PRIVATE+KEY+${name}+${hex(keyIdOf(name, keyType, publicKey))}+${material}`;
  return { signerKey, verifierKey: formatKey(name, keyType, publicKey) };
}

function formatKey(name: string, keyType: NoteKeyType, publicKey: Buffer): string {
  if (!isKeyName(name) || publicKey.length !== 32)
    fail(`a verifier key needs a name without spaces or '+' and a 32-byte Ed25519 key`);
  const material = Buffer.concat([Uint8Array.of(typeByte[keyType]), publicKey]).toString('base64');
  return `${name}+${hex(keyIdOf(name, keyType, publicKey))}+${material}`;
}

/** The key type and 32 key bytes of `base64(type || key)`. */
function keyMaterial(encoded: string, what: string): [NoteKeyType, Buffer] {
  const bytes = Buffer.from(encoded, 'base64');
  const keyType = (Object.keys(typeByte) as NoteKeyType[]).find(
    (type) => typeByte[type] === bytes[0],
  );
  if (!isBase64(encoded) || keyType === undefined || bytes.length !== 33)
    fail(`the ${what} does not hold an Ed25519 (0x01) or cosignature/v1 (0x04) key of 32 bytes`);
  return [keyType, bytes.subarray(1)];
}

function keyIdOf(name: string, keyType: NoteKeyType, publicKey: Uint8Array): number {
  const material = Buffer.concat([
    Buffer.from(`${name}\n`),
    Uint8Array.of(typeByte[keyType]),
    publicKey,
  ]);
  return createHash('sha256').update(material).digest().readUInt32BE(0);
}

/** `<name>+<hex id>+<base64>` cut at its first two pluses (base64 may hold more); [] if not one. */
function keyParts(text: string): [name: string, id: string, encoded: string] | [] {
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  const [name, id] = [text.slice(0, first), text.slice(first + 1, second)];
  if (first < 0 || second < 0 || !isKeyName(name) || !/^[0-9a-f]{8}$/.test(id)) return [];
  return [name, id, text.slice(second + 1)];
}

/** Key names: non-empty, well-formed, no Unicode white space and no '+'. */
function isKeyName(name: string): boolean {
  return name !== '' && !/[\p{White_Space}+]/u.test(name) && wellFormed(name);
}

const wellFormed = (text: string): boolean => Buffer.from(text, 'utf8').toString('utf8') === text;

/** Standard base64 in its canonical spelling (Node's decoder alone skips what it cannot read). */
function isBase64(text: string): boolean {
  return text !== '' && Buffer.from(text, 'base64').toString('base64') === text;
}

function requireNoteCharacters(text: string): void {
  if (!wellFormed(text)) fail('the note is not valid UTF-8');
  const control = /[\u0000-\u0009\u000b-\u001f]/.exec(text)?.[0].charCodeAt(0);
  if (control !== undefined)
    fail(
      `the note holds control character U+${control.toString(16).padStart(4, '0')}; of those, only newlines may appear`,
    );
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    fail('the note is not valid UTF-8');
  }
}

function fail(message: string): never {
  throw new NoteError(message);
}

const hex = (keyId: number): string => keyId.toString(16).padStart(8, '0');
