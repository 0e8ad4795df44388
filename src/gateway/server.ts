// Starts the gateway: fastify with raw-body parsing and limits, the model routes, admin and
// sidecar routes, metrics, live detection and the recorder, all wired to one SQLite store.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { DistillGuardError } from '../core/index.js';
import type { LiveAssessment } from '../detect/index.js';
import { SqliteStore } from '../store/index.js';
import { registerAdminRoutes } from './admin-routes.js';
import { ApiError, type ApiFlavor } from './api-error.js';
import { ApiKeys, loadKeyHashSecret } from './api-keys.js';
import type { Enforcement } from './enforcement.js';
import { parseGatewayConfig, upstreamMatcher, type GatewayConfig } from './gateway-config.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { InteractionRecorder } from './interaction-recorder.js';
import { LiveDetection } from './live-detection.js';
import { LadderEnforcement } from './ladder-enforcement.js';
import { parsePolicyConfig } from '../respond/index.js';
import { AccountConcurrency } from './account-concurrency.js';
import { answerClientError, requestTimeouts } from './client-error.js';
import { capConnectionsPerAddress } from './connection-limits.js';
import { modelRouteOf, serveModelRoute } from './model-listener.js';
import { sendApiError, type ProxyContext } from './proxy.js';
import { UpstreamClient } from './upstream-client.js';

export interface GatewayOptions {
  port?: number;
  host?: string;
  databasePath: string;
  /** Sends every model to this OpenAI-compatible base URL (overrides config upstreams). */
  upstream?: string;
  config?: GatewayConfig;
  trustAccountHeader?: string | null;
  /** Take timestamps and client details from replay headers. Never in production. */
  acceptReplayTime?: boolean;
  adminToken?: string | null;
  keyHashSecretFile?: string;
  /** Builds the ladder from the store's live view; observe-only when absent. */
  enforcement?: (live: LiveDetection, store: SqliteStore, metrics: GatewayMetrics) => Enforcement;
  onAssessment?: (assessment: LiveAssessment) => void;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
}

export interface RunningGateway {
  url: string;
  port: number;
  store: SqliteStore;
  detection: LiveDetection;
  keys: ApiKeys;
  recorder: InteractionRecorder;
  /** Resolves with the number of stored exchanges live detection had folded in by its first assessment. */
  warmStart: Promise<number>;
  close(): Promise<void>;
}

const flavorOfUrl = (url: string): ApiFlavor => (url.startsWith('/v1/messages') ? 'anthropic' : 'openai');

/**
 * Priorities of the gateway's background work: requests come first. Detection and the write thread
 * run under SCHED_IDLE where it can be set (nice values otherwise). Detection catches up from the
 * store; the write thread's queue is in memory, so the store raises it back to the normal policy
 * while a write waits over a second, for at least 30 s (src/store/sqlite/writer-priority.ts).
 */
