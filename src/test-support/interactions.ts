// Builders of interaction records for hand-built detection scenarios in tests.
import type { Interaction } from '../core/index.js';

let sequence = 0;

export interface ChatOptions {
  account: string;
  ts: number;
  text: string;
  ip?: string;
  api?: 'openai.chat' | 'anthropic.messages';
  system?: string;
  history?: string[];
  maxTokens?: number;
  temperature?: number;
  tools?: boolean;
}

/** One chat request with its newest user message `text` (and optional earlier turns). */
export function chat(options: ChatOptions): Interaction {
  sequence += 1;
  const api = options.api ?? 'openai.chat';
  const messages: { role: string; content: string }[] = [];
  if (options.system && api === 'openai.chat')
    messages.push({ role: 'system', content: options.system });
  for (const [index, turn] of (options.history ?? []).entries())
    messages.push({ role: index % 2 === 0 ? 'user' : 'assistant', content: turn });
  messages.push({ role: 'user', content: options.text });
  const request: Record<string, unknown> = { model: 'orion-1', messages };
  if (options.system && api === 'anthropic.messages') request.system = options.system;
  if (options.maxTokens !== undefined || api === 'anthropic.messages')
    request.max_tokens = options.maxTokens ?? 1024;
  if (options.temperature !== undefined) request.temperature = options.temperature;
  if (options.tools)
    request.tools = [
      {
        type: 'function',
        function: { name: 'lookup', parameters: { type: 'object', properties: {} } },
      },
    ];
  return {
    id: `t${sequence}`,
    ts: new Date(options.ts).toISOString(),
    account_id: options.account,
    client: options.ip ? { ip: options.ip } : undefined,
    api,
    model: 'orion-1',
    request,
    response: {
      status: 200,
      text: 'ok',
      usage: { input_tokens: Math.ceil(options.text.length / 4), output_tokens: 400 },
    },
  };
}

/** A fresh pseudo-random word sequence, so that every call gives new content. */
export function freshContent(seed: number, words = 14): string {
  const vocabulary = [
    'river',
    'matrix',
    'graph',
    'invoice',
    'planet',
    'token',
    'budget',
    'sensor',
    'garden',
    'vector',
    'ledger',
    'castle',
    'signal',
    'pixel',
    'harbor',
    'meadow',
  ];
  let state = (seed * 2654435761) >>> 0;
  const chosen: string[] = [];
  for (let index = 0; index < words; index += 1) {
    state = (Math.imul(state ^ (state >>> 15), 2246822507) + index) >>> 0;
    chosen.push(vocabulary[state % vocabulary.length]);
  }
  return `${chosen.join(' ')} ${seed}`;
}
