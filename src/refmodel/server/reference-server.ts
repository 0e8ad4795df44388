// The reference model's OpenAI-compatible HTTP server (fastify): chat completions, completions,
// models and health. It answers to any model name; every error leaves in OpenAI's error shape.
import { createHash } from 'node:crypto';
import Fastify, { type FastifyReply } from 'fastify';
import { defaultListenHost, tracerCohortHeader } from '../../core/index.js';
import type { LogitsProcessor } from '../logits-processor.js';
import type { NgramModel } from '../ngram-model.js';
import { loadDefaultModel } from '../default-model.js';
import { chatCompletions, type EndpointContext, type EndpointResult } from './chat-completions.js';
import { completions } from './completions.js';
import { EventStream } from './event-stream.js';
import { OpenAIRequestError } from './openai-error.js';
import type { GenerationCounters } from './stream-run.js';

export interface ReferenceServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: the shipped model (loadDefaultModel()). */
  model?: NgramModel;
  logitsProcessor?: LogitsProcessor;
  /**
   * Tracer cohorts: the processor for a request whose `tracerCohortHeader` names a
   * cohort (the gateway sets it); requests without the header use `logitsProcessor`.
   */
  logitsProcessorFor?: (cohort: string) => LogitsProcessor | undefined;
}

const cohortPattern = /^[A-Za-z0-9_.-]{1,64}$/;

export interface ReferenceServer {
  url: string;
  port: number;
  /** Tokens sampled so far and streams in progress (a live view). */
  counters: Readonly<GenerationCounters>;
  /** Stops listening; answers still streaming are cut off (their generation stops). */
  close(): Promise<void>;
}

/**
 * Starts the server and resolves once it listens.
 * @example const server = await startReferenceModelServer({ port: 0 }); // server.url + '/v1'
 */
export async function startReferenceModelServer(
  options: ReferenceServerOptions,
): Promise<ReferenceServer> {
  const model = options.model ?? loadDefaultModel();
  const fingerprint = `fp_${createHash('sha256').update(`${model.order}/${model.vocabularySize}/${model.trainingTokens}`).digest('hex').slice(0, 10)}`;
  const counters: GenerationCounters = { generatedTokens: 0, openStreams: 0 };
  const openStreams = new Map<EventStream, Promise<void>>();
  const context: EndpointContext = {
    model,
    logitsProcessor: options.logitsProcessor,
    fingerprint,
    counters,
  };
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024 });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (error instanceof OpenAIRequestError) return reply.status(error.status).send(error.toBody());
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const message =
        error.code === 'FST_ERR_CTP_INVALID_JSON' || error instanceof SyntaxError
          ? 'We could not parse the JSON body of your request. Send a JSON object with Content-Type: application/json.'
          : error.message;
      return reply
        .status(status)
        .send(new OpenAIRequestError(status, message, null, null).toBody());
    }
    return reply
      .status(500)
      .send(
        new OpenAIRequestError(
          500,
          `The reference model failed: ${error.message}`,
          null,
          null,
          'server_error',
        ).toBody(),
      );
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(
        new OpenAIRequestError(
          404,
          `Unknown request URL: ${request.method} ${request.url}.`,
          null,
          'unknown_url',
        ).toBody(),
      );
  });

  const send = async (result: EndpointResult, reply: FastifyReply) => {
    if ('json' in result) return reply.send(result.json);
    const events = new EventStream(reply);
    const streaming = (async () => {
      counters.openStreams += 1;
      try {
        await result.stream(events);
      } catch (error) {
        if (!events.started) throw error; // still a plain JSON error, from the error handler
        const failure =
          error instanceof OpenAIRequestError
            ? error
            : new OpenAIRequestError(
                500,
                `The reference model failed: ${(error as Error).message}`,
                null,
                null,
                'server_error',
              );
        await events.send([`data: ${JSON.stringify(failure.toBody())}\n\n`]);
      } finally {
        counters.openStreams -= 1;
        openStreams.delete(events);
      }
      events.end();
    })();
    openStreams.set(
      events,
      streaming.catch(() => undefined),
    );
    await streaming;
    return reply;
  };
  const contextFor = (headers: Record<string, string | string[] | undefined>): EndpointContext => {
    const cohort = headers[tracerCohortHeader];
    if (!options.logitsProcessorFor || typeof cohort !== 'string') return context;
    if (!cohortPattern.test(cohort))
      throw new OpenAIRequestError(
        400,
        `Invalid '${tracerCohortHeader}' header: expected a cohort id (letters, digits, '_', '-', '.').`,
        null,
        'invalid_value',
      );
    return {
      ...context,
      logitsProcessor: options.logitsProcessorFor(cohort) ?? context.logitsProcessor,
    };
  };
  app.post('/v1/chat/completions', async (request, reply) =>
    send(chatCompletions(request.body, contextFor(request.headers)), reply),
  );
  app.post('/v1/completions', async (request, reply) =>
    send(completions(request.body, contextFor(request.headers)), reply),
  );
  app.get('/v1/models', async () => ({
    object: 'list',
    data: [
      {
        id: 'distillguard-refmodel',
        object: 'model',
        created: 1764201600,
        owned_by: 'distillguard',
      },
    ],
  }));
  app.get('/health', async () => ({
    status: 'ok',
    model: {
      order: model.order,
      vocabulary: model.vocabularySize,
      training_tokens: model.trainingTokens,
    },
    generated_tokens: counters.generatedTokens,
    open_streams: counters.openStreams,
  }));

  // close() would otherwise wait for every answer in progress to be generated to its end
  app.addHook('preClose', async () => {
    for (const events of openStreams.keys()) events.abort();
    await Promise.all(openStreams.values());
  });

  await app.listen({ port: options.port, host: options.host ?? defaultListenHost });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host ?? defaultListenHost;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shownHost}:${port}`, port, counters, close: () => app.close() };
}
