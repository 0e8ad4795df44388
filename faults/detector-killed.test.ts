// The live detector killed (H3): SIGKILL of the detector process is logged with its cause and the
// detector is restarted; meanwhile /health is degraded with the reason and /v1/decide shows the
// assessment's age and `stale`; after the restart a newly recorded exchange is folded in. The
// detector's environment holds none of the gateway's secrets (L5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream } from '../src/test-support/fake-openai-upstream.js';
import { request } from 'undici';
import {
  adminToken,
  call,
  chatThrough,
  detectorPids,
  harvesterRecords,
  startDetectorServe,
  until,
} from './support/detector.js';

test(
  'the detector killed: restarted, /health degraded meanwhile, decisions marked stale with their age, detection works again',
  { timeout: 120_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-fault-detector-killed-'));
    const upstream = await startFakeUpstream({ reply: 'Served.' });
    const gateway = await startDetectorServe([
      '--upstream',
      upstream.url,
      '--db',
      join(folder, 'gateway.db'),
    ]);
    try {
      await until(
        'the warm start',
        async () =>
          (await call(gateway.url, 'GET', '/health/ready', undefined, null)).status === 200,
      );
      assert.deepEqual((await call(gateway.url, 'GET', '/health', undefined, null)).body, {
        status: 'ok',
        reasons: [],
        engines: { store: 'ok', counters: 'ok' },
      });
      const key = await call(gateway.url, 'POST', '/v1/admin/keys', { account_id: 'acct-1' });
      assert.equal(await chatThrough(gateway.url, key.body.secret, 'before the kill'), 200);
      const before = await call(gateway.url, 'POST', '/v1/admin/assess');
      assert.equal(before.body.interactions, 1);
      const fresh = await call(gateway.url, 'POST', '/v1/decide', { account_id: 'acct-1' });
      assert.equal(fresh.body.stale, false);
      assert.equal(typeof fresh.body.assessment_age_s, 'number');

      const [detector] = detectorPids(gateway.pid);
      assert.ok(detector, 'the detector runs as a child of serve');
      const environment = readFileSync(`/proc/${detector}/environ`, 'utf8');
      assert.ok(
        !environment.includes(adminToken) && !environment.includes('DISTILLGUARD_ADMIN_TOKEN'),
        'the detector does not hold the admin token',
      );
      process.kill(detector, 'SIGKILL');

      const degraded = await until('health to say the detector is down', async () => {
        const health = await call(gateway.url, 'GET', '/health', undefined, null);
        return health.body.reasons?.some((reason: string) =>
          /live detector down since .* \(signal SIGKILL/.test(reason),
        )
          ? health
          : null;
      });
      assert.equal(degraded.status, 200);
      assert.equal(degraded.body.status, 'degraded');
      const stale = await call(gateway.url, 'POST', '/v1/decide', { account_id: 'acct-1' });
      assert.equal(stale.body.stale, true, JSON.stringify(stale.body));
      assert.equal(stale.body.action, 'observe', 'on_detector_failure open (the default): served');
      assert.ok(stale.body.assessment_age_s >= 0);
      // the gateway keeps serving meanwhile
      assert.equal(await chatThrough(gateway.url, key.body.secret, 'while it is down'), 200);

      await until(
        'the restarted detector',
        async () =>
          (await call(gateway.url, 'GET', '/health', undefined, null)).body.status === 'ok',
        30_000,
      );
      const [restarted] = detectorPids(gateway.pid);
      assert.ok(restarted && restarted !== detector, 'a new detector process');
      const detail = await call(gateway.url, 'GET', '/v1/admin/health');
      assert.equal(detail.body.detector.restarts, 1);
      assert.equal(detail.body.detector.lastExit.signal, 'SIGKILL');
      assert.equal(
        (await call(gateway.url, 'POST', '/v1/decide', { account_id: 'acct-1' })).body.stale,
        false,
      );
      // warm start from the store, then a new exchange is folded in
      assert.equal(await chatThrough(gateway.url, key.body.secret, 'after the restart'), 200);
      const after = await call(gateway.url, 'POST', '/v1/admin/assess');
      assert.equal(after.status, 200);
      assert.equal(after.body.interactions, 3);
      assert.match(
        gateway.output(),
        /the live detector exited \(signal SIGKILL\); it restarts in 500 ms/,
      );
      assert.match(gateway.output(), /the live detector is back/);
      const metrics = await call(gateway.url, 'GET', '/metrics'); // with the admin token: metrics on the public port need the read scope
      assert.match(String(metrics.body.text), /distillguard_detector_restarts_total 1/);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);

test(
  "on_detector_failure closed: while the detector is down, an account it has not assessed gets 503 with Retry-After in its API's format; a flagged account keeps its action",
  { timeout: 120_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-fault-detector-closed-'));
    const upstream = await startFakeUpstream({ reply: 'Served.' });
    const config = join(folder, 'gateway.json');
    writeFileSync(config, JSON.stringify({ detection: { on_detector_failure: 'closed' } }));
    const gateway = await startDetectorServe([
      '--upstream',
      upstream.url,
      '--db',
      join(folder, 'gateway.db'),
      '--config',
      config,
    ]);
    try {
      await until(
        'the warm start',
        async () =>
          (await call(gateway.url, 'GET', '/health/ready', undefined, null)).status === 200,
      );
      await call(
        gateway.url,
        'POST',
        '/v1/ingest',
        harvesterRecords('harvester')
          .map((record) => JSON.stringify(record))
          .join('\n'),
      );
      await call(gateway.url, 'POST', '/v1/admin/assess');
      assert.equal(
        (await call(gateway.url, 'POST', '/v1/decide', { account_id: 'harvester' })).body.action,
        'block',
      );
      const newcomer = (
        await call(gateway.url, 'POST', '/v1/admin/keys', { account_id: 'newcomer' })
      ).body.secret as string;
      assert.equal(await chatThrough(gateway.url, newcomer, 'while detection is current'), 200);

      const [detector] = detectorPids(gateway.pid);
      process.kill(detector, 'SIGKILL');
      await until('the detector down', async () =>
        (await call(gateway.url, 'GET', '/health', undefined, null)).body.reasons?.some(
          (reason: string) => /live detector down/.test(reason),
        ),
      );
      const openai = await request(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${newcomer}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'fake-model',
          messages: [{ role: 'user', content: 'while it is down' }],
        }),
      });
      assert.equal(openai.statusCode, 503);
      assert.equal(openai.headers['retry-after'], '5');
      assert.equal(
        ((await openai.body.json()) as { error: { code: string } }).error.code,
        'detector_unavailable',
      );
      const anthropic = await request(`${gateway.url}/v1/messages`, {
        method: 'POST',
        headers: {
          'x-api-key': newcomer,
          'anthropic-version': '2023-06-01',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          model: 'fake-model',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'while it is down' }],
        }),
      });
      assert.equal(anthropic.statusCode, 503);
      assert.deepEqual(
        ((await anthropic.body.json()) as { type: string; error: { type: string } }).error.type,
        'overloaded_error',
      );
      const flagged = await call(gateway.url, 'POST', '/v1/decide', { account_id: 'harvester' });
      assert.equal(flagged.body.action, 'block', 'the flagged account keeps its action');
      assert.equal(flagged.body.stale, true);

      await until(
        'the restarted detector',
        async () =>
          (await call(gateway.url, 'GET', '/health', undefined, null)).body.status === 'ok',
        30_000,
      );
      assert.equal(await chatThrough(gateway.url, newcomer, 'after the restart'), 200);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
