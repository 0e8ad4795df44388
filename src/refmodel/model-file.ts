// The model file: a little-endian binary of typed arrays behind a versioned header, gzip-compressed
// when the name ends in .gz (detected by magic bytes on load). Layout in docs/refmodel.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DistillGuardError, describeFileError } from '../core/index.js';
import type { NgramTables, OrderTable } from './ngram-tables.js';

const magic = 0x4d524744; // 'DGRM' read as a little-endian uint32
export const modelFileVersion = 1;
const tokenizerCodes: Record<string, number> = { cl100k_base: 1 };

/** Encodes tables as the model file's bytes (uncompressed). */
export function encodeModel(tables: NgramTables): Buffer {
  const parts: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(32));
  header.setUint32(0, magic, true);
  header.setUint32(4, modelFileVersion, true);
  header.setUint32(8, tokenizerCodes.cl100k_base, true);
  header.setUint32(12, tables.order, true);
  header.setUint32(16, tables.vocabulary.length, true);
  header.setFloat64(24, tables.trainingTokens, true);
  parts.push(new Uint8Array(header.buffer));
  const bytes = (array: Int32Array | Uint32Array) =>
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  parts.push(bytes(tables.vocabulary), bytes(tables.unigramCounts));
  for (const table of tables.orders) {
    const orderHeader = new DataView(new ArrayBuffer(24));
    orderHeader.setUint32(0, table.contextLength, true);
    orderHeader.setUint32(4, table.offsets.length - 1, true);
    orderHeader.setUint32(8, table.nextTokens.length, true);
    orderHeader.setFloat64(16, table.discount, true);
    parts.push(
      new Uint8Array(orderHeader.buffer),
      bytes(table.contextTokens),
      bytes(table.offsets),
      bytes(table.nextTokens),
      bytes(table.counts),
    );
  }
  return Buffer.concat(parts);
}

/** Decodes the model file's bytes (gzip or not). Throws DistillGuardError('input_invalid') when they are not a model. */
export function decodeModel(input: Uint8Array, label = 'model'): NgramTables {
  let raw = input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b ? gunzipSync(input) : input;
  if (raw.byteOffset % 8 !== 0) raw = Uint8Array.prototype.slice.call(raw); // typed-array views need aligned offsets
  const invalid = (reason: string) =>
    new DistillGuardError(
      'input_invalid',
      `'${label}' is not a DistillGuard reference model file: ${reason}. Train one with 'distillguard refmodel train'.`,
    );
  if (raw.byteLength < 32) throw invalid('too short');
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (view.getUint32(0, true) !== magic) throw invalid('wrong magic bytes');
  const version = view.getUint32(4, true);
  if (version !== modelFileVersion)
    throw invalid(`file version ${version}, this distillguard reads version ${modelFileVersion}`);
  if (view.getUint32(8, true) !== tokenizerCodes.cl100k_base) throw invalid('unknown tokenizer');
  const order = view.getUint32(12, true);
  const vocabularySize = view.getUint32(16, true);
  const trainingTokens = view.getFloat64(24, true);
  let offset = 32;
  const take = <T extends Int32Array | Uint32Array>(
    Kind: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T,
    length: number,
  ): T => {
    if (offset + length * 4 > raw.byteLength) throw invalid('truncated');
    const array = new Kind(raw.buffer, raw.byteOffset + offset, length);
    offset += length * 4;
    return array;
  };
  const vocabulary = take(Int32Array, vocabularySize);
  const unigramCounts = take(Uint32Array, vocabularySize);
  const orders: OrderTable[] = [];
  for (let k = 2; k <= order; k += 1) {
    if (offset + 24 > raw.byteLength) throw invalid('truncated');
    const contextLength = view.getUint32(offset, true);
    const contexts = view.getUint32(offset + 4, true);
    const entries = view.getUint32(offset + 8, true);
    const discount = view.getFloat64(offset + 16, true);
    offset += 24;
    if (contextLength !== k - 1)
      throw invalid(`order ${k} has contexts of ${contextLength} tokens`);
    const contextTokens = take(Int32Array, contexts * contextLength);
    const offsets = take(Uint32Array, contexts + 1);
    const nextTokens = take(Int32Array, entries);
    const counts = take(Uint32Array, entries);
    orders.push({ contextLength, contextTokens, offsets, nextTokens, counts, discount });
  }
  if (offset !== raw.byteLength) throw invalid('trailing bytes');
  return { order, vocabulary, unigramCounts, orders, trainingTokens };
}

/** Writes a model file; gzip-compressed when `path` ends in .gz. */
export function writeModelFile(path: string, tables: NgramTables): void {
  const encoded = encodeModel(tables);
  try {
    writeFileSync(path, path.endsWith('.gz') ? gzipSync(encoded, { level: 9 }) : encoded);
  } catch (error) {
    throw new DistillGuardError(
      'output_unwritable',
      `cannot write '${path}': ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Reads a model file written by writeModelFile. */
export function readModelFile(path: string): NgramTables {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(path, error), {
      cause: error,
    });
  }
  return decodeModel(bytes, path);
}
