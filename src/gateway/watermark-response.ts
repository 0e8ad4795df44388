// Applies the gateway-side tracer schemes to an answer: selection keeps the best-marked of n
// choices (whole answers only), lexical rewrites text in whole bodies and in SSE streams.
import {
  LexicalTransform,
  markLexical,
  selectCandidate,
  type LexicalChooser,
} from '../watermark/index.js';
import type { RewrittenEvent, StreamRewriter } from './enforcement.js';
import type { WatermarkPlan } from './tracer-watermark.js';
import { isJsonObject, type JsonObject, type GatewaySurface } from '../core/index.js';

function choiceText(surface: GatewaySurface, choice: unknown): string {
  if (!isJsonObject(choice)) return '';
  if (surface === 'openai.completions') return typeof choice.text === 'string' ? choice.text : '';
  const message = choice.message;
  return isJsonObject(message) && typeof message.content === 'string' ? message.content : '';
}

/**
 * Keeps the choice with the best keyed score as choice 0 and scales usage.completion_tokens to one
 * answer (the mean over the n), so the caller sees an ordinary single answer and no trace of the
 * others (Bahri and Wieting 2024).
 */
export function selectChoice(
  surface: GatewaySurface,
  body: JsonObject,
  plan: WatermarkPlan,
): JsonObject {
  const choices = Array.isArray(body.choices) ? body.choices : [];
  if (choices.length <= 1) return body;
  const selection = selectCandidate(
    choices.map((choice) => choiceText(surface, choice)),
    plan.key,
    plan.detector(),
  );
  const chosen = { ...(choices[selection.index] as JsonObject), index: 0 };
  const result: JsonObject = { ...body, choices: [chosen] };
  const usage = body.usage;
  if (isJsonObject(usage) && typeof usage.completion_tokens === 'number') {
    const completion = Math.round(usage.completion_tokens / choices.length);
    const scaled: JsonObject = { ...usage, completion_tokens: completion };
    if (typeof usage.prompt_tokens === 'number')
      scaled.total_tokens = usage.prompt_tokens + completion;
    result.usage = scaled;
  }
  return result;
}

/** Marks every text of a whole response body. */
export function markBodyLexically(
  surface: GatewaySurface,
  body: JsonObject,
  chooser: LexicalChooser,
): JsonObject {
  if (surface === 'anthropic.messages') {
    if (!Array.isArray(body.content)) return body;
    return {
      ...body,
      content: body.content.map((block) =>
        isJsonObject(block) && block.type === 'text' && typeof block.text === 'string'
          ? { ...block, text: markLexical(block.text, chooser) }
          : block,
      ),
    };
  }
  if (!Array.isArray(body.choices)) return body;
  return {
    ...body,
    choices: body.choices.map((choice) => {
      if (!isJsonObject(choice)) return choice;
      if (surface === 'openai.completions')
        return typeof choice.text === 'string'
          ? { ...choice, text: markLexical(choice.text, chooser) }
          : choice;
      const message = choice.message;
      return isJsonObject(message) && typeof message.content === 'string'
        ? { ...choice, message: { ...message, content: markLexical(message.content, chooser) } }
        : choice;
    }),
  };
}

/**
 * Marks a streamed answer as it passes: one transform per choice (or content block). Held-back text
 * (at most a partial word) joins the choice's finishing chunk, or goes out as its own delta before
 * the block ends ([DONE], content_block_stop, or the end of the stream).
 */
export function lexicalStreamRewriter(
  surface: GatewaySurface,
  chooser: LexicalChooser,
): StreamRewriter {
  const transforms = new Map<number, LexicalTransform>();
  let template: JsonObject | null = null;
  const transformOf = (index: number) => {
    let transform = transforms.get(index);
    if (!transform) transforms.set(index, (transform = new LexicalTransform(chooser)));
    return transform;
  };
  const heldEvents = (): RewrittenEvent[] => {
    const events: RewrittenEvent[] = [];
    for (const [index, transform] of transforms) {
      const held = transform.end();
      if (!held) continue;
      if (surface === 'anthropic.messages')
        events.push({
          event: 'content_block_delta',
          data: JSON.stringify({
            type: 'content_block_delta',
            index,
            delta: { type: 'text_delta', text: held },
          }),
        });
      else {
        const choice =
          surface === 'openai.completions'
            ? { index, text: held, finish_reason: null }
            : { index, delta: { content: held }, finish_reason: null };
        events.push({
          event: 'message',
          data: JSON.stringify({ ...(template ?? {}), choices: [choice] }),
        });
      }
    }
    transforms.clear();
    return events;
  };
  return {
    event(eventName, data) {
      let payload: unknown;
      try {
        payload = data === '[DONE]' ? null : JSON.parse(data);
      } catch {
        payload = null;
      }
      if (!isJsonObject(payload)) return [...heldEvents(), { event: eventName, data }];
      if (surface === 'anthropic.messages') {
        const delta = payload.delta;
        if (
          payload.type === 'content_block_delta' &&
          isJsonObject(delta) &&
          delta.type === 'text_delta' &&
          typeof delta.text === 'string'
        ) {
          const text = transformOf(Number(payload.index ?? 0)).push(delta.text);
          return [
            { event: eventName, data: JSON.stringify({ ...payload, delta: { ...delta, text } }) },
          ];
        }
        if (
          payload.type === 'content_block_stop' ||
          payload.type === 'message_delta' ||
          payload.type === 'message_stop'
        )
          return [...heldEvents(), { event: eventName, data }];
        return [{ event: eventName, data }];
      }
      if (!Array.isArray(payload.choices) || payload.choices.length === 0)
        return [...heldEvents(), { event: eventName, data }];
      const { choices: _choices, usage: _usage, ...rest } = payload;
      template = rest;
      const choices = payload.choices.map((choice) => {
        if (!isJsonObject(choice)) return choice;
        const index = Number(choice.index ?? 0);
        const finished = choice.finish_reason !== null && choice.finish_reason !== undefined;
        if (surface === 'openai.completions') {
          let text =
            typeof choice.text === 'string' ? transformOf(index).push(choice.text) : choice.text;
          if (finished && transforms.has(index)) {
            text = `${typeof text === 'string' ? text : ''}${transformOf(index).end()}`;
            transforms.delete(index);
          }
          return { ...choice, text };
        }
        const delta = isJsonObject(choice.delta) ? { ...choice.delta } : {};
        if (typeof delta.content === 'string')
          delta.content = transformOf(index).push(delta.content);
        if (finished && transforms.has(index)) {
          const held = transformOf(index).end();
          transforms.delete(index);
          if (held)
            delta.content = `${typeof delta.content === 'string' ? delta.content : ''}${held}`;
        }
        return { ...choice, delta };
      });
      return [{ event: eventName, data: JSON.stringify({ ...payload, choices }) }];
    },
    flush: heldEvents,
  };
}
