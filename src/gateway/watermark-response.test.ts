// Lexical marking of streamed answers in the completions and Anthropic formats gives the same text
// as marking the whole answer (the chat format is tested end to end in tracer-watermark.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedWatermarkKey } from '../test-support/watermark-keys.js';
import { LexicalChooser, markLexical } from '../watermark/index.js';
import { lexicalStreamRewriter } from './watermark-response.js';

const chooser = new LexicalChooser(fixedWatermarkKey('kgw', 'stream-formats'));
const text =
  'Big cars frequently need repair; perhaps the huge forest is vast and the doctor said so';
const pieces = (size: number) =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, index) =>
    text.slice(index * size, (index + 1) * size),
  );

test('completions stream: held text joins the finishing chunk', () => {
  const rewriter = lexicalStreamRewriter('openai.completions', chooser);
  let served = '';
  const read = (data: string) => {
    if (data === '[DONE]') return;
    for (const choice of (JSON.parse(data) as { choices: { text?: string }[] }).choices)
      served += choice.text ?? '';
  };
  for (const part of pieces(7))
    for (const event of rewriter.event(
      'message',
      JSON.stringify({ id: 'x', choices: [{ index: 0, text: part, finish_reason: null }] }),
    ))
      read(event.data);
  for (const event of rewriter.event(
    'message',
    JSON.stringify({ id: 'x', choices: [{ index: 0, text: '', finish_reason: 'stop' }] }),
  ))
    read(event.data);
  for (const event of [...rewriter.event('message', '[DONE]'), ...rewriter.flush()])
    read(event.data);
  assert.equal(served, markLexical(text, chooser));
});

test('anthropic stream: held text goes out before content_block_stop', () => {
  const rewriter = lexicalStreamRewriter('anthropic.messages', chooser);
  const events = [
    ...pieces(5).map((part) => ({
      event: 'content_block_delta',
      data: JSON.stringify({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: part },
      }),
    })),
    { event: 'content_block_stop', data: JSON.stringify({ type: 'content_block_stop', index: 0 }) },
  ];
  let served = '';
  const out = events.flatMap((event) => rewriter.event(event.event, event.data));
  for (const event of out) {
    const payload = JSON.parse(event.data) as { type: string; delta?: { text?: string } };
    if (payload.type === 'content_block_delta') served += payload.delta?.text ?? '';
  }
  assert.equal(out.at(-1)?.event, 'content_block_stop');
  assert.equal(served, markLexical(text, chooser));
});
