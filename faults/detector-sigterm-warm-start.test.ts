// SIGTERM during a stuck warm start (H3): the detector is stopped (SIGSTOP) the moment serve forks
// it, so the warm start never answers. SIGTERM still stops the gateway: the warm start's wait
// gives up when the detector makes no progress, and the stopped detector is killed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream } from '../src/test-support/fake-openai-upstream.js';
import { call, detectorPids, startDetectorServe } from './support/detector.js';

test(
  'SIGTERM during a stuck warm start still stops the gateway',
  { timeout: 120_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-fault-stuck-warm-'));
    const upstream = await startFakeUpstream({ reply: 'Served.' });
    let stopped: number | null = null;
    let watcher: NodeJS.Timeout | null = null;
    const gateway = await startDetectorServe(
      ['--upstream', upstream.url, '--db', join(folder, 'gateway.db')],
      (pid) => {
        watcher = setInterval(() => {
          const [detector] = detectorPids(pid);
          if (detector === undefined) return;
          process.kill(detector, 'SIGSTOP');
          stopped = detector;
          clearInterval(watcher as NodeJS.Timeout);
        }, 1);
      },
    );
    try {
      assert.ok(stopped !== null, 'the detector was stopped before the gateway listened');
      const ready = await call(gateway.url, 'GET', '/health/ready', undefined, null);
      assert.equal(ready.status, 503, 'not ready: the warm start has not answered');
      const health = await call(gateway.url, 'GET', '/health', undefined, null);
      assert.equal(health.body.status, 'degraded');
      assert.match(health.body.reasons.join(' '), /warming up/);

      const sentAt = Date.now();
      gateway.child.kill('SIGTERM');
      let bound: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        gateway.exited,
        new Promise<'hung'>((resolve) => (bound = setTimeout(() => resolve('hung'), 90_000))),
      ]);
      clearTimeout(bound);
      assert.equal(
        code,
        0,
        `serve stopped (${Math.round((Date.now() - sentAt) / 1000)} s after SIGTERM): ${gateway.output()}`,
      );
      assert.match(gateway.output(), /stopped\./);
    } finally {
      if (watcher) clearInterval(watcher);
      gateway.child.kill('SIGKILL');
      if (stopped !== null) {
        try {
          process.kill(stopped, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
