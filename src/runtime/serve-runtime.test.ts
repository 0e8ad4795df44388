import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cliPath } from '../test-support/paths.js';

test('serve with a bad heap setting in the environment stops at once with a usage error naming the variable', () => {
  for (const [name, value, what] of [
    ['DISTILLGUARD_YOUNG_GENERATION_MB', 'big', 'a size in megabytes'],
    ['DISTILLGUARD_OLD_GENERATION_GROWTH_PERCENT', '-5', 'a percentage'],
  ]) {
    const result = spawnSync(
      process.execPath,
      [
        cliPath,
        'serve',
        '--port',
        '0',
        '--upstream',
        'http://127.0.0.1:9/v1',
        '--db',
        '/nonexistent/never-opened.db',
      ],
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, [name]: value },
      },
    );
    assert.equal(result.status, 64, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`${name} must be ${what} \\(0: V8's own growth\\), not '${value}'`),
    );
  }
});
