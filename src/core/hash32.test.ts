// The FNV-1a helper gives, bit for bit, what the inline copies it replaced gave: cohort indexes,
// campaign ids, template keys and sketches hashed before it must hash the same after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv1a, fnv1aStep, fnvOffsetBasis, hash32 } from './hash32.js';
import { mix32 } from './mix32.js';

// The definitions as they were written inline before there was one helper.
function referenceFnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
function referenceFolded(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < end; index += 1)
    hash = Math.imul(hash ^ (text.charCodeAt(index) | 32), 0x01000193);
  return hash >>> 0;
}
function referenceHash32(text: string, seed = 0, start = 0, end = text.length): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = start; index < end; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix32(hash);
}

/** Strings of every kind: empty, ASCII, controls, mixed case, accents, CJK, lone and paired surrogates. */
function sampleStrings(count: number): string[] {
  const alphabet = [
    'a',
    'Z',
    '0',
    ' ',
    '\n',
    '\u0010',
    '@',
    '`',
    'é',
    'Ω',
    '中',
    '\ud83d\ude00',
    '\ud800',
    '\uffff',
    '_',
    '-',
  ];
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
  const strings = [''];
  for (let index = 1; index < count; index += 1) {
    let text = '';
    const length = next() % 40;
    for (let position = 0; position < length; position += 1)
      text += alphabet[next() % alphabet.length];
    strings.push(text);
  }
  return strings;
}

test('fnv1a, folded fnv1a and hash32 equal the inline definitions they replaced on 5,000 strings', () => {
  for (const text of sampleStrings(5_000)) {
    assert.equal(fnv1a(text), referenceFnv1a(text), JSON.stringify(text));
    const start = Math.floor(text.length / 3);
    assert.equal(
      fnv1a(text, start, text.length, fnvOffsetBasis, 32),
      referenceFolded(text, start, text.length),
      JSON.stringify(text),
    );
    assert.equal(hash32(text), referenceHash32(text), JSON.stringify(text));
    assert.equal(
      hash32(text, 0x5eed, start),
      referenceHash32(text, 0x5eed, start),
      JSON.stringify(text),
    );
  }
});

test('fnv1aStep is one FNV-1a step, and the published test vectors hold', () => {
  let hash = fnvOffsetBasis;
  for (const char of 'abc') hash = fnv1aStep(hash, char.charCodeAt(0));
  assert.equal(hash >>> 0, 0x1a47e90b);
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
  assert.equal(fnv1a('foobar'), 0xbf9cf968);
});
