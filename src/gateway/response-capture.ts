// Reads what was served out of a response (JSON body or SSE events) in any of the three APIs:
// the text (choices joined by a blank line), reasoning, tool calls, finish reason and usage. It
// keeps at most `maxChars` characters of text, reasoning and tool-call arguments in all (the
// record's bound), and counts the rest; at most 256 choices and tool calls per choice are kept.
import type { ServerSentEvent } from './sse-parser.js';
import { isJsonObject, type JsonObject, type GatewaySurface } from '../core/index.js';

export interface CapturedResponse {
  text: string;
  reasoning: string;
  toolCalls: JsonObject[];
  finishReason: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Characters of text, reasoning and tool-call arguments served but not kept (past the cap). */
  droppedChars: number;
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asString = (value: unknown): string => (typeof value === 'string' ? value : '');
const asCount = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : null;

interface ChoiceParts {
  text: string;
  reasoning: string;
  /** Created with the first tool call (most answers have none). */
  toolCalls: Map<number, { id?: string; type?: string; name: string; arguments: string }> | null;
}

/** Choices, and tool calls per choice, kept per exchange: an upstream's indexes cannot grow the maps without bound. */
const maxEntries = 256;

const byIndex = <T>(entries: Map<number, T>): T[] =>
  [...entries.entries()].sort((a, b) => a[0] - b[0]).map(([, value]) => value);

export class ResponseCapture {
  private readonly surface: GatewaySurface;
  // one capture per exchange: the first choice has a field of its own, and the maps exist only
  // when an answer has more choices or tool calls (fewer objects per request for the GC)
  private firstChoice: ChoiceParts | null = null;
  private otherChoices: Map<number, ChoiceParts> | null = null;
  private anthropicTools: Map<number, { id: string; name: string; input: string }> | null = null;
  private finishReason: string | null = null;
  private inputTokens: number | null = null;
  private outputTokens: number | null = null;
  /** Characters that may still be kept, and those that could not be. */
  private room: number;
  private droppedChars = 0;

  constructor(surface: GatewaySurface, maxChars = Infinity) {
    this.surface = surface;
    this.room = maxChars;
  }

  /** `text`, or as much of it as the cap still allows (the rest counted). */
  private keep(text: string): string {
    if (text.length <= this.room) {
      this.room -= text.length;
      return text;
    }
    const kept = text.slice(0, this.room);
    this.droppedChars += text.length - kept.length;
    this.room = 0;
    return kept;
  }

  /** A complete (non-streamed) response body. */
  fromBody(body: unknown): void {
    if (!isJsonObject(body)) return;
    if (this.surface === 'anthropic.messages') {
      this.anthropicMessage(body);
      return;
    }
    this.openaiChoices(body, 'message');
  }

  /** One SSE event of a streamed response. */
  fromEvent(event: ServerSentEvent): void {
    if (event.data === '[DONE]') return;
    let payload: unknown;
    try {
      payload = JSON.parse(event.data);
    } catch {
      return; // not ours to judge: the bytes went to the client unchanged
    }
    if (!isJsonObject(payload)) return;
    if (this.surface === 'anthropic.messages') {
      this.anthropicEvent(payload);
      return;
    }
    this.openaiChoices(payload, 'delta');
  }

  /** OpenAI choices of a whole answer (`message`) or of a stream chunk (`delta`), and usage. */
  private openaiChoices(payload: JsonObject, part: 'message' | 'delta'): void {
    for (const choice of asArray(payload.choices)) {
      if (!isJsonObject(choice)) continue;
      const parts = this.choice(asCount(choice.index) ?? 0);
      const content = choice[part];
      if (this.surface === 'openai.completions') parts.text += this.keep(asString(choice.text));
      else if (isJsonObject(content)) this.openaiDelta(parts, content, part === 'message');
      if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
    }
    this.openaiUsage(payload.usage);
  }

  result(): CapturedResponse {
    const toolCalls: JsonObject[] = [];
    const first = this.firstChoice;
    if (this.otherChoices === null) {
      // one choice (nearly every answer): no sorting, no joining
      if (first?.toolCalls) ResponseCapture.openaiToolCalls(first.toolCalls, toolCalls);
      if (this.anthropicTools) ResponseCapture.anthropicToolCalls(this.anthropicTools, toolCalls);
      return {
        text: first?.text ?? '',
        reasoning: first?.reasoning ?? '',
        toolCalls,
        finishReason: this.finishReason,
        inputTokens: this.inputTokens,
        outputTokens: this.outputTokens,
        droppedChars: this.droppedChars,
      };
    }
    const all = new Map(this.otherChoices);
    if (first) all.set(0, first);
    const ordered = byIndex(all);
    for (const parts of ordered)
      if (parts.toolCalls) ResponseCapture.openaiToolCalls(parts.toolCalls, toolCalls);
    if (this.anthropicTools) ResponseCapture.anthropicToolCalls(this.anthropicTools, toolCalls);
    return {
      text: ordered.map((parts) => parts.text).join('\n\n'),
      reasoning: ordered
        .map((parts) => parts.reasoning)
        .filter((text) => text.length > 0)
        .join('\n\n'),
      toolCalls,
      finishReason: this.finishReason,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      droppedChars: this.droppedChars,
    };
  }

