// Two gateways in front of one upstream, one throttled account calling both with the official
// OpenAI client: with `counters: redis` the account gets its configured rate across both (within
// 5%); with the in-memory default each gateway grants the rate again, which is why Redis is there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { LiveAccountState, LiveAssessment } from '../detect/index.js';
import { parsePolicyConfig } from '../respond/index.js';
import { startFakeUpstream, type FakeUpstream } from '../test-support/fake-openai-upstream.js';
import {
  dropRedisKeys,
  engineOrSkip,
  reachable,
  startRedisCommand,
  testRedisUrl,
} from '../test-support/engines.js';
import { parseGatewayConfig } from './gateway-config.js';
import { LadderEnforcement, type LiveView } from './ladder-enforcement.js';
import { startGateway, type RunningGateway } from './server.js';

const perSecond = 50;
const burst = 10;
const policy = parsePolicyConfig({
  throttle: { account: { requests_per_minute: perSecond * 60, burst } },
});

/** Detection's view: the one account is an extraction account of low risk, so the ladder throttles it. */
function throttledView(): LiveView {
  const accounts: [string, LiveAccountState][] = [
    ['acct-hot', { verdict: 'extraction', risk: 0.6, campaignId: null }],
  ];
  const assessment: LiveAssessment = {
    at: 0,
    interactions: 0,
    through: 0,
    observedAccounts: 1,
    accounts,
    campaigns: [],
    reasons: [],
    elapsedMs: 0,
  };
  const byAccount = new Map(accounts);
  return {
    assessment,
    account: (id: string) => byAccount.get(id),
    campaign: () => undefined,
  } as unknown as LiveView;
}

/** Calls both gateways as fast as 8 clients each can for `durationMs`; counts answers and 429s. */
async function hammer(clients: OpenAI[], durationMs: number) {
  let served = 0;
  let limited = 0;
  const started = performance.now();
  const caller = async (client: OpenAI) => {
    while (performance.now() - started < durationMs) {
      try {
        await client.chat.completions.create({
          model: 'm',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'hi' }],
        });
        served += 1;
      } catch (error) {
        if (!(error instanceof OpenAI.RateLimitError)) throw error;
        limited += 1;
      }
    }
  };
  await Promise.all(clients.flatMap((client) => Array.from({ length: 8 }, () => caller(client))));
  const elapsedS = (performance.now() - started) / 1000;
  return { served, limited, elapsedS, expected: burst + perSecond * elapsedS };
}

describe('throttle limits across two gateways', () => {
  let folder: string;
  let upstream: FakeUpstream;
  const prefix = `dg-test:${randomUUID()}:`;
  const running: RunningGateway[] = [];

  async function twoGateways(counters: object): Promise<OpenAI[]> {
    const clients: OpenAI[] = [];
    for (const name of ['a', 'b']) {
      const gateway = await startGateway({
        port: 0,
        databasePath: join(folder, `${name}-${randomUUID()}.db`),
        upstream: upstream.url,
        logLevel: 'silent',
        config: parseGatewayConfig({ counters }),
        enforcement: (_live, store, metrics, shared) =>
          new LadderEnforcement(throttledView(), store, policy, metrics, { counters: shared }),
      });
      running.push(gateway);
      clients.push(
        new OpenAI({
          apiKey: (await gateway.keys.create('acct-hot')).secret,
          baseURL: `${gateway.url}/v1`,
          maxRetries: 0,
        }),
      );
    }
    return clients;
  }

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'dg-shared-counters-'));
    upstream = await startFakeUpstream({ reply: 'ok', chunkDelayMs: 0 });
  });

  after(async () => {
    for (const gateway of running) await gateway.close();
    await upstream.close();
    rmSync(folder, { recursive: true, force: true });
    if (await reachable(testRedisUrl)) await dropRedisKeys(testRedisUrl, prefix);
  });

  test('with Redis counters the account gets its rate once, within 5%, whichever gateway it calls', async (t) => {
    if (!(await engineOrSkip(t, testRedisUrl, 'Redis', startRedisCommand))) return;
    // a generous timeout: on a loaded host a take that times out is decided locally, which is not what this test measures
    const clients = await twoGateways({
      kind: 'redis',
      url: testRedisUrl,
      key_prefix: prefix,
      timeout_ms: 1_000,
    });
    const load = await hammer(clients, 4_000);
    t.diagnostic(
      `redis: served ${load.served}, refused ${load.limited}, expected ${load.expected.toFixed(1)}`,
    );
    assert.ok(
      load.limited > load.served,
      `the load is well over the rate (${load.limited} refused)`,
    );
    assert.ok(
      Math.abs(load.served - load.expected) <= load.expected * 0.05,
      `served ${load.served} against ${load.expected.toFixed(1)} (burst ${burst} + ${load.elapsedS.toFixed(2)} s at ${perSecond}/s)`,
    );
    for (const gateway of running.slice(-2)) {
      assert.equal(gateway.health.summary().engines.counters, 'ok');
      assert.equal(gateway.health.report().engines.counters?.localTakes, 0, 'every take in Redis');
    }
  });

  test('with in-memory counters each gateway grants the rate again (what Redis prevents)', async (t) => {
    const clients = await twoGateways({ kind: 'memory' });
    const load = await hammer(clients, 4_000);
    t.diagnostic(
      `memory: served ${load.served}, refused ${load.limited}, expected ${load.expected.toFixed(1)}`,
    );
    assert.ok(
      load.served > load.expected * 1.8,
      `served ${load.served}: about twice ${load.expected.toFixed(1)}`,
    );
  });
});
