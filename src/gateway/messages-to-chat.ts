// Serves Anthropic Messages clients from an OpenAI-compatible upstream (vLLM, llama.cpp, Ollama,
// the reference model): the request is rewritten as a Chat Completions body, and the answer (JSON
// or SSE chunks) is rewritten as a Messages answer or Messages stream events.
import { randomBytes } from 'node:crypto';
import { ApiError } from './api-error.js';
import { isJsonObject, type JsonObject } from '../core/index.js';

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) =>
      isJsonObject(block) && block.type === 'text' && typeof block.text === 'string'
        ? block.text
        : '',
    )
    .join('');
}

/** Rewrites an Anthropic Messages request as an OpenAI Chat Completions request. */
export function messagesToChatRequest(body: JsonObject): JsonObject {
  const messages: JsonObject[] = [];
  const system = textOf(body.system);
  if (system) messages.push({ role: 'system', content: system });
  if (!Array.isArray(body.messages))
    throw new ApiError(
      400,
      'invalid_request',
      'messages: Field required (an array of {role, content}).',
      { param: 'messages' },
    );
  body.messages.forEach((message, position) => {
    if (!isJsonObject(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      throw new ApiError(
        400,
        'invalid_request',
        `messages.${position}.role: must be 'user' or 'assistant'.`,
        { param: `messages.${position}.role` },
      );
    }
    const blocks =
      typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : Array.isArray(message.content)
          ? message.content
          : null;
    if (!blocks)
      throw new ApiError(
        400,
        'invalid_request',
        `messages.${position}.content: must be a string or an array of content blocks.`,
        { param: `messages.${position}.content` },
      );
    const text: string[] = [];
    const toolCalls: JsonObject[] = [];
    for (const block of blocks) {
      if (!isJsonObject(block)) continue;
      if (block.type === 'text' && typeof block.text === 'string') text.push(block.text);
      else if (block.type === 'tool_use') {
        toolCalls.push({
          id: block.id,
          type: 'function',
          function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
        });
      } else if (block.type === 'tool_result') {
        messages.push({
          role: 'tool',
          tool_call_id: block.tool_use_id,
          content: textOf(block.content),
        });
      }
    }
    if (message.role === 'assistant') {
      messages.push({
        role: 'assistant',
        content: text.join('') || null,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      });
    } else if (text.length > 0) messages.push({ role: 'user', content: text.join('') });
  });
  const chat: JsonObject = { model: body.model, messages };
  if (typeof body.max_tokens === 'number') chat.max_tokens = body.max_tokens;
  if (typeof body.temperature === 'number') chat.temperature = body.temperature;
  if (typeof body.top_p === 'number') chat.top_p = body.top_p;
  if (Array.isArray(body.stop_sequences)) chat.stop = body.stop_sequences;
  if (body.stream === true) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  if (Array.isArray(body.tools)) {
    chat.tools = body.tools.filter(isJsonObject).map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.input_schema ?? { type: 'object' },
      },
    }));
  }
  if (isJsonObject(body.tool_choice)) {
    const choice = body.tool_choice;
    chat.tool_choice =
      choice.type === 'any'
        ? 'required'
        : choice.type === 'none'
          ? 'none'
          : choice.type === 'tool'
            ? { type: 'function', function: { name: choice.name } }
            : 'auto';
  }
  return chat;
}

const stopReasons: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};
const messageId = () => `msg_${randomBytes(12).toString('hex')}`;

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return { _raw: text };
  }
}

/** Rewrites a Chat Completions answer as an Anthropic Messages answer (first choice). */
export function chatToMessagesResponse(chat: JsonObject, model: string): JsonObject {
  const choice =
    Array.isArray(chat.choices) && isJsonObject(chat.choices[0]) ? chat.choices[0] : {};
  const message = isJsonObject(choice.message) ? choice.message : {};
  const content: JsonObject[] = [];
  if (typeof message.content === 'string' && message.content.length > 0)
    content.push({ type: 'text', text: message.content });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isJsonObject(call) || !isJsonObject(call.function)) continue;
      content.push({
        type: 'tool_use',
        id: call.id ?? `toolu_${randomBytes(8).toString('hex')}`,
        name: call.function.name,
        input: parseArguments(String(call.function.arguments ?? '')),
      });
    }
  }
  const usage = isJsonObject(chat.usage) ? chat.usage : {};
  return {
    id: messageId(),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReasons[String(choice.finish_reason)] ?? 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: Number(usage.prompt_tokens ?? 0),
      output_tokens: Number(usage.completion_tokens ?? 0),
    },
  };
}

/** Anthropic's error types; an upstream's other types become api_error. */
const anthropicErrorTypes = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
]);

