// POST /v1/chat/completions: OpenAI's chat format, whole or as server-sent events.
import { randomBytes } from 'node:crypto';
import { chatPromptText } from '../chat-prompt.js';
import type { LogitsProcessor } from '../logits-processor.js';
import type { NgramModel } from '../ngram-model.js';
import { encodeText } from '../tokenizer.js';
import { fromValidationIssues, OpenAIRequestError } from './openai-error.js';
import { chatCompletionRequest } from './request-schemas.js';
import { chatTokenLogprob, generateOptions, requestSeed, runChoices } from './run-choices.js';

export interface EndpointContext {
  model: NgramModel;
  logitsProcessor?: LogitsProcessor;
  fingerprint: string;
}

/** The response: a JSON body, or the SSE events to send (each already framed as `data: ...\n\n`). */
export type EndpointResult = { json: unknown } | { events: string[] };

export function chatCompletions(body: unknown, context: EndpointContext): EndpointResult {
  const parsed = chatCompletionRequest.safeParse(body);
  if (!parsed.success) throw fromValidationIssues(parsed.error.issues);
  const request = parsed.data;
  if (request.top_logprobs != null && request.top_logprobs > 0 && !request.logprobs) throw new OpenAIRequestError(400, "Invalid 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.", 'top_logprobs', 'invalid_value');
  if (request.stream_options && !request.stream) throw new OpenAIRequestError(400, "Invalid 'stream_options': only allowed when 'stream' is true.", 'stream_options', 'invalid_value');
  const promptTokens = encodeText(chatPromptText(request.messages));
  const n = request.n ?? 1;
  const options = generateOptions(request, request.max_completion_tokens ?? request.max_tokens, request.logprobs ? request.top_logprobs ?? 0 : 0, context.logitsProcessor);
  const generations = runChoices(context.model, promptTokens, options, requestSeed(request.seed), 0, n);
  const completionTokens = generations.reduce((sum, generation) => sum + generation.completionTokens, 0);
  const usage = { prompt_tokens: promptTokens.length, completion_tokens: completionTokens, total_tokens: promptTokens.length + completionTokens };
  const head = { id: `chatcmpl-${randomBytes(12).toString('hex')}`, created: Math.floor(Date.now() / 1000), model: request.model, system_fingerprint: context.fingerprint };
  if (!request.stream) {
    return {
      json: {
        ...head,
        object: 'chat.completion',
        choices: generations.map((generation, index) => ({
          index,
          message: { role: 'assistant', content: generation.text, refusal: null },
          logprobs: request.logprobs ? { content: generation.tokens.map(chatTokenLogprob), refusal: null } : null,
          finish_reason: generation.finishReason,
        })),
        usage,
      },
    };
  }
  const includeUsage = request.stream_options?.include_usage === true;
  const events: string[] = [];
  const chunk = (choices: unknown[]) => {
    const value = { ...head, object: 'chat.completion.chunk', choices, ...(includeUsage ? { usage: null } : {}) };
    events.push(`data: ${JSON.stringify(value)}\n\n`);
  };
  generations.forEach((generation, index) => {
    chunk([{ index, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
    for (const token of generation.tokens) {
      chunk([{ index, delta: { content: token.text }, logprobs: request.logprobs ? { content: [chatTokenLogprob(token)], refusal: null } : null, finish_reason: null }]);
    }
    chunk([{ index, delta: {}, logprobs: null, finish_reason: generation.finishReason }]);
  });
  if (includeUsage) events.push(`data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
  events.push('data: [DONE]\n\n');
  return { events };
}
