// The tracer action end to end: a stub ladder puts one account in cohort 3; the official OpenAI
// client calls the gateway; what it receives must be marked under cohort 3's key (and not 4's),
// whether the reference model marks it (sampler side) or the gateway does (selection, lexical).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startReferenceModelServer, type ReferenceServer } from '../refmodel/index.js';
import { humanTexts } from '../test-support/human-text.js';
import { startFakeUpstream, type FakeUpstream } from '../test-support/fake-openai-upstream.js';
import {
  LexicalChooser,
  WatermarkDetector,
  cohortWatermarkProcessors,
  deriveCohortKey,
  detectLexical,
  generateWatermarkKey,
  selectCandidate,
  writeWatermarkKey,
  type WatermarkKey,
} from '../watermark/index.js';
import { observeOnly, type Enforcement } from './enforcement.js';
import { parseGatewayConfig } from './gateway-config.js';
import { startGateway, type RunningGateway } from './server.js';
import { requestIdHeader, tracerCohortHeader } from '../core/index.js';

/** Account 'acct-tracer' is in tracer cohort 3; everyone else is observed. */
const tracing: Enforcement = {
  ...observeOnly,
  admit(accountId, nowMs) {
    if (accountId === 'acct-tracer')
      return {
        action: 'tracer',
        reason: 'test',
        campaignId: 'c1',
        cohort: 3,
        ttlS: 60,
        refusal: null,
      };
    return observeOnly.admit(accountId, nowMs);
  },
};

async function recordOf(gateway: RunningGateway, id: string | null): Promise<Record<string, any>> {
  await gateway.recorder.drain();
  for await (const raw of gateway.store.exportInteractions()) {
    const record = JSON.parse(raw) as Record<string, any>;
    if (record.id === id) return record;
  }
  assert.fail(`no record ${id}`);
}

