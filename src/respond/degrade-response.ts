// Response transforms for the degrade action: reasoning fields, Anthropic thinking blocks and
// <thinking>/<think> spans removed, from whole JSON bodies and from streamed chunks or events.
// Every function returns new objects; inputs are not changed.
import { isJsonObject, type ApiSurface, type JsonObject } from '../core/index.js';
import { stripThinking, ThinkingFilter } from './thinking-filter.js';

const openAiReasoningFields = ['reasoning_content', 'reasoning', 'reasoning_details'] as const;
const anthropicThinkingTypes = new Set(['thinking', 'redacted_thinking']);

function without(object: JsonObject, fields: readonly string[]): JsonObject {
  const copy = { ...object };
  for (const field of fields) delete copy[field];
  return copy;
}

/** OpenAI message content: a string, or an array of parts whose text parts are filtered. */
function stripContent(content: unknown): unknown {
  if (typeof content === 'string') return stripThinking(content);
  if (!Array.isArray(content)) return content;
  return content.map((part) =>
    isJsonObject(part) && typeof part.text === 'string'
      ? { ...part, text: stripThinking(part.text) }
      : part,
  );
}

/** Removes Anthropic `thinking` and `redacted_thinking` blocks; text blocks lose thinking spans. */
export function removeThinkingBlocks(content: readonly unknown[]): unknown[] {
  return content
    .filter(
      (block) =>
        !(
          isJsonObject(block) &&
          typeof block.type === 'string' &&
          anthropicThinkingTypes.has(block.type)
        ),
    )
    .map((block) =>
      isJsonObject(block) && block.type === 'text' && typeof block.text === 'string'
        ? { ...block, text: stripThinking(block.text) }
        : block,
    );
}

function mapChoices(body: JsonObject, mapChoice: (choice: JsonObject) => JsonObject): JsonObject {
  if (!Array.isArray(body.choices)) return body;
  return {
    ...body,
    choices: body.choices.map((choice) => (isJsonObject(choice) ? mapChoice(choice) : choice)),
  };
}

/**
 * A whole (non-streamed) response body with its reasoning removed.
 * - openai.chat: message.reasoning_content / reasoning / reasoning_details removed, thinking spans cut from content.
 * - openai.completions: thinking spans cut from each choice's text.
 * - openai.responses: `reasoning` output items removed, thinking spans cut from output_text parts.
 * - anthropic.messages: thinking and redacted_thinking blocks removed, spans cut from text blocks.
 */
export function stripReasoningFromResponse(
  api: ApiSurface,
  body: Readonly<JsonObject>,
): JsonObject {
  switch (api) {
    case 'openai.chat':
      return mapChoices(body, (choice) => {
        if (!isJsonObject(choice.message)) return choice;
        const message = without(choice.message, openAiReasoningFields);
        if ('content' in message) message.content = stripContent(message.content);
        return { ...choice, message };
      });
    case 'openai.completions':
      return mapChoices(body, (choice) =>
        typeof choice.text === 'string' ? { ...choice, text: stripThinking(choice.text) } : choice,
      );
    case 'openai.responses': {
      if (!Array.isArray(body.output)) return { ...body };
      const output = body.output
        .filter((item) => !(isJsonObject(item) && item.type === 'reasoning'))
        .map((item) =>
          isJsonObject(item) && Array.isArray(item.content)
            ? { ...item, content: stripContent(item.content) }
            : item,
        );
      const stripped: JsonObject = { ...body, output };
      if (typeof stripped.output_text === 'string')
        stripped.output_text = stripThinking(stripped.output_text);
      return stripped;
    }
    case 'anthropic.messages':
      return Array.isArray(body.content)
        ? { ...body, content: removeThinkingBlocks(body.content) }
        : { ...body };
  }
}

/**
 * Scrubs a streamed OpenAI chat completion one parsed chunk at a time: reasoning deltas removed,
 * thinking spans cut from content deltas (one filter per choice index), held-back text released
 * on the chunk that carries the choice's finish_reason.
 */
export class OpenAIChatStreamScrubber {
  private readonly filters = new Map<number, ThinkingFilter>();

  chunk(chunk: Readonly<JsonObject>): JsonObject {
    return mapChoices(chunk, (choice) => {
      const index = typeof choice.index === 'number' ? choice.index : 0;
      let filter = this.filters.get(index);
      if (filter === undefined) this.filters.set(index, (filter = new ThinkingFilter()));
      const delta = isJsonObject(choice.delta)
        ? without(choice.delta, openAiReasoningFields)
        : null;
      let text =
        delta !== null && typeof delta.content === 'string' ? filter.push(delta.content) : '';
      const finished = choice.finish_reason !== null && choice.finish_reason !== undefined;
      if (finished) text += filter.end();
      if (delta === null)
        return finished && text ? { ...choice, delta: { content: text } } : choice;
      if (typeof delta.content === 'string' || text) delta.content = text;
      return { ...choice, delta };
    });
  }
}

/**
 * Scrubs a streamed Anthropic message one parsed event at a time: thinking blocks (start, deltas,
 * stop) dropped, later blocks renumbered so indices stay contiguous, thinking spans cut from text
 * deltas. Returns the events to send in place of the one given (none, one, or two: held-back text
 * is released as a text delta just before its block's stop).
 */
export class AnthropicStreamScrubber {
  private readonly dropped = new Set<number>();
  private readonly filters = new Map<number, ThinkingFilter>();

  event(event: Readonly<JsonObject>): JsonObject[] {
    if (
      event.type === 'message_start' &&
      isJsonObject(event.message) &&
      Array.isArray(event.message.content)
    ) {
      return [
        {
          ...event,
          message: { ...event.message, content: removeThinkingBlocks(event.message.content) },
        },
      ];
    }
    if (typeof event.index !== 'number') return [{ ...event }];
    const index = event.index;
    if (
      event.type === 'content_block_start' &&
      isJsonObject(event.content_block) &&
      typeof event.content_block.type === 'string' &&
      anthropicThinkingTypes.has(event.content_block.type)
    ) {
      this.dropped.add(index);
      return [];
    }
    if (this.dropped.has(index)) return [];
    const renumbered =
      index - [...this.dropped].filter((droppedIndex) => droppedIndex < index).length;
    if (event.type === 'content_block_start') {
      if (isJsonObject(event.content_block) && event.content_block.type === 'text')
        this.filters.set(index, new ThinkingFilter());
      return [{ ...event, index: renumbered }];
    }
    const filter = this.filters.get(index);
    if (
      event.type === 'content_block_delta' &&
      filter &&
      isJsonObject(event.delta) &&
      event.delta.type === 'text_delta' &&
      typeof event.delta.text === 'string'
    ) {
      const text = filter.push(event.delta.text);
      return text ? [{ ...event, index: renumbered, delta: { ...event.delta, text } }] : [];
    }
    if (event.type === 'content_block_stop' && filter) {
      this.filters.delete(index);
      const rest = filter.end();
      const stop = { ...event, index: renumbered };
      return rest
        ? [
            {
              type: 'content_block_delta',
              index: renumbered,
              delta: { type: 'text_delta', text: rest },
            },
            stop,
          ]
        : [stop];
    }
    return [{ ...event, index: renumbered }];
  }
}