const writerNice = 10;
const detectorNice = 19;

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const config = options.config ?? parseGatewayConfig({});
  const upstreamConfigs = options.upstream ? [{ name: 'default', url: options.upstream, api: 'openai' as const, models: ['*'], timeout_ms: 120_000, timeout_total_ms: 600_000, connections: 128 }] : config.upstreams;
  if (upstreamConfigs.length === 0) throw new DistillGuardError('usage', 'no upstream: pass --upstream URL or list upstreams in --config.');
  const upstreams = upstreamConfigs.map((upstream) => new UpstreamClient(upstream, { clientStallMs: config.limits.client_stall_ms, maxBodyBytes: config.limits.upstream_body_bytes }));
  const match = upstreamMatcher(upstreamConfigs);
  const byName = new Map(upstreams.map((client) => [client.config.name, client]));
  const upstreamFor = (model: string) => {
    const found = match(model);
    return found ? (byName.get(found.name) ?? null) : null;
  };

  // loaded only when configured (the watermark schemes and the tokenizer are large); read before
  // anything opens: a missing master key stops the start with the field's name
  const watermarks = config.watermark ? (await import('./tracer-watermark.js')).TracerWatermarks.fromConfig(config.watermark, upstreamConfigs.map((upstream) => upstream.name)) : null;
  let log: FastifyInstance['log'] | null = null;
  const store = SqliteStore.open(options.databasePath, {
    cacheMb: 2, writerNice, writerYoungGenerationMb: 6, writerIdle: true,
    onWriterPriority: ({ change, waitedMs, ok }) => {
      if (!ok) log?.warn({ change }, 'could not change the store write thread\'s scheduling policy; it keeps the one it has');
      else if (change === 'raise') log?.warn({ waitedMs: Math.round(waitedMs) }, 'stored exchanges are waiting on a busy core: the store write thread runs at normal priority until they clear');
      else log?.info('the store write thread is back under SCHED_IDLE');
    },
  });
  const keys = new ApiKeys(store, loadKeyHashSecret({ databasePath: options.databasePath, file: options.keyHashSecretFile }));
  // exchanges stored before this start feed live detection again (warm start), without repeats
  const lastStoredSeq = store.lastInteractionSeq();
  const importId = store.beginImport('interactions', { kind: 'gateway', path: null, size: null, modifiedMs: null });
  let context: ProxyContext | null = null;
  const bodyLimit = config.limits.body_bytes;
  const app: FastifyInstance = Fastify({
    // model routes skip fastify's router and hooks (the hot path); the rest is fastify's
    serverFactory: (handler) => {
      const route = (request: IncomingMessage, response: ServerResponse, expectsContinue: boolean) => {
        const surface = context ? modelRouteOf(request.method, request.url) : null;
        if (surface && context) serveModelRoute(context, bodyLimit, surface, request, response, expectsContinue);
        else {
          if (expectsContinue) response.writeContinue();
          handler(request, response);
        }
      };
      const server = createServer(requestTimeouts(config.limits), (request, response) => route(request, response, false));
      // 'Expect: 100-continue': the key is checked before the client is asked for the body
      server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => route(request, response, true));
      server.keepAliveTimeout = 72_000;
      server.maxConnections = config.limits.max_connections;
      if (config.limits.connections_per_ip) capConnectionsPerAddress(server, config.limits.connections_per_ip);
      return server;
    },
    clientErrorHandler: answerClientError,
    logger: { level: options.logLevel ?? 'info', redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.limits.body_bytes,
    trustProxy: false,
  });
  log = app.log;
  // the detector tails the store from its start: exchanges stored before this start are folded in
  // again (warm start), so verdicts (and so decisions) survive a restart
  const detection = new LiveDetection({
    databasePath: options.databasePath,
    nice: detectorNice,
    idle: true,
    assessEveryMs: config.detection.assess_every_ms,
    onAssessment: options.onAssessment,
    onError: (message) => app.log.error({ detection: message }, 'live detection failed'),
  });
  const recorder = new InteractionRecorder(store, importId, {
    onError: (error) => app.log.error({ err: error }, 'recording exchanges failed; they will be retried'),
  });
  const metrics = new GatewayMetrics(() => recorder.counts.queued);
  const policy = parsePolicyConfig(config.policy ?? {});
  const enforcement: Enforcement = options.enforcement ? options.enforcement(detection, store, metrics) : new LadderEnforcement(detection, store, policy, metrics);
  context = {
    keys, trustAccountHeader: options.trustAccountHeader?.toLowerCase() ?? null, acceptReplayTime: options.acceptReplayTime ?? false,
    upstreamFor, enforcement, recorder, metrics, watermarks, log: app.log, limits: config.limits, gatewayHeaders: config.gateway_headers,
    concurrency: new AccountConcurrency(config.limits.concurrent_per_account),
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const flavor = flavorOfUrl(request.url);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      sendApiError(reply, flavor, new ApiError(413, 'body_too_large', `The request body is larger than this gateway accepts (${config.limits.body_bytes} bytes). Send less context.`));
    } else if (error instanceof ApiError) sendApiError(reply, flavor, error);
    else if ((error.statusCode ?? 500) < 500) sendApiError(reply, flavor, new ApiError(400, 'invalid_request', error.message));
    else {
      request.log.error({ err: error }, 'unhandled gateway error');
      sendApiError(reply, flavor, new ApiError(500, 'internal_error', 'The gateway failed on this request; it has been logged.'));
    }
  });
  app.setNotFoundHandler((request, reply) => {
    sendApiError(reply, flavorOfUrl(request.url), new ApiError(404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}. Model routes: POST /v1/chat/completions, /v1/completions, /v1/messages.`));
  });

  app.get('/v1/models', async () => {
    // literal names from the config; for globs, what the upstream itself lists (when it answers)
    const models = new Map<string, string>();
    for (const client of upstreams) {
      for (const pattern of client.config.models) if (!pattern.includes('*')) models.set(pattern, client.config.name);
      if (client.config.api === 'openai' && client.config.models.some((pattern) => pattern.includes('*'))) {
        for (const id of await client.listModels()) if (match(id)?.name === client.config.name) models.set(id, client.config.name);
      }
    }
    // owned_by names no upstream: which backend serves a model is the operator's business (L2)
    return { object: 'list', data: [...models.keys()].map((id) => ({ id, object: 'model', created: 0, owned_by: 'distillguard' })) };
  });
  app.get('/health', async () => ({ status: 'ok', recorded: recorder.counts.recorded, queued: recorder.counts.queued }));
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  registerAdminRoutes(app, { store, keys, detection, recorder, adminToken: options.adminToken ?? null, enforcement, refreshFacts: () => detection.refreshFacts() });

  let address: string;
  try {
    address = await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await Promise.allSettled([detection.close(), recorder.close(), store.close()]);
    throw new DistillGuardError('usage', `cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 8080}: ${(error as Error).message}. Pick another --port.`);
  }
  const port = Number(new URL(address).port);
  const warmStart = detection.assessNow(lastStoredSeq).then(
    (assessment) => assessment.interactions,
    (error: unknown) => {
      app.log.error({ err: error }, 'warm start of live detection failed');
      return 0;
    },
  );
  let closed = false;
  return {
    url: address, port, store, detection, keys, recorder, warmStart,
    async close() {
      if (closed) return;
      closed = true;
      await warmStart;
      await app.close(); // stops accepting, waits for requests in flight
      await recorder.close(); // graceful drain: every exchange written
      if (enforcement instanceof LadderEnforcement) await enforcement.close();
      await detection.close();
      await Promise.allSettled(upstreams.map((client) => client.close()));
      await store.finishImport(importId, { lines: recorder.counts.recorded, accepted: recorder.counts.recorded, rejected: 0, distinct: recorder.counts.recorded, status: 'complete' });
      await store.close();
    },
  };
}
