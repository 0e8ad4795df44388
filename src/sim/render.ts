// Turns a simulated exchange into an interaction record in the contract format, with the request
// body written in the API's own wire format (OpenAI Chat/Completions or Anthropic Messages).
import type { Interaction, InteractionResponse } from '../core/index.js';
import type { ToolFunction } from './fixtures.js';
import type { ClientInfo, Exchange, SimMessage, ToolCall } from './exchange.js';
import type { Random } from './random.js';

/** Rough token count (about four characters per token), used for usage and limits. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** BFCL writes Python type names; JSON Schema wants its own. */
function toJsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'type' && typeof inner === 'string') {
      const mapped: Record<string, string> = {
        dict: 'object',
        float: 'number',
        tuple: 'array',
        list: 'array',
        any: 'string',
        int: 'integer',
        str: 'string',
        bool: 'boolean',
      };
      result[key] = mapped[inner] ?? inner;
    } else {
      result[key] = toJsonSchema(inner);
    }
  }
  return result;
}

function openaiTools(tools: ToolFunction[]) {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name.replaceAll('.', '_'),
      description: tool.description,
      parameters: toJsonSchema(tool.parameters),
    },
  }));
}

function anthropicTools(tools: ToolFunction[]) {
  return tools.map((tool) => ({
    name: tool.name.replaceAll('.', '_'),
    description: tool.description,
    input_schema: toJsonSchema(tool.parameters),
  }));
}

function openaiToolCall(call: ToolCall) {
  return {
    id: call.id,
    type: 'function',
    function: { name: call.name.replaceAll('.', '_'), arguments: JSON.stringify(call.arguments) },
  };
}

function anthropicToolUse(call: ToolCall) {
  return {
    type: 'tool_use',
    id: call.id,
    name: call.name.replaceAll('.', '_'),
    input: call.arguments,
  };
}

function openaiMessages(exchange: Exchange) {
  const messages: Record<string, unknown>[] = [];
  if (exchange.system) messages.push({ role: 'system', content: exchange.system });
  for (const message of exchange.messages) {
    if (message.role === 'tool')
      messages.push({ role: 'tool', tool_call_id: message.toolCallId, content: message.content });
    else if (message.role === 'assistant' && message.toolCalls)
      messages.push({
        role: 'assistant',
        content: message.content || null,
        tool_calls: message.toolCalls.map(openaiToolCall),
      });
    else messages.push({ role: message.role, content: message.content });
  }
  return messages;
}

function anthropicMessages(messages: SimMessage[]) {
  const rendered: { role: string; content: unknown }[] = [];
  for (const message of messages) {
    if (message.role === 'tool') {
      const block = {
        type: 'tool_result',
        tool_use_id: message.toolCallId,
        content: message.content,
      };
      const last = rendered[rendered.length - 1];
      if (last && last.role === 'user' && Array.isArray(last.content))
        (last.content as unknown[]).push(block);
      else rendered.push({ role: 'user', content: [block] });
    } else if (message.role === 'assistant' && message.toolCalls) {
      const blocks: unknown[] = message.content ? [{ type: 'text', text: message.content }] : [];
      rendered.push({
        role: 'assistant',
        content: [...blocks, ...message.toolCalls.map(anthropicToolUse)],
      });
    } else {
      rendered.push({ role: message.role, content: message.content });
    }
  }
  return rendered;
}

