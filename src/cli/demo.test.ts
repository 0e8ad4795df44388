// `distillguard demo` end to end, as the README's first command runs it (a smaller week): it
// narrates, ends with a summary checked against the simulator's labels, and leaves benign and
// benchmark accounts alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

test(
  'demo: simulate, serve, replay, narrate, and a summary that holds against the labels',
  { timeout: 600_000 },
  async () => {
    const folder = temporaryDirectory('dg-demo-');
    try {
      const result = await runCli(['demo', '--scale', '0.01', '--dir', join(folder, 'demo')]);
      assert.equal(result.code, 0, result.stderr);
      const out = result.stdout;
      assert.match(out, /campaign cmp_\w+ found: \d+ linked accounts/);
      assert.match(out, /^\[\d\d:\d\d\] (throttle|verify|degrade|block) +acct_\w+/m);
      const acted = /campaign accounts acted against: (\d+) of (\d+)/.exec(out);
      assert.ok(acted, out);
      assert.ok(Number(acted[1]) >= 1, 'some campaign account was acted against');
      assert.match(out, /benign or benchmark accounts acted against: 0\n/);
      assert.match(out, /benchmark accounts throttled or blocked: 0\n/);
      assert.match(out, /Where to look next/);
      assert.ok(
        existsSync(join(folder, 'demo', 'gateway.db')),
        'the gateway store it points to exists',
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
