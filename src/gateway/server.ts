// Starts the gateway: fastify with raw-body parsing and limits, the model routes, admin and
// sidecar routes, metrics, live detection and the recorder, all wired to one SQLite store.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { DistillGuardError } from '../core/index.js';
import type { LiveAssessment } from '../detect/index.js';
import { scheduleRetention, SqliteStore } from '../store/index.js';
import { registerAdminRoutes, registerMetricsRoute } from './admin-routes.js';
import { createAdminApp } from './admin-listener.js';
import { AdminTokens } from './admin-tokens.js';
import { trustedAccountHeader } from './authenticate.js';
import { clientAddressResolver, parseTrustedProxies } from './client-address.js';
import { ApiError, type ApiFlavor } from './api-error.js';
import { ApiKeys } from './api-keys.js';
import { loadKeyHashSecret } from './key-hash-secret.js';
import type { Enforcement } from './enforcement.js';
import { parseGatewayConfig, upstreamMatcher, type GatewayConfig } from './gateway-config.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { describeShutdown, shutDownGateway, trackConnections, type ShutdownReport } from './gateway-shutdown.js';
import { GatewayHealth, registerHealthRoutes } from './health.js';
import { registerHealthMetrics } from './health-metrics.js';
import { InteractionRecorder } from './interaction-recorder.js';
import { spoolPathFor } from './recorder-spool.js';
import { LiveDetection } from './live-detection.js';
import { LadderEnforcement } from './ladder-enforcement.js';
import { UnhandledErrors } from './process-faults.js';
import { parsePolicyConfig } from '../respond/index.js';
import { AccountConcurrency } from './account-concurrency.js';
import { answerClientError, requestTimeouts } from './client-error.js';
import { capConnectionsPerAddress } from './connection-limits.js';
import { modelRouteOf, serveModelRoute } from './model-listener.js';
import { sendApiError, type ProxyContext } from './proxy.js';
import { UpstreamClient } from './upstream-client.js';
import { startupFields, startupText, type StartupSummary } from './startup-summary.js';
import { StartupCleanup, startupError } from './startup-cleanup.js';
import { gatewayWriterThread } from '../runtime/index.js';

export interface GatewayOptions {
  port?: number;
  host?: string;
  databasePath: string;
  /** Sends every model to this OpenAI-compatible base URL (overrides config upstreams). */
  upstream?: string;
  config?: GatewayConfig;
  /** Take the account id from this header, set by an auth proxy in front; needs `trustAccountHeaderSecret`. */
  trustAccountHeader?: string | null;
  /** The secret that proxy sends in x-distillguard-proxy-secret (compared in constant time). */
  trustAccountHeaderSecret?: string | null;
  /** CIDRs of load balancers whose X-Forwarded-For is believed (rightmost untrusted hop). */
  trustedProxies?: string[];
  /** Serve the admin API, sidecar and /metrics on this port instead of the public one. */
  adminPort?: number;
  /** Address of the admin listener (default 127.0.0.1). */
  adminHost?: string;
  /** Take timestamps and client details from replay headers. Never in production. */
  acceptReplayTime?: boolean;
  /** The bootstrap admin token: every scope (DISTILLGUARD_ADMIN_TOKEN or --admin-token-file). */
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
  /** Scoped admin tokens (and the bootstrap one). */
  tokens: AdminTokens;
  /** The admin listener's URL; null when the admin routes share the public port. */
  adminUrl: string | null;
  recorder: InteractionRecorder;
  /** What this gateway uses (store, upstreams, listeners): its first log line. */
  startup: StartupSummary;
  /** What /health reports; `serve` notes unhandled errors in `health.unhandled`. */
  health: GatewayHealth;
  log: FastifyInstance['log'];
  /** Resolves with the number of stored exchanges live detection had folded in by its first assessment. */
  warmStart: Promise<number>;
  /** The spool that keeps answered exchanges safe from a kill until stored; null when off. */
  spoolPath: string | null;
  /**
   * Stops accepting (answers on open connections then carry `connection: close`), lets requests in
   * flight finish for `shutdown.drain_ms`, closes what is left, writes every exchange the store
   * takes, and reports what it could not store. Calling it again returns the same report.
   */
  close(): Promise<ShutdownReport>;
}

const flavorOfUrl = (url: string): ApiFlavor => (url.startsWith('/v1/messages') ? 'anthropic' : 'openai');

