import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chat } from '../test-support/interactions.js';
import { decodeSignals, encodeSignals } from './signal-codec.js';
import { requestSignals } from './signals/request-signals.js';

test('signals survive the trip to the detection thread unchanged', () => {
  const records = [
    chat({
      account: 'a',
      ts: Date.parse('2026-02-02T10:00:00Z'),
      ip: '203.0.113.9',
      text: 'Solve step by step: how many apples are left if 12 of 40 are eaten today at noon?',
      maxTokens: 4096,
      temperature: 0,
    }),
    chat({
      account: 'b',
      ts: Date.parse('2026-02-02T11:00:00Z'),
      text: 'hi',
      api: 'anthropic.messages',
      tools: true,
      history: ['one', 'two'],
    }),
  ];
  const signals = records.map((record) => requestSignals(record, Date.parse(record.ts)));
  signals[1].status = 429;
  assert.deepEqual(decodeSignals(encodeSignals(signals)), signals);
});
