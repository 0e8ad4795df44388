// Serves OpenAI Chat Completions clients from an Anthropic Messages upstream (the reverse of
// messages-to-chat.ts): the request is rewritten as a Messages body, and the answer (JSON or named
// SSE events) is rewritten as a chat.completion object or chat.completion.chunk stream.
import { randomBytes } from 'node:crypto';
import { ApiError } from './api-error.js';
import { isJsonObject, type JsonObject } from '../core/index.js';

const invalid = (param: string, message: string) =>
  new ApiError(400, 'invalid_request', `${param}: ${message}`, { param });

/** Used when the client sets neither max_tokens nor max_completion_tokens: Messages requires one. */
export const defaultMaxTokens = 4096;

/** Media types the Messages API accepts in a base64 image block. */
const imageMediaTypes = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** The text of a string or of an array of `{type:'text'}` parts; other parts are an error at `param`. */
function textOf(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content))
    throw invalid(param, 'must be a string or an array of content parts.');
  return content
    .map((part, position) => {
      if (isJsonObject(part) && part.type === 'text' && typeof part.text === 'string')
        return part.text;
      if (isJsonObject(part) && part.type === 'refusal' && typeof part.refusal === 'string')
        return part.refusal;
      throw invalid(`${param}.${position}`, 'only text parts are accepted here.');
    })
    .join('');
}

function imageBlock(part: JsonObject, param: string): JsonObject {
  const url = isJsonObject(part.image_url) ? part.image_url.url : undefined;
  if (typeof url !== 'string') throw invalid(param, 'image_url.url must be a string.');
  const dataUrl = /^data:([^;,]+);base64,(.+)$/s.exec(url);
  if (dataUrl) {
    if (!imageMediaTypes.has(dataUrl[1]))
      throw invalid(
        param,
        `image type ${dataUrl[1]} is not accepted; send JPEG, PNG, GIF or WebP.`,
      );
    return { type: 'image', source: { type: 'base64', media_type: dataUrl[1], data: dataUrl[2] } };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalid(param, 'image_url.url must be a base64 data: URL or an http(s) URL.');
}

/** User content as Messages blocks: text and images; audio and files have no Messages equivalent here. */
function userBlocks(content: unknown, param: string): JsonObject[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content))
    throw invalid(param, 'must be a string or an array of content parts.');
  return content.flatMap((part, position) => {
    if (isJsonObject(part) && part.type === 'text' && typeof part.text === 'string')
      return part.text ? [{ type: 'text', text: part.text }] : [];
    if (isJsonObject(part) && part.type === 'image_url')
      return [imageBlock(part, `${param}.${position}`)];
    throw invalid(
      `${param}.${position}`,
      `content part type ${JSON.stringify(isJsonObject(part) ? part.type : part)} cannot be sent to this model; send text or image_url parts.`,
    );
  });
}

function toolUseBlock(call: unknown, param: string): JsonObject {
  const fn = isJsonObject(call) && isJsonObject(call.function) ? call.function : null;
  if (!isJsonObject(call) || !fn || typeof fn.name !== 'string')
    throw invalid(param, 'must be {id, type:"function", function:{name, arguments}}.');
  const text = typeof fn.arguments === 'string' ? fn.arguments : '';
  let input: unknown;
  try {
    input = text.trim() ? JSON.parse(text) : {};
  } catch {
    throw invalid(
      `${param}.function.arguments`,
      'is not valid JSON; send the arguments the model produced, unchanged.',
    );
  }
  if (!isJsonObject(input))
    throw invalid(`${param}.function.arguments`, 'must encode a JSON object.');
  return {
    type: 'tool_use',
    id: typeof call.id === 'string' ? call.id : `toolu_${randomBytes(8).toString('hex')}`,
    name: fn.name,
    input,
  };
}

function toolChoiceOf(choice: unknown): JsonObject | undefined {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  if (
    isJsonObject(choice) &&
    isJsonObject(choice.function) &&
    typeof choice.function.name === 'string'
  )
    return { type: 'tool', name: choice.function.name };
  if (choice === undefined || choice === null) return undefined;
  throw invalid(
    'tool_choice',
    "must be 'auto', 'none', 'required' or {type:'function', function:{name}}.",
  );
}

