import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectorEnvironment } from './detector-environment.js';

test("the detector gets PATH, locale and Node's own variables, never the gateway's secrets", () => {
  const environment = detectorEnvironment({
    PATH: '/usr/bin',
    HOME: '/home/dg',
    LC_ALL: 'C.UTF-8',
    NODE_OPTIONS: '--max-old-space-size=2048',
    DISTILLGUARD_ADMIN_TOKEN: 'admin-secret',
    DISTILLGUARD_KEY_HASH_SECRET: 'hash-secret',
    ANTHROPIC_API_KEY: 'sk-ant',
    OPENAI_API_KEY: 'sk-oa',
    AWS_SECRET_ACCESS_KEY: 'aws',
  });
  assert.deepEqual(environment, {
    PATH: '/usr/bin',
    HOME: '/home/dg',
    LC_ALL: 'C.UTF-8',
    NODE_OPTIONS: '--max-old-space-size=2048',
  });
});
