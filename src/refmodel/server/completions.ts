// POST /v1/completions: the legacy text-completion format, whole or as server-sent events.
import { randomBytes } from 'node:crypto';
import type { GeneratedToken } from '../generate.js';
import { decodeTokens, encodeText } from '../tokenizer.js';
import type { EndpointContext, EndpointResult } from './chat-completions.js';
import { fromValidationIssues, OpenAIRequestError } from './openai-error.js';
import { completionRequest, type CompletionRequest } from './request-schemas.js';
import {
  generateOptions,
  legacyLogprobs,
  requestSeed,
  runChoices,
  startChoice,
  usageOf,
} from './run-choices.js';
import { streamRun } from './stream-run.js';

function promptsOf(prompt: CompletionRequest['prompt']): { text: string; tokens: number[] }[] {
  if (typeof prompt === 'string') return [{ text: prompt, tokens: encodeText(prompt) }];
  if (prompt.every((item) => typeof item === 'string'))
    return (prompt as string[]).map((text) => ({ text, tokens: encodeText(text) }));
  if (prompt.every((item) => typeof item === 'number'))
    return [{ text: decodeTokens(prompt as number[]), tokens: prompt as number[] }];
  return (prompt as number[][]).map((tokens) => ({ text: decodeTokens(tokens), tokens }));
}

export function completions(body: unknown, context: EndpointContext): EndpointResult {
  const parsed = completionRequest.safeParse(body);
  if (!parsed.success) throw fromValidationIssues(parsed.error.issues);
  const request = parsed.data;
  if (request.stream_options && !request.stream)
    throw new OpenAIRequestError(
      400,
      "Invalid 'stream_options': only allowed when 'stream' is true.",
      'stream_options',
      'invalid_value',
    );
  let prompts: { text: string; tokens: number[] }[];
  try {
    prompts = promptsOf(request.prompt);
  } catch {
    throw new OpenAIRequestError(
      400,
      "Invalid 'prompt': it holds a token id that is not in cl100k_base.",
      'prompt',
      'invalid_value',
    );
  }
  const n = request.n ?? 1;
  const seed = requestSeed(request.seed);
  const options = generateOptions(
    request,
    request.max_tokens ?? 16,
    request.logprobs ?? 0,
    context.logitsProcessor,
  );
  const wantLogprobs = request.logprobs != null;
  const promptTokens = prompts.reduce((sum, prompt) => sum + prompt.tokens.length, 0);
  const head = {
    id: `cmpl-${randomBytes(12).toString('hex')}`,
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    system_fingerprint: context.fingerprint,
  };
  if (!request.stream) {
    const choices = prompts.flatMap((prompt, promptIndex) =>
      runChoices(context.model, prompt.tokens, options, seed, promptIndex * n, n).map(
        (generation) => ({ prompt, generation }),
      ),
    );
    const completionTokens = choices.reduce(
      (sum, choice) => sum + choice.generation.completionTokens,
      0,
    );
    context.counters.generatedTokens += completionTokens;
    return {
      json: {
        ...head,
        object: 'text_completion',
        choices: choices.map(({ prompt, generation }, index) => {
          const echo = request.echo ? prompt.text : '';
          return {
            text: echo + generation.text,
            index,
            logprobs: wantLogprobs ? legacyLogprobs(generation.tokens, echo.length) : null,
            finish_reason: generation.finishReason,
          };
        }),
        usage: usageOf(promptTokens, completionTokens),
      },
    };
  }
  const includeUsage = request.stream_options?.include_usage === true;
  const event = (choice: unknown) =>
    `data: ${JSON.stringify({ ...head, object: 'text_completion', choices: [choice], ...(includeUsage ? { usage: null } : {}) })}\n\n`;
  return {
    stream: async (sink) => {
      let completionTokens = 0;
      for (let index = 0; index < prompts.length * n; index += 1) {
        const prompt = prompts[Math.floor(index / n)];
        const run = startChoice(context.model, prompt.tokens, options, seed, index);
        const opening = request.echo
          ? [event({ text: prompt.text, index, logprobs: null, finish_reason: null })]
          : [];
        let offset = request.echo ? prompt.text.length : 0;
        const tokenEvent = (token: GeneratedToken) => {
          const chunk = event({
            text: token.text,
            index,
            logprobs: wantLogprobs ? legacyLogprobs([token], offset) : null,
            finish_reason: null,
          });
          offset += token.text.length;
          return chunk;
        };
        if (!(await streamRun(run, sink, opening, tokenEvent, context.counters))) return;
        completionTokens += run.completionTokens;
        await sink.send([
          event({ text: '', index, logprobs: null, finish_reason: run.result().finishReason }),
        ]);
      }
      const usage = usageOf(promptTokens, completionTokens);
      await sink.send([
        ...(includeUsage
          ? [
              `data: ${JSON.stringify({ ...head, object: 'text_completion', choices: [], usage })}\n\n`,
            ]
          : []),
        'data: [DONE]\n\n',
      ]);
    },
  };
}
