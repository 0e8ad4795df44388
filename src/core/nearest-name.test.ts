import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, nearestName } from './nearest-name.js';

test('editDistance counts an adjacent swap as one edit', () => {
  assert.equal(editDistance('timeout_ms', 'timeout_ms'), 0);
  assert.equal(editDistance('timout_ms', 'timeout_ms'), 1);
  assert.equal(editDistance('tiemout_ms', 'timeout_ms'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('nearestName suggests a close name, ignores case, and stays quiet when nothing is close', () => {
  const upstream = [
    'name',
    'url',
    'api',
    'models',
    'api_key_env',
    'api_key_file',
    'timeout_ms',
    'connections',
  ];
  assert.equal(nearestName('timout_ms', upstream), 'timeout_ms');
  assert.equal(nearestName('Timeout_MS', upstream), 'timeout_ms');
  assert.equal(nearestName('timeout', upstream), 'timeout_ms');
  assert.equal(nearestName('modles', upstream), 'models');
  assert.equal(nearestName('apikey_env', upstream), 'api_key_env');
  assert.equal(
    nearestName('storage', ['upstreams', 'limits', 'detection', 'watermark', 'policy']),
    null,
  );
  assert.equal(nearestName('x', []), null);
});