  private static openaiToolCalls(
    calls: NonNullable<ChoiceParts['toolCalls']>,
    into: JsonObject[],
  ): void {
    for (const call of byIndex(calls))
      into.push({
        ...(call.id ? { id: call.id } : {}),
        type: call.type ?? 'function',
        function: { name: call.name, arguments: call.arguments },
      });
  }

  private static anthropicToolCalls(
    tools: Map<number, { id: string; name: string; input: string }>,
    into: JsonObject[],
  ): void {
    for (const tool of byIndex(tools))
      into.push({ type: 'tool_use', id: tool.id, name: tool.name, input: tool.input });
  }

  private choice(index: number): ChoiceParts {
    if (index === 0) {
      this.firstChoice ??= { text: '', reasoning: '', toolCalls: null };
      return this.firstChoice;
    }
    this.otherChoices ??= new Map();
    let parts = this.otherChoices.get(index);
    if (!parts) {
      parts = { text: '', reasoning: '', toolCalls: null };
      // past the bound a choice is read (its text counted against the cap) but not kept
      if (this.otherChoices.size < maxEntries) this.otherChoices.set(index, parts);
    }
    return parts;
  }

  private anthropicTool(index: number, tool: { id: string; name: string; input: string }): void {
    this.anthropicTools ??= new Map();
    if (this.anthropicTools.size < maxEntries || this.anthropicTools.has(index))
      this.anthropicTools.set(index, tool);
  }

  private openaiDelta(parts: ChoiceParts, delta: JsonObject, whole: boolean): void {
    parts.text += this.keep(asString(delta.content));
    parts.reasoning += this.keep(asString(delta.reasoning_content) || asString(delta.reasoning));
    asArray(delta.tool_calls).forEach((call, position) => {
      if (!isJsonObject(call)) return;
      const index = whole ? position : (asCount(call.index) ?? position);
      parts.toolCalls ??= new Map();
      let tool = parts.toolCalls.get(index);
      if (!tool) {
        tool = { name: '', arguments: '' };
        if (parts.toolCalls.size < maxEntries) parts.toolCalls.set(index, tool);
      }
      if (typeof call.id === 'string') tool.id = call.id;
      if (typeof call.type === 'string') tool.type = call.type;
      if (isJsonObject(call.function)) {
        tool.name += this.keep(asString(call.function.name));
        tool.arguments += this.keep(asString(call.function.arguments));
      }
    });
  }

  private openaiUsage(usage: unknown): void {
    if (!isJsonObject(usage)) return;
    this.inputTokens = asCount(usage.prompt_tokens) ?? this.inputTokens;
    this.outputTokens = asCount(usage.completion_tokens) ?? this.outputTokens;
  }

  private anthropicMessage(message: JsonObject): void {
    const parts = this.choice(0);
    asArray(message.content).forEach((block, index) => {
      if (!isJsonObject(block)) return;
      if (block.type === 'text') parts.text += this.keep(asString(block.text));
      else if (block.type === 'thinking') parts.reasoning += this.keep(asString(block.thinking));
      else if (block.type === 'tool_use')
        this.anthropicTool(index, {
          id: asString(block.id),
          name: asString(block.name),
          input: this.keep(JSON.stringify(block.input ?? {})),
        });
    });
    if (typeof message.stop_reason === 'string') this.finishReason = message.stop_reason;
    this.anthropicUsage(message.usage);
  }

  private anthropicEvent(event: JsonObject): void {
    const parts = this.choice(0);
    const index = asCount(event.index) ?? 0;
    switch (event.type) {
      case 'message_start':
        if (isJsonObject(event.message)) this.anthropicUsage(event.message.usage);
        break;
      case 'content_block_start':
        if (isJsonObject(event.content_block)) {
          const block = event.content_block;
          if (block.type === 'text') parts.text += this.keep(asString(block.text));
          else if (block.type === 'tool_use')
            this.anthropicTool(index, {
              id: asString(block.id),
              name: asString(block.name),
              input: '',
            });
        }
        break;
      case 'content_block_delta':
        if (isJsonObject(event.delta)) {
          const delta = event.delta;
          if (delta.type === 'text_delta') parts.text += this.keep(asString(delta.text));
          else if (delta.type === 'thinking_delta')
            parts.reasoning += this.keep(asString(delta.thinking));
          else if (delta.type === 'input_json_delta') {
            const tool = this.anthropicTools?.get(index);
            if (tool) tool.input += this.keep(asString(delta.partial_json));
          }
        }
        break;
      case 'message_delta':
        if (isJsonObject(event.delta) && typeof event.delta.stop_reason === 'string')
          this.finishReason = event.delta.stop_reason;
        this.anthropicUsage(event.usage);
        break;
      default:
        break;
    }
  }

  private anthropicUsage(usage: unknown): void {
    if (!isJsonObject(usage)) return;
    this.inputTokens = asCount(usage.input_tokens) ?? this.inputTokens;
    this.outputTokens = asCount(usage.output_tokens) ?? this.outputTokens;
  }
}