const sse = (event: string, data: JsonObject) =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Turns Chat Completions stream chunks (parsed JSON) into Anthropic Messages stream events, as
 * text to write. Only the first choice is relayed, as the Messages API has no `n`.
 */
export class ChatStreamToMessages {
  private readonly model: string;
  private started = false;
  private openBlock: { index: number; kind: 'text' | 'tool'; toolIndex?: number } | null = null;
  private nextIndex = 0;
  private stopReason = 'end_turn';
  /** The first choice's finish_reason was seen: the answer is complete. */
  private finished = false;
  /** Nothing more may be written: message_stop or an error event was sent. */
  private closed = false;
  private inputTokens = 0;
  private outputTokens = 0;

  constructor(model: string) {
    this.model = model;
  }

  chunk(chunk: JsonObject): string {
    if (this.closed) return '';
    if (chunk.error !== undefined) {
      // an OpenAI-compatible server reports a failure mid-stream as a chunk with an error object
      const error = isJsonObject(chunk.error) ? chunk.error : {};
      return this.fail(
        typeof error.type === 'string' ? error.type : 'api_error',
        typeof error.message === 'string' ? error.message : 'The upstream reported an error.',
      );
    }
    let out = this.start();
    if (isJsonObject(chunk.usage)) {
      this.inputTokens = Number(chunk.usage.prompt_tokens ?? this.inputTokens);
      this.outputTokens = Number(chunk.usage.completion_tokens ?? this.outputTokens);
    }
    const choice = Array.isArray(chunk.choices)
      ? chunk.choices.find((entry) => isJsonObject(entry) && (entry.index ?? 0) === 0)
      : undefined;
    if (!isJsonObject(choice)) return out;
    const delta = isJsonObject(choice.delta) ? choice.delta : {};
    if (typeof delta.content === 'string' && delta.content.length > 0) {
      if (this.openBlock?.kind !== 'text') out += this.open({ type: 'text', text: '' }, 'text');
      out += sse('content_block_delta', {
        type: 'content_block_delta',
        index: this.openBlock?.index ?? 0,
        delta: { type: 'text_delta', text: delta.content },
      });
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) {
        if (!isJsonObject(call)) continue;
        const toolIndex = Number(call.index ?? 0);
        const fn = isJsonObject(call.function) ? call.function : {};
        if (this.openBlock?.kind !== 'tool' || this.openBlock.toolIndex !== toolIndex) {
          out += this.open(
            {
              type: 'tool_use',
              id: call.id ?? `toolu_${randomBytes(8).toString('hex')}`,
              name: fn.name ?? '',
              input: {},
            },
            'tool',
            toolIndex,
          );
        }
        if (typeof fn.arguments === 'string' && fn.arguments.length > 0) {
          out += sse('content_block_delta', {
            type: 'content_block_delta',
            index: this.openBlock?.index ?? 0,
            delta: { type: 'input_json_delta', partial_json: fn.arguments },
          });
        }
      }
    }
    if (typeof choice.finish_reason === 'string') {
      this.stopReason = stopReasons[choice.finish_reason] ?? 'end_turn';
      this.finished = true;
    }
    return out;
  }

  /** An Anthropic error event in place of the rest of the answer (a chunk the bridge cannot read, say). */
  fail(type: string, message: string): string {
    if (this.closed) return '';
    this.closed = true;
    return (
      this.start() +
      sse('error', {
        type: 'error',
        error: { type: anthropicErrorTypes.has(type) ? type : 'api_error', message },
      })
    );
  }

  /** The closing events once the upstream stream has ended; an error event when it ended before a finish_reason. */
  end(): string {
    if (this.closed) return '';
    if (!this.finished)
      return this.fail(
        'api_error',
        'The upstream stream ended before the answer was complete; retry the request.',
      );
    this.closed = true;
    let out = this.start() + this.close();
    out += sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: this.stopReason, stop_sequence: null },
      usage: { output_tokens: this.outputTokens },
    });
    out += sse('message_stop', { type: 'message_stop' });
    return out;
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    return sse('message_start', {
      type: 'message_start',
      message: {
        id: messageId(),
        type: 'message',
        role: 'assistant',
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.inputTokens, output_tokens: 0 },
      },
    });
  }

  private open(block: JsonObject, kind: 'text' | 'tool', toolIndex?: number): string {
    const out = this.close();
    this.openBlock = { index: this.nextIndex, kind, toolIndex };
    this.nextIndex += 1;
    return (
      out +
      sse('content_block_start', {
        type: 'content_block_start',
        index: this.openBlock.index,
        content_block: block,
      })
    );
  }

  private close(): string {
    if (!this.openBlock) return '';
    const out = sse('content_block_stop', {
      type: 'content_block_stop',
      index: this.openBlock.index,
    });
    this.openBlock = null;
    return out;
  }
}