/**
 * Starts the gateway. A step that fails after the store opens closes everything opened so far
 * (store and write thread, detector child, upstream pools) and rejects with one DistillGuardError.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const cleanup = new StartupCleanup();
  try {
    return await startGatewayWith(options, cleanup);
  } catch (error) {
    await cleanup.run();
    throw startupError(error, options.databasePath);
  }
}

async function startGatewayWith(options: GatewayOptions, cleanup: StartupCleanup): Promise<RunningGateway> {
  const config = options.config ?? parseGatewayConfig({});
  const upstreamConfigs = options.upstream ? [{ name: 'default', url: options.upstream, api: 'openai' as const, models: ['*'], timeout_ms: 120_000, timeout_total_ms: 600_000, connections: 128 }] : config.upstreams;
  if (upstreamConfigs.length === 0) throw new DistillGuardError('usage', 'no upstream: pass --upstream URL or list upstreams in --config.');
  if (options.trustAccountHeader && !options.trustAccountHeaderSecret) {
    throw new DistillGuardError('usage', '--trust-account-header needs a secret shared with the auth proxy in front (--trust-account-header-secret-file or DISTILLGUARD_PROXY_SECRET): without it, anyone who reaches the port can claim any account. The proxy sends it in the x-distillguard-proxy-secret header.');
  }
  const trustedAccount = options.trustAccountHeader && options.trustAccountHeaderSecret ? trustedAccountHeader(options.trustAccountHeader, options.trustAccountHeaderSecret) : null;
  if (options.adminHost !== undefined && options.adminPort === undefined) throw new DistillGuardError('usage', '--admin-host needs --admin-port: without it the admin routes share the public listener.');
  const clientAddressOf = clientAddressResolver(options.trustedProxies && options.trustedProxies.length > 0 ? parseTrustedProxies(options.trustedProxies) : null);
  const upstreams = upstreamConfigs.map((upstream) => new UpstreamClient(upstream, { clientStallMs: config.limits.client_stall_ms, maxBodyBytes: config.limits.upstream_body_bytes }));
  cleanup.add(() => Promise.allSettled(upstreams.map((client) => client.close())));
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
  // the write thread's priority, its guard and their log lines: src/runtime/
  const store = SqliteStore.open(options.databasePath, {
    cacheMb: 2, writerThread: gatewayWriterThread(() => log),
    onWriterExit: (error, restartInMs) => {
      // the first exit of a run of them is an error; the retries after it are not news
      if (restartInMs <= 100) log?.error({ err: error }, 'the store write thread stopped; its pending writes failed (they are retried) and it is restarted with backoff');
      else log?.debug({ err: error, restartInMs }, 'the store write thread stopped again; restarting');
    },
  });
  cleanup.add(() => store.close());
  const keyHashSecret = loadKeyHashSecret({ databasePath: options.databasePath, file: options.keyHashSecretFile, store });
  const keys = new ApiKeys(store, keyHashSecret);
  const tokens = new AdminTokens(store, keyHashSecret, options.adminToken ?? null);
  // exchanges stored before this start feed live detection again (warm start), without repeats
  const lastStoredSeq = store.lastInteractionSeq();
  const importId = await store.beginImport('interactions', { kind: 'gateway', path: null, size: null, modifiedMs: null });
  let context: ProxyContext | null = null;
  let closing = false;
  let connections: ReturnType<typeof trackConnections> | null = null;
  const bodyLimit = config.limits.body_bytes;
  const app: FastifyInstance = Fastify({
    // model routes skip fastify's router and hooks (the hot path); the rest is fastify's
    serverFactory: (handler) => {
      const route = (request: IncomingMessage, response: ServerResponse, expectsContinue: boolean) => {
        // draining: answer what arrived, then let the client reconnect elsewhere
        if (closing) response.setHeader('connection', 'close');
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
      connections = trackConnections(server);
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
  cleanup.add(() => app.close());
  // the detector tails the store from its start: exchanges stored before this start are folded in
  // again (warm start), so verdicts (and so decisions) survive a restart
  const detection = new LiveDetection({
    databasePath: options.databasePath,
    assessEveryMs: config.detection.assess_every_ms,
    staleAfterMs: config.detection.stale_after_ms,
    bounds: { maxAccounts: config.detection.max_accounts },
    onAssessment: options.onAssessment,
    log: app.log,
    storedThrough: () => store.lastInteractionSeq(),
  });
  cleanup.add(() => detection.close());
  const metrics = new GatewayMetrics(() => recorder.counts.queued);
  const spoolPath = config.recording.spool ? spoolPathFor(options.databasePath) : null;
  const recorder = new InteractionRecorder(store, importId, {
    maxQueuedRows: config.recording.max_queued_rows, maxQueuedBytes: config.recording.max_queued_bytes,
    spoolPath, alreadyStored: (id) => store.hasInteraction(id), log: app.log,
    onDropped: (rows, reason) => metrics.recorderDropped.inc({ reason }, rows),
    onRejected: (rows) => metrics.recorderDropped.inc({ reason: 'rejected' }, rows),
  });
  cleanup.add(() => recorder.close());
  const policy = parsePolicyConfig(config.policy ?? {});
  const enforcement: Enforcement = options.enforcement ? options.enforcement(detection, store, metrics) : new LadderEnforcement(detection, store, policy, metrics, { log: app.log, onDetectorFailure: config.detection.on_detector_failure });
  if (enforcement instanceof LadderEnforcement) cleanup.add(() => enforcement.close());
  const health = new GatewayHealth({ recorder, detection, decisions: enforcement instanceof LadderEnforcement ? enforcement : null, unhandled: new UnhandledErrors() });
  registerHealthMetrics(metrics.registry, health);
  let warmStartSettled = false;
  context = {
    keys, trustAccountHeader: trustedAccount, clientAddressOf, acceptReplayTime: options.acceptReplayTime ?? false,
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
  registerHealthRoutes(app, health, () => warmStartSettled);
  // with --admin-port the admin API, sidecar and metrics live only there; else on the public port,
  // where /metrics needs a read token
  const adminApp = options.adminPort === undefined ? app : createAdminApp(app.log, bodyLimit);
  if (adminApp !== app) cleanup.add(() => adminApp.close());
  registerMetricsRoute(adminApp, metrics, adminApp === app ? tokens : null);
  registerAdminRoutes(adminApp, { store, keys, tokens, detection, recorder, health, enforcement, refreshFacts: () => detection.refreshFacts() });
  const retention = config.retention ? scheduleRetention(store, { textDays: config.retention.text_days, exchangesDays: config.retention.exchanges_days }, {
    onPruned: (tally) => app.log.info({ retention: tally }, 'retention: pruned old exchanges'),
    onError: (error) => app.log.error({ err: error }, 'retention failed; it runs again in an hour'),
  }) : null;
  if (retention) cleanup.add(() => retention.stop());

  let address: string;
  const logLevel = app.log.level;
  try {
    // fastify's own "Server listening" lines (one per interface) give way to the startup line below
    app.log.level = 'warn';
    address = await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
    app.log.level = logLevel;
  } catch (error) {
    app.log.level = logLevel;
    throw new DistillGuardError('usage', `cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 8080}: ${(error as Error).message}. Pick another --port.`);
  }
  const port = Number(new URL(address).port);
  let adminUrl: string | null = null;
  if (adminApp !== app) {
    const adminHost = options.adminHost ?? '127.0.0.1';
    try {
      adminApp.log.level = 'warn';
      adminUrl = await adminApp.listen({ port: options.adminPort, host: adminHost });
      adminApp.log.level = logLevel;
    } catch (error) {
      throw new DistillGuardError('usage', `cannot listen on ${adminHost}:${options.adminPort} (--admin-port): ${(error as Error).message}. Pick another --admin-port.`);
    }
  }
  const startup: StartupSummary = { store: options.databasePath, upstreams: upstreamConfigs.map(({ name, url, api }) => ({ name, url, api })), publicUrl: address, adminUrl };
  app.log.info(startupFields(startup), `distillguard gateway started: ${startupText(startup)}`);
  const warmStart = detection.assessNow(lastStoredSeq).then(
    (assessment) => assessment.interactions,
    (error: unknown) => {
      // a stop during the warm start ends it: not a failure
      if (!closing) app.log.error({ err: error }, 'warm start of live detection failed');
      return 0;
    },
  ).finally(() => {
    warmStartSettled = true;
  });
  let closed: Promise<ShutdownReport> | null = null;
  return {
    url: address, port, store, detection, keys, tokens, adminUrl, recorder, warmStart, startup, spoolPath, health, log: app.log,
    close() {
      closing = true;
      connections?.closeAfterAnswers();
      // the warm start is not waited for: a detector stuck in it must not hold the stop
      closed ??= shutDownGateway({
        closeListener: async () => {
          await Promise.all([app.close(), adminApp !== app ? adminApp.close() : undefined]);
        }, server: app.server, recorder, store, importId, log: app.log,
        others: [
          ...(retention ? [() => retention.stop()] : []),
          ...(enforcement instanceof LadderEnforcement ? [() => enforcement.close()] : []),
          () => detection.close(),
          () => Promise.allSettled(upstreams.map((client) => client.close())).then(() => undefined),
        ],
      }, config.shutdown.drain_ms).then((report) => {
        const line = describeShutdown(report, spoolPath);
        if (report.dropped + report.unstored > 0) app.log.error({ ...report }, `stopped: ${line}`);
        else app.log.info({ ...report }, `stopped: ${line}`);
        return report;
      });
      return closed;
    },
  };
}
