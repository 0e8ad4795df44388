import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decoyCatalogue } from './decoy-tools.js';
import { degradeRequest } from './degrade-request.js';
import { defaultPolicy } from './policy-config.js';

const settings = defaultPolicy.degrade;
const withDecoys = { ...settings, decoy_tools: true };

test('OpenAI chat: output capped, reasoning and logprob parameters removed, input untouched', () => {
  const body = {
    model: 'm',
    messages: [],
    max_tokens: 8000,
    max_completion_tokens: 200,
    reasoning_effort: 'high',
    reasoning: { effort: 'high' },
    logprobs: true,
    top_logprobs: 20,
    temperature: 0,
  };
  const degraded = degradeRequest('openai.chat', body, settings);
  assert.deepEqual(degraded, {
    model: 'm',
    messages: [],
    max_tokens: 1024,
    max_completion_tokens: 200,
    temperature: 0,
  });
  assert.equal(body.max_tokens, 8000, "the caller's object is not changed");
  assert.equal(
    degradeRequest('openai.chat', { messages: [] }, settings).max_completion_tokens,
    1024,
    'a cap is set when none is given',
  );
  assert.deepEqual(degradeRequest('openai.chat', { messages: [], max_tokens: 5000 }, settings), {
    messages: [],
    max_tokens: 1024,
  });
});

test('Anthropic messages: max_tokens capped and thinking removed', () => {
  const degraded = degradeRequest(
    'anthropic.messages',
    {
      model: 'c',
      max_tokens: 32000,
      thinking: { type: 'enabled', budget_tokens: 16000 },
      messages: [],
    },
    settings,
  );
  assert.deepEqual(degraded, { model: 'c', max_tokens: 1024, messages: [] });
  assert.equal(degradeRequest('anthropic.messages', { max_tokens: 100 }, settings).max_tokens, 100);
});

test('OpenAI completions and responses', () => {
  assert.deepEqual(
    degradeRequest('openai.completions', { prompt: 'p', max_tokens: 4096, logprobs: 5 }, settings),
    { prompt: 'p', max_tokens: 1024 },
  );
  assert.deepEqual(
    degradeRequest('openai.completions', { prompt: 'p' }, settings),
    { prompt: 'p' },
    'absent means 16 there: left alone',
  );
  assert.deepEqual(
    degradeRequest(
      'openai.responses',
      {
        input: 'q',
        reasoning: { effort: 'high', summary: 'auto' },
        include: [
          'reasoning.encrypted_content',
          'file_search_call.results',
          'message.output_text.logprobs',
        ],
        top_logprobs: 5,
      },
      settings,
    ),
    { input: 'q', include: ['file_search_call.results'], max_output_tokens: 1024 },
  );
});

test('settings turn each part off', () => {
  const keep = { ...settings, strip_reasoning: false, strip_logprobs: false };
  assert.deepEqual(
    degradeRequest(
      'openai.chat',
      { reasoning_effort: 'low', logprobs: true, max_completion_tokens: 10 },
      keep,
    ),
    { reasoning_effort: 'low', logprobs: true, max_completion_tokens: 10 },
  );
});

test("decoy tools: added only to requests with tools, in each API's shape, deterministic and without name clashes", () => {
  const chatTools = [
    { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
  ];
  const first = degradeRequest('openai.chat', { tools: chatTools }, withDecoys, 'camp-1');
  const again = degradeRequest('openai.chat', { tools: chatTools }, withDecoys, 'camp-1');
  assert.deepEqual(first, again);
  const tools = first.tools as { type: string; function: { name: string; description: string } }[];
  assert.equal(tools.length, 3);
  assert.equal(tools[0], chatTools[0]);
  assert.ok(
    tools
      .slice(1)
      .every(
        (tool) =>
          tool.type === 'function' &&
          decoyCatalogue.some((decoy) => decoy.name === tool.function.name),
      ),
  );
  assert.equal(
    degradeRequest('openai.chat', { messages: [] }, withDecoys, 'camp-1').tools,
    undefined,
    'no tools, no decoys',
  );

  const taken = decoyCatalogue
    .slice(0, decoyCatalogue.length - 1)
    .map((decoy) => ({ name: decoy.name, input_schema: {} }));
  const anthropic = degradeRequest(
    'anthropic.messages',
    { max_tokens: 10, tools: taken },
    withDecoys,
    'x',
  ).tools as { name: string; input_schema: unknown }[];
  assert.equal(anthropic.length, taken.length + 1, 'only the one free decoy name is used');
  assert.equal(anthropic.at(-1)!.name, decoyCatalogue.at(-1)!.name);
  assert.ok(anthropic.at(-1)!.input_schema);
  const responses = degradeRequest(
    'openai.responses',
    { tools: [{ type: 'web_search' }] },
    withDecoys,
    'y',
  ).tools as { type: string; name?: string }[];
  assert.ok(
    responses.slice(1).every((tool) => tool.type === 'function' && typeof tool.name === 'string'),
  );
});
