// `distillguard config check` and `serve --config` as a user runs them: a misspelt or unknown field
// stops with its path and the nearest known name (exit 64), before any store is created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../test-support/run-cli.js';

test(
  'config check: exit 0 and one line when valid; the misspelt field and its nearest name otherwise',
  { timeout: 60_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-config-check-'));
    try {
      const valid = join(folder, 'valid.json');
      writeFileSync(
        valid,
        JSON.stringify({
          upstreams: [
            { name: 'local', url: 'http://user:secret@127.0.0.1:8000/v1', timeout_ms: 5_000 },
          ],
          policy: { ttl_s: 60 },
        }),
      );
      const ok = await runCli(['config', 'check', valid]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout.trim().split('\n').length, 1);
      assert.match(ok.stdout, /valid: 1 upstream \(local=http:\/\/127\.0\.0\.1:8000\/v1\)/);
      assert.ok(!ok.stdout.includes('secret'), 'credentials in URLs are not printed');

      const typo = join(folder, 'typo.json');
      writeFileSync(
        typo,
        JSON.stringify({
          upstreams: [{ name: 'local', url: 'http://127.0.0.1:8000/v1', timout_ms: 5_000 }],
        }),
      );
      const checked = await runCli(['config', 'check', typo]);
      assert.equal(checked.code, 64);
      assert.match(
        checked.stderr,
        /typo\.json: unknown field 'upstreams\[0\]\.timout_ms': did you mean 'timeout_ms'\?/,
      );

      // serve says the same and stops before it opens (or creates) a store
      const storage = join(folder, 'storage.json');
      writeFileSync(storage, JSON.stringify({ storage: { knd: 'postgres' } }));
      const db = join(folder, 'never.db');
      const served = await runCli(['serve', '--port', '0', '--config', storage, '--db', db]);
      assert.equal(served.code, 64);
      assert.match(
        served.stderr,
        /storage\.json: unknown field 'storage\.knd': did you mean 'kind'\?/,
      );
      assert.equal(existsSync(db), false, 'no store was created');

      // shared counters: Redis needs its URL; the summary says where the buckets live
      const noUrl = join(folder, 'no-url.json');
      writeFileSync(noUrl, JSON.stringify({ counters: { kind: 'redis' } }));
      const missing = await runCli(['config', 'check', noUrl]);
      assert.equal(missing.code, 64);
      assert.match(
        missing.stderr,
        /field 'counters\.url': counters\.kind "redis" needs counters\.url/,
      );
      const shared = join(folder, 'shared.json');
      writeFileSync(
        shared,
        JSON.stringify({ counters: { kind: 'redis', url: 'redis://ops:pw@10.0.0.9:6379/2' } }),
      );
      const sharedOk = await runCli(['config', 'check', shared]);
      assert.equal(sharedOk.code, 0, sharedOk.stderr);
      assert.match(
        sharedOk.stdout,
        /throttle buckets shared in Redis at redis:\/\/10\.0\.0\.9:6379\/2/,
      );
      assert.doesNotMatch(sharedOk.stdout, /pw@/);

      // the bus: NATS needs its servers; the summary names them and the stream
      const noServers = join(folder, 'no-servers.json');
      writeFileSync(noServers, JSON.stringify({ bus: { kind: 'nats' } }));
      const unset = await runCli(['config', 'check', noServers]);
      assert.equal(unset.code, 64);
      assert.match(unset.stderr, /field 'bus\.servers': bus\.kind "nats" needs bus\.servers/);
      const bus = join(folder, 'bus.json');
      writeFileSync(
        bus,
        JSON.stringify({ bus: { kind: 'nats', servers: 'nats://10.0.0.9:4222' } }),
      );
      const busOk = await runCli(['config', 'check', bus]);
      assert.equal(busOk.code, 0, busOk.stderr);
      assert.match(
        busOk.stdout,
        /events published to NATS at nats:\/\/10\.0\.0\.9:4222 \(stream DISTILLGUARD_INTERACTIONS\)/,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