describe('tracer watermarks at the gateway', () => {
  let folder: string;
  let master: WatermarkKey;
  let reference: ReferenceServer;
  let fake: FakeUpstream;
  let samplerGateway: RunningGateway;
  let gateway: RunningGateway;
  let sampler: OpenAI;
  let client: OpenAI;
  const reply = humanTexts(25, 200).join('\n\n');

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'dg-tracer-'));
    master = generateWatermarkKey('kgw');
    writeWatermarkKey(join(folder, 'master.json'), master);
    reference = await startReferenceModelServer({
      port: 0,
      logitsProcessorFor: cohortWatermarkProcessors(master),
    });
    samplerGateway = await startGateway({
      port: 0,
      databasePath: join(folder, 'sampler.db'),
      upstream: `${reference.url}/v1`,
      enforcement: () => tracing,
      logLevel: 'silent',
      config: parseGatewayConfig({
        watermark: { master_key_file: join(folder, 'master.json'), default_scheme: 'kgw' },
      }),
    });
    sampler = new OpenAI({
      apiKey: (await samplerGateway.keys.create('acct-tracer')).secret,
      baseURL: `${samplerGateway.url}/v1`,
      maxRetries: 0,
    });

    fake = await startFakeUpstream({ reply, chunks: 97 });
    process.env.DG_TEST_MASTER_KEY = JSON.stringify(master);
    gateway = await startGateway({
      port: 0,
      databasePath: join(folder, 'gateway.db'),
      enforcement: () => tracing,
      logLevel: 'silent',
      config: parseGatewayConfig({
        upstreams: [
          { name: 'vendor-lexical', url: fake.url, models: ['lex-*'] },
          { name: 'vendor-selection', url: fake.url, models: ['sel-*'] },
        ],
        watermark: {
          master_key_env: 'DG_TEST_MASTER_KEY',
          schemes: { 'vendor-lexical': 'lexical', 'vendor-selection': 'selection' },
        },
      }),
    });
    client = new OpenAI({
      apiKey: (await gateway.keys.create('acct-tracer')).secret,
      baseURL: `${gateway.url}/v1`,
      maxRetries: 0,
    });
  });

  after(async () => {
    await samplerGateway.close();
    await gateway.close();
    await reference.close();
    await fake.close();
    delete process.env.DG_TEST_MASTER_KEY;
    rmSync(folder, { recursive: true, force: true });
  });

  test("sampler side: the reference model marks with cohort 3's key; detected under 3, not 4; recorded", async () => {
    const { data, response } = await sampler.chat.completions
      .create({
        model: 'distillguard-refmodel',
        messages: [{ role: 'user', content: 'Write a long story about a lighthouse keeper.' }],
        max_tokens: 300,
        seed: 7,
        logit_bias: { '100257': -100 },
      })
      .withResponse();
    const text = data.choices[0].message.content ?? '';
    const cohort3 = deriveCohortKey(master, '3');
    const marked = new WatermarkDetector(cohort3).detectText(text);
    assert.ok(marked.scored_tokens >= 100, `scored ${marked.scored_tokens}`);
    assert.ok(marked.log10_p_value < -6, `cohort 3: log10 p ${marked.log10_p_value}`);
    assert.ok(
      new WatermarkDetector(deriveCohortKey(master, '4')).detectText(text).log10_p_value > -3,
    );
    const record = await recordOf(samplerGateway, response.headers.get(requestIdHeader));
    assert.deepEqual(record.watermark, { scheme: 'kgw', key_id: cohort3.key_id, cohort: 3 });
    assert.ok(
      !JSON.stringify(record).includes(master.secret) &&
        !JSON.stringify(record).includes(cohort3.secret),
      'no secret in the record',
    );
  });

  test('lexical: whole and streamed answers are the same marked text, detected under cohort 3, not 4; the vendor never sees the cohort', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'lex-1', messages: [{ role: 'user', content: 'Tell me things.' }] })
      .withResponse();
    const text = data.choices[0].message.content ?? '';
    assert.notEqual(text, reply);
    const stream = await client.chat.completions.create({
      model: 'lex-1',
      messages: [{ role: 'user', content: 'Tell me things.' }],
      stream: true,
    });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(streamed, text);
    const cohort3 = deriveCohortKey(master, '3');
    const marked = detectLexical(text, new LexicalChooser(cohort3));
    assert.ok(
      marked.log10_p_value < -6,
      `cohort 3: log10 p ${marked.log10_p_value} over ${marked.scored_tokens} words`,
    );
    assert.ok(
      detectLexical(text, new LexicalChooser(deriveCohortKey(master, '4'))).log10_p_value > -3,
    );
    assert.ok(
      detectLexical(reply, new LexicalChooser(cohort3)).log10_p_value > -3,
      'the unmarked reply is not flagged',
    );
    assert.ok(
      fake.received.every((received) => received.headers[tracerCohortHeader] === undefined),
    );
    const record = await recordOf(gateway, response.headers.get(requestIdHeader));
    assert.deepEqual(record.watermark, { scheme: 'lexical', key_id: cohort3.key_id, cohort: 3 });
    assert.equal(record.response.text, text, 'the record holds what was served');
  });

  test("selection: the vendor is asked for 4 candidates; the client gets one, the best under cohort 3's key", async () => {
    const before = fake.received.length;
    const { data, response } = await client.chat.completions
      .create({ model: 'sel-1', messages: [{ role: 'user', content: 'Tell me things.' }] })
      .withResponse();
    assert.equal(fake.received[before].body.n, 4);
    assert.equal(data.choices.length, 1);
    assert.equal(data.choices[0].index, 0);
    const candidates = [0, 1, 2, 3].map((index) => `${reply} (${index})`);
    const cohort3 = deriveCohortKey(master, '3');
    assert.equal(
      data.choices[0].message.content,
      candidates[selectCandidate(candidates, cohort3).index],
    );
    assert.equal(data.usage?.completion_tokens, Math.round(9 / 4));
    const record = await recordOf(gateway, response.headers.get(requestIdHeader));
    assert.deepEqual(record.watermark, { scheme: 'selection', key_id: cohort3.key_id, cohort: 3 });
  });

  test('config: errors name the field', () => {
    assert.throws(
      () => parseGatewayConfig({ watermark: { master_key_file: 'a.json', master_key_env: 'B' } }),
      /watermark\.master_key_file/,
    );
    assert.throws(
      () =>
        parseGatewayConfig({ watermark: { master_key_file: 'a.json', default_scheme: 'fancy' } }),
      /watermark\.default_scheme/,
    );
  });

  test("start: a scheme for an unknown upstream, or a sampler scheme other than the master key's, stops the start", async () => {
    const start = (watermark: Record<string, unknown>) =>
      startGateway({
        port: 0,
        databasePath: join(folder, 'bad.db'),
        upstream: fake.url,
        logLevel: 'silent',
        config: parseGatewayConfig({
          watermark: { master_key_file: join(folder, 'master.json'), ...watermark },
        }),
      });
    await assert.rejects(start({ schemes: { nowhere: 'lexical' } }), /watermark\.schemes\.nowhere/);
    await assert.rejects(
      start({ default_scheme: 'gumbel' }),
      /watermark\.default_scheme: 'gumbel'/,
    );
  });
});
