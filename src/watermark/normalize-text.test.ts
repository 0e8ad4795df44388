// Normalisation undoes invisible characters, compatibility forms and mixed-script look-alikes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeForDetection } from './normalize-text.js';

test('zero-width characters, full-width forms and Cyrillic look-alikes in Latin words are undone', () => {
  assert.equal(normalizeForDetection('wa\u200Bter\u200Dmark\uFEFF'), 'watermark');
  assert.equal(normalizeForDetection('ｗａｔｅｒ'), 'water'); // NFKC
  assert.equal(
    normalizeForDetection('w\u0430t\u0435rm\u0430rk and \u03bf\u03bb\u03b1'),
    'watermark and \u03bf\u03bb\u03b1',
  ); // Greek-only word kept
  assert.equal(normalizeForDetection('Привет, мир'), 'Привет, мир');
});
