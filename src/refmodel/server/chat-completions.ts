// POST /v1/chat/completions: OpenAI's chat format, whole or as server-sent events.
import { randomBytes } from 'node:crypto';
import { chatPromptText } from '../chat-prompt.js';
import type { GeneratedToken } from '../generate.js';
import type { LogitsProcessor } from '../logits-processor.js';
import type { NgramModel } from '../ngram-model.js';
import { encodeText } from '../tokenizer.js';
import type { EventSink } from './event-stream.js';
import { fromValidationIssues, OpenAIRequestError } from './openai-error.js';
import { chatCompletionRequest } from './request-schemas.js';
import {
  chatTokenLogprob,
  generateOptions,
  requestSeed,
  runChoices,
  startChoice,
  usageOf,
} from './run-choices.js';
import { streamRun, type GenerationCounters } from './stream-run.js';

export interface EndpointContext {
  model: NgramModel;
  logitsProcessor?: LogitsProcessor;
  fingerprint: string;
  counters: GenerationCounters;
}

/**
 * The response: a JSON body, or a stream that writes server-sent events while it generates (an
 * error it raises before its first write is answered as a plain JSON error).
 */
export type EndpointResult = { json: unknown } | { stream: (sink: EventSink) => Promise<void> };

export function chatCompletions(body: unknown, context: EndpointContext): EndpointResult {
  const parsed = chatCompletionRequest.safeParse(body);
  if (!parsed.success) throw fromValidationIssues(parsed.error.issues);
  const request = parsed.data;
  if (request.top_logprobs != null && request.top_logprobs > 0 && !request.logprobs)
    throw new OpenAIRequestError(
      400,
      "Invalid 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
      'top_logprobs',
      'invalid_value',
    );
  if (request.stream_options && !request.stream)
    throw new OpenAIRequestError(
      400,
      "Invalid 'stream_options': only allowed when 'stream' is true.",
      'stream_options',
      'invalid_value',
    );
  const promptTokens = encodeText(chatPromptText(request.messages));
  const n = request.n ?? 1;
  const options = generateOptions(
    request,
    request.max_completion_tokens ?? request.max_tokens,
    request.logprobs ? (request.top_logprobs ?? 0) : 0,
    context.logitsProcessor,
  );
  const seed = requestSeed(request.seed);
  const head = {
    id: `chatcmpl-${randomBytes(12).toString('hex')}`,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    system_fingerprint: context.fingerprint,
  };
  if (!request.stream) {
    const generations = runChoices(context.model, promptTokens, options, seed, 0, n);
    const completionTokens = generations.reduce(
      (sum, generation) => sum + generation.completionTokens,
      0,
    );
    context.counters.generatedTokens += completionTokens;
    return {
      json: {
        ...head,
        object: 'chat.completion',
        choices: generations.map((generation, index) => ({
          index,
          message: { role: 'assistant', content: generation.text, refusal: null },
          logprobs: request.logprobs
            ? { content: generation.tokens.map(chatTokenLogprob), refusal: null }
            : null,
          finish_reason: generation.finishReason,
        })),
        usage: usageOf(promptTokens.length, completionTokens),
      },
    };
  }
  const includeUsage = request.stream_options?.include_usage === true;
  const event = (choices: unknown[]) =>
    `data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices, ...(includeUsage ? { usage: null } : {}) })}\n\n`;
  return {
    stream: async (sink) => {
      let completionTokens = 0;
      for (let index = 0; index < n; index += 1) {
        const run = startChoice(context.model, promptTokens, options, seed, index);
        const opening = [
          event([
            {
              index,
              delta: { role: 'assistant', content: '', refusal: null },
              logprobs: null,
              finish_reason: null,
            },
          ]),
        ];
        const tokenEvent = (token: GeneratedToken) =>
          event([
            {
              index,
              delta: { content: token.text },
              logprobs: request.logprobs
                ? { content: [chatTokenLogprob(token)], refusal: null }
                : null,
              finish_reason: null,
            },
          ]);
        if (!(await streamRun(run, sink, opening, tokenEvent, context.counters))) return;
        completionTokens += run.completionTokens;
        await sink.send([
          event([{ index, delta: {}, logprobs: null, finish_reason: run.result().finishReason }]),
        ]);
      }
      const usage = usageOf(promptTokens.length, completionTokens);
      await sink.send([
        ...(includeUsage
          ? [
              `data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [], usage })}\n\n`,
            ]
          : []),
        'data: [DONE]\n\n',
      ]);
    },
  };
}