/**
 * Rewrites an OpenAI Chat Completions request as an Anthropic Messages request.
 * System and developer messages, wherever they stand, become `system`; tool results become
 * `tool_result` blocks in a user turn; same-role neighbours are merged, as Messages alternates.
 * `max_tokens` defaults to {@link defaultMaxTokens}. Fields with no Messages meaning are dropped;
 * those whose loss would change the answer's shape (`n > 1`, `logprobs`) are refused with a 400.
 * @example
 * chatToMessagesRequest({ model: 'claude-x', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] })
 * // → { model: 'claude-x', system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], max_tokens: 4096 }
 */
export function chatToMessagesRequest(body: JsonObject): JsonObject {
  if (typeof body.n === 'number' && body.n > 1)
    throw invalid(
      'n',
      'the Anthropic upstream returns one choice per request; send n: 1 and repeat the request for more.',
    );
  if (body.logprobs === true)
    throw invalid(
      'logprobs',
      'the Anthropic upstream does not return log probabilities; remove logprobs.',
    );
  if (typeof body.top_logprobs === 'number' && body.top_logprobs > 0)
    throw invalid(
      'top_logprobs',
      'the Anthropic upstream does not return log probabilities; remove top_logprobs.',
    );
  if (typeof body.temperature === 'number' && body.temperature > 1)
    throw invalid('temperature', 'the Anthropic upstream accepts 0 to 1; scale the value down.');
  if (!Array.isArray(body.messages))
    throw invalid('messages', 'Field required (an array of {role, content}).');

  const system: string[] = [];
  const turns: { role: 'user' | 'assistant'; content: JsonObject[] }[] = [];
  const append = (role: 'user' | 'assistant', content: JsonObject[]) => {
    if (content.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  };
  body.messages.forEach((message, position) => {
    const param = `messages.${position}`;
    if (!isJsonObject(message)) throw invalid(param, 'must be an object {role, content}.');
    if (message.role === 'system' || message.role === 'developer') {
      const text = textOf(message.content, `${param}.content`);
      if (text) system.push(text);
    } else if (message.role === 'user') {
      append('user', userBlocks(message.content, `${param}.content`));
    } else if (message.role === 'assistant') {
      const text = textOf(message.content, `${param}.content`);
      const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
      append('assistant', [
        ...(text ? [{ type: 'text', text }] : []),
        ...calls.map((call, index) => toolUseBlock(call, `${param}.tool_calls.${index}`)),
      ]);
    } else if (message.role === 'tool') {
      if (typeof message.tool_call_id !== 'string')
        throw invalid(
          `${param}.tool_call_id`,
          'Field required (the id of the tool call this answers).',
        );
      const text = textOf(message.content, `${param}.content`);
      append('user', [
        {
          type: 'tool_result',
          tool_use_id: message.tool_call_id,
          ...(text ? { content: text } : {}),
        },
      ]);
    } else {
      throw invalid(
        `${param}.role`,
        "must be 'system', 'developer', 'user', 'assistant' or 'tool'.",
      );
    }
  });
  // Messages wants a user turn's tool results before its text.
  for (const turn of turns) {
    if (turn.role === 'user')
      turn.content.sort(
        (a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'),
      );
  }

  const request: JsonObject = { model: body.model, messages: turns };
  if (system.length > 0) request.system = system.join('\n\n');
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  request.max_tokens = typeof maxTokens === 'number' ? maxTokens : defaultMaxTokens;
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (typeof body.top_p === 'number') request.top_p = body.top_p;
  if (typeof body.stop === 'string') request.stop_sequences = [body.stop];
  else if (Array.isArray(body.stop) && body.stop.length > 0) request.stop_sequences = body.stop;
  if (body.stream === true) request.stream = true;
  const user = body.user ?? body.safety_identifier;
  if (typeof user === 'string' && user) request.metadata = { user_id: user };

  if (Array.isArray(body.tools) && body.tools.length > 0) {
    request.tools = body.tools.map((tool, position) => {
      if (
        !isJsonObject(tool) ||
        tool.type !== 'function' ||
        !isJsonObject(tool.function) ||
        typeof tool.function.name !== 'string'
      ) {
        throw invalid(
          `tools.${position}`,
          'only {type:"function", function:{name, description, parameters}} tools can be sent to this model.',
        );
      }
      const fn = tool.function;
      return {
        name: fn.name,
        ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
        input_schema: isJsonObject(fn.parameters)
          ? fn.parameters
          : { type: 'object', properties: {} },
      };
    });
    const choice =
      toolChoiceOf(body.tool_choice) ??
      (body.parallel_tool_calls === false ? { type: 'auto' } : undefined);
    if (choice && body.parallel_tool_calls === false && choice.type !== 'none')
      choice.disable_parallel_tool_use = true;
    if (choice) request.tool_choice = choice;
  }
  return request;
}

const finishReasons: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};
const finishReasonOf = (stopReason: unknown) => finishReasons[String(stopReason)] ?? 'stop';
const completionId = (messageId: unknown) =>
  typeof messageId === 'string' && messageId
    ? `chatcmpl-${messageId}`
    : `chatcmpl-${randomBytes(12).toString('hex')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** OpenAI usage from Messages usage: Anthropic counts cached input apart, OpenAI counts it in. */
function usageOf(usage: JsonObject): JsonObject {
  const cached = Number(usage.cache_read_input_tokens ?? 0);
  const promptTokens =
    Number(usage.input_tokens ?? 0) + Number(usage.cache_creation_input_tokens ?? 0) + cached;
  const completionTokens = Number(usage.output_tokens ?? 0);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

/**
 * Rewrites an Anthropic Messages answer as an OpenAI `chat.completion` object with one choice.
 * Thinking blocks are joined into `message.reasoning_content`; `model` is the name to report.
 */
export function messagesToChatResponse(message: JsonObject, model: string): JsonObject {
  const blocks = Array.isArray(message.content) ? message.content.filter(isJsonObject) : [];
  const text = blocks
    .filter((block) => block.type === 'text')
    .map((block) => String(block.text ?? ''))
    .join('');
  const reasoning = blocks
    .filter((block) => block.type === 'thinking')
    .map((block) => String(block.thinking ?? ''))
    .join('');
  const toolCalls = blocks
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({
      id: block.id,
      type: 'function',
      function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
    }));
  const chatMessage: JsonObject = {
    role: 'assistant',
    content: text || (toolCalls.length > 0 ? null : ''),
    refusal: null,
  };
  if (reasoning) chatMessage.reasoning_content = reasoning;
  if (toolCalls.length > 0) chatMessage.tool_calls = toolCalls;
  return {
    id: completionId(message.id),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [
      {
        index: 0,
        message: chatMessage,
        logprobs: null,
        finish_reason: finishReasonOf(message.stop_reason),
      },
    ],
    usage: usageOf(isJsonObject(message.usage) ? message.usage : {}),
  };
}

const openaiErrorTypes = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'rate_limit_error',
  'api_error',
]);
const dataLine = (payload: JsonObject) => `data: ${JSON.stringify(payload)}\n\n`;

/**
 * Turns Anthropic Messages stream events into OpenAI `chat.completion.chunk` SSE text to write.
 * Feed each upstream event (its `event:` name and `data:` text) to `event`, then call `end` when
 * the upstream closes. `includeUsage` is the client's `stream_options.include_usage`.
 * An upstream `error` event, or a stream that stops before `message_stop`, is relayed as an
 * OpenAI error chunk `data: {"error":{...}}`; the stream then ends without `[DONE]`, as the
 * OpenAI API does, and later events are ignored.
 * @example
 * const translator = new MessagesStreamToChat('claude-x', false);
 * new SseParser((event) => reply.write(translator.event(event.event, event.data)));
 * // ...when the upstream ends: reply.end(translator.end());
 */
export class MessagesStreamToChat {
  private readonly model: string;
  private readonly includeUsage: boolean;
  private id = completionId(undefined);
  private readonly created = nowSeconds();
  private started = false;
  /** message_stop was seen. */
  private finished = false;
  /** Nothing more may be written: [DONE] or an error chunk was sent. */
  private closed = false;
  /** Messages block index → OpenAI tool_calls index, for tool_use blocks. */
  private readonly toolIndexes = new Map<number, number>();
  private usage: JsonObject = {};

  constructor(model: string, includeUsage: boolean) {
    this.model = model;
    this.includeUsage = includeUsage;
  }

  event(eventName: string, data: string): string {
    if (this.closed || this.finished) return '';
    let payload: JsonObject;
    try {
      const parsed: unknown = JSON.parse(data);
      if (!isJsonObject(parsed)) throw new Error('not an object');
      payload = parsed;
    } catch {
      return this.fail(
        'upstream_error',
        'The upstream sent a stream event that is not JSON; retry the request.',
      );
    }
    const type = eventName && eventName !== 'message' ? eventName : String(payload.type);
    switch (type) {
      case 'message_start': {
        const message = isJsonObject(payload.message) ? payload.message : {};
        if (!this.started) this.id = completionId(message.id);
        if (isJsonObject(message.usage)) this.usage = { ...message.usage };
        return this.start();
      }
      case 'content_block_start':
        return this.blockStart(
          Number(payload.index),
          isJsonObject(payload.content_block) ? payload.content_block : {},
        );
      case 'content_block_delta':
        return this.blockDelta(
          Number(payload.index),
          isJsonObject(payload.delta) ? payload.delta : {},
        );
      case 'message_delta': {
        if (isJsonObject(payload.usage)) this.usage = { ...this.usage, ...payload.usage };
        const delta = isJsonObject(payload.delta) ? payload.delta : {};
        if (delta.stop_reason === undefined || delta.stop_reason === null) return '';
        return this.start() + this.chunk({}, finishReasonOf(delta.stop_reason));
      }
      case 'message_stop':
        this.finished = true;
        return '';
      case 'error': {
        const error = isJsonObject(payload.error) ? payload.error : {};
        return this.fail(
          typeof error.type === 'string' ? error.type : 'api_error',
          typeof error.message === 'string' ? error.message : 'The upstream reported an error.',
        );
      }
      default:
        return ''; // ping, content_block_stop, and event types added later
    }
  }

  /** The closing text: a usage chunk when asked for, then `[DONE]`. Empty once an error chunk was sent. */
  end(): string {
    if (this.closed) return '';
    if (!this.finished)
      return this.fail(
        'upstream_error',
        'The upstream stream ended before the answer was complete; retry the request.',
      );
    this.closed = true;
    const usage = this.includeUsage
      ? dataLine({ ...this.header(), choices: [], usage: usageOf(this.usage) })
      : '';
    return `${usage}data: [DONE]\n\n`;
  }

  private blockStart(index: number, block: JsonObject): string {
    if (block.type === 'text' && typeof block.text === 'string' && block.text)
      return this.start() + this.chunk({ content: block.text });
    if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking)
      return this.start() + this.chunk({ reasoning_content: block.thinking });
    if (block.type !== 'tool_use') return '';
    const toolIndex = this.toolIndexes.size;
    this.toolIndexes.set(index, toolIndex);
    return (
      this.start() +
      this.chunk({
        tool_calls: [
          {
            index: toolIndex,
            id: block.id,
            type: 'function',
            function: { name: block.name, arguments: '' },
          },
        ],
      })
    );
  }

  private blockDelta(index: number, delta: JsonObject): string {
    if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text)
      return this.start() + this.chunk({ content: delta.text });
    if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string' && delta.thinking)
      return this.start() + this.chunk({ reasoning_content: delta.thinking });
    const toolIndex = this.toolIndexes.get(index);
    if (
      delta.type === 'input_json_delta' &&
      toolIndex !== undefined &&
      typeof delta.partial_json === 'string' &&
      delta.partial_json
    ) {
      return (
        this.start() +
        this.chunk({
          tool_calls: [{ index: toolIndex, function: { arguments: delta.partial_json } }],
        })
      );
    }
    return ''; // signature_delta, citations_delta, and deltas of blocks with no Chat equivalent
  }

  /** The first chunk, which carries the role, once. */
  private start(): string {
    if (this.started) return '';
    this.started = true;
    return this.chunk({ role: 'assistant', content: '' });
  }

  private header(): JsonObject {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
    };
  }

  private chunk(delta: JsonObject, finishReason: string | null = null): string {
    return dataLine({
      ...this.header(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(this.includeUsage ? { usage: null } : {}),
    });
  }

  private fail(code: string, message: string): string {
    this.closed = true;
    return dataLine({
      error: { message, type: openaiErrorTypes.has(code) ? code : 'api_error', param: null, code },
    });
  }
}