function requestBody(exchange: Exchange): Record<string, unknown> {
  const common = (body: Record<string, unknown>) => {
    if (exchange.temperature !== undefined) body.temperature = exchange.temperature;
    if (exchange.topP !== undefined) body.top_p = exchange.topP;
    if (exchange.stream) body.stream = true;
    return body;
  };
  if (exchange.api === 'anthropic.messages') {
    const body: Record<string, unknown> = {
      model: exchange.model,
      max_tokens: exchange.maxTokens ?? 1024,
    };
    if (exchange.system) body.system = exchange.system;
    body.messages = anthropicMessages(exchange.messages);
    if (exchange.tools) body.tools = anthropicTools(exchange.tools);
    return common(body);
  }
  if (exchange.api === 'openai.completions') {
    const body: Record<string, unknown> = {
      model: exchange.model,
      prompt: exchange.messages[0]?.content ?? '',
    };
    if (exchange.maxTokens !== undefined) body.max_tokens = exchange.maxTokens;
    if (exchange.n && exchange.n > 1) body.n = exchange.n;
    if (exchange.logprobs) body.logprobs = exchange.topLogprobs ?? 5;
    return common(body);
  }
  const body: Record<string, unknown> = {
    model: exchange.model,
    messages: openaiMessages(exchange),
  };
  if (exchange.maxTokens !== undefined) body.max_tokens = exchange.maxTokens;
  if (exchange.n && exchange.n > 1) body.n = exchange.n;
  if (exchange.logprobs) {
    body.logprobs = true;
    if (exchange.topLogprobs) body.top_logprobs = exchange.topLogprobs;
  }
  if (exchange.tools) body.tools = openaiTools(exchange.tools);
  return common(body);
}

function finishReason(api: Exchange['api'], finish: 'stop' | 'length' | 'tool_calls'): string {
  if (api !== 'anthropic.messages') return finish;
  return finish === 'stop' ? 'end_turn' : finish === 'length' ? 'max_tokens' : 'tool_use';
}

function inputText(exchange: Exchange): number {
  let characters = exchange.system?.length ?? 0;
  for (const message of exchange.messages)
    characters +=
      message.content.length +
      (message.role === 'assistant' && message.toolCalls
        ? JSON.stringify(message.toolCalls).length
        : 0);
  if (exchange.tools) characters += JSON.stringify(exchange.tools).length;
  return characters;
}

function responseOf(exchange: Exchange, random: Random): InteractionResponse {
  const status = exchange.status ?? 200;
  const inputTokens = Math.ceil(inputText(exchange) / 4);
  if (status >= 400) return { status, latency_ms: Math.round(random.uniform(15, 120)) };
  const replies = exchange.replies;
  const text = replies.map((reply) => reply.text).join('\n\n');
  const reasoning = replies
    .map((reply) => reply.reasoning ?? '')
    .filter(Boolean)
    .join('\n\n');
  const toolCalls = replies.flatMap((reply) => reply.toolCalls ?? []);
  const outputTokens = estimateTokens(text) + estimateTokens(reasoning) + toolCalls.length * 20;
  const first = replies[0];
  const response: InteractionResponse = {
    status,
    text,
    finish_reason: finishReason(
      exchange.api,
      first?.finish ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    ),
    usage: { input_tokens: inputTokens, output_tokens: outputTokens },
    // time to first token plus decode time, with noise
    latency_ms: Math.round(random.uniform(180, 700) + outputTokens * random.uniform(12, 28)),
  };
  if (reasoning) response.reasoning = reasoning;
  if (toolCalls.length > 0)
    response.tool_calls = toolCalls.map((call): Record<string, unknown> =>
      exchange.api === 'anthropic.messages' ? anthropicToolUse(call) : openaiToolCall(call),
    );
  return response;
}

/** The contract record of `exchange`, sent at `ts` from `client`. */
export function renderInteraction(
  id: string,
  ts: number,
  accountId: string,
  keyId: string,
  client: ClientInfo,
  exchange: Exchange,
  random: Random,
): Interaction {
  return {
    id,
    ts: new Date(Math.floor(ts)).toISOString(),
    account_id: accountId,
    key_id: keyId,
    client: {
      ip: client.ip,
      user_agent: client.userAgent,
      asn: client.asn,
      country: client.country,
    },
    api: exchange.api,
    model: exchange.model,
    request: requestBody(exchange),
    response: responseOf(exchange, random),
  };
}
