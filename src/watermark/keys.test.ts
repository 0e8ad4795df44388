// Watermark keys: generation, file mode, validation, cohort derivation and rotation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryDirectory } from '../test-support/paths.js';
import {
  deriveCohortKey,
  generateWatermarkKey,
  readWatermarkKey,
  rotateWatermarkKey,
  writeWatermarkKey,
} from './keys.js';

test('a generated key has an id, the scheme, defaults, a 32-byte secret and a timestamp', () => {
  const key = generateWatermarkKey('kgw', { gamma: 0.5 });
  assert.match(key.key_id, /^wk_[0-9a-f]{16}$/);
  assert.equal(key.scheme, 'kgw');
  assert.equal(key.parameters.gamma, 0.5);
  assert.equal(key.parameters.delta, 2);
  assert.equal(Buffer.from(key.secret, 'base64url').length, 32);
  assert.ok(!Number.isNaN(Date.parse(key.created_at)));
  assert.notEqual(generateWatermarkKey('kgw').secret, generateWatermarkKey('kgw').secret);
  assert.throws(() => generateWatermarkKey('kgw', { gamma: 1.5 }), /--gamma/);
});

test('key files are written 0600 and read back; a broken file names the field, not the secret', () => {
  const directory = temporaryDirectory();
  const path = join(directory, 'key.json');
  const key = generateWatermarkKey('gumbel');
  writeWatermarkKey(path, key);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readWatermarkKey(path), key);
  writeFileSync(join(directory, 'bad.json'), JSON.stringify({ ...key, secret: 'short' }));
  assert.throws(
    () => readWatermarkKey(join(directory, 'bad.json')),
    (error: Error) => /field 'secret'/.test(error.message) && !error.message.includes(key.secret),
  );
});

test('cohort keys derive deterministically from the master and cohort; rotation gives a new id', () => {
  const master = generateWatermarkKey('kgw');
  const first = deriveCohortKey(master, 'cohort-a');
  assert.equal(first.secret, deriveCohortKey(master, 'cohort-a').secret);
  assert.equal(first.cohort, 'cohort-a');
  assert.equal(first.master_key_id, master.key_id);
  assert.notEqual(first.secret, deriveCohortKey(master, 'cohort-b').secret);
  assert.notEqual(first.key_id, deriveCohortKey(master, 'cohort-a', 1).key_id);
  assert.notEqual(first.secret, master.secret);
  const rotated = rotateWatermarkKey(master);
  assert.equal(rotated.rotated_from, master.key_id);
  assert.notEqual(rotated.key_id, master.key_id);
  assert.deepEqual(rotated.parameters, master.parameters);
});
