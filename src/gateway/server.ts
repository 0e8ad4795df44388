// Starts the gateway: the public app (public-app.ts), admin and sidecar routes, metrics, live
// detection and the recorder, all wired to one SQLite store, in named steps; and stops it.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import {
  defaultGatewayPort,
  defaultListenHost,
  DistillGuardError,
  proxySecretHeader,
  proxySecretVariable,
} from '../core/index.js';
import type { LiveAssessment } from '../detect/index.js';
import { scheduleRetention, SqliteStore, type RetentionSchedule } from '../store/index.js';
import { registerAdminRoutes, registerMetricsRoute } from './admin-routes.js';
import { auditStarter } from './dashboard-audits.js';
import { mountDashboard } from './dashboard.js';
import { loadLogSigner, TransparencyLog } from '../designate/index.js';
import { createAdminApp } from './admin-listener.js';
import { mountTaxii, partnerSecretHash, type TaxiiReceipt } from '../intel/index.js';
import { AdminTokens } from './admin-tokens.js';
import { trustedAccountHeader, type TrustedAccountHeader } from './authenticate.js';
import { clientAddressResolver, parseTrustedProxies } from './client-address.js';
import { ApiKeys } from './api-keys.js';
import { loadKeyHashSecret } from './key-hash-secret.js';
import type { Enforcement } from './enforcement.js';
import {
  defaultUpstream,
  parseGatewayConfig,
  upstreamMatcher,
  type GatewayConfig,
  type UpstreamConfig,
} from './gateway-config.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { describeShutdown, shutDownGateway, type ShutdownReport } from './gateway-shutdown.js';
import { GatewayHealth, registerHealthRoutes } from './health.js';
import { registerHealthMetrics } from './health-metrics.js';
import { InteractionRecorder } from './interaction-recorder.js';
import { outboxPathFor, spoolPathFor } from './recorder-spool.js';
import { LiveDetection } from './live-detection.js';
import { LadderEnforcement } from './ladder-enforcement.js';
import { UnhandledErrors } from './process-faults.js';
import { openCounters, parsePolicyConfig, type Counters } from '../respond/index.js';
import { openEventForwarder, type EventForwarder } from '../bus/index.js';
import { AccountConcurrency } from './account-concurrency.js';
import { listModels } from './model-list.js';
import {
  createPublicApp,
  listenQuietly,
  registerPublicRoutes,
  serveRequests,
} from './public-app.js';
import type { ProxyContext } from './proxy-context.js';
import { upstreamRouter } from './route-plan.js';
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
  /** Serve TAXII 2.1 (discovery /taxii2/) beside the admin API, to partners added with `intel partners add`. */
  taxii?: boolean;
  /** Told of every TAXII post checked (serve records it in the transparency log). */
  onTaxiiReceived?: (receipt: TaxiiReceipt) => void;
  /** Builds the ladder from the store's live view and the configured throttle buckets; the default ladder when absent. */
  enforcement?: (
    live: LiveDetection,
    store: SqliteStore,
    metrics: GatewayMetrics,
    counters: Counters,
  ) => Enforcement;
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

async function startGatewayWith(
  options: GatewayOptions,
  cleanup: StartupCleanup,
): Promise<RunningGateway> {
  const config = options.config ?? parseGatewayConfig({});
  const upstreamConfigs = options.upstream ? [defaultUpstream(options.upstream)] : config.upstreams;
  checkOptions(options, upstreamConfigs);
  const { trustedAccount, clientAddressOf } = callerIdentity(options);
  const upstreams = upstreamConfigs.map(
    (upstream) =>
      new UpstreamClient(upstream, {
        clientStallMs: config.limits.client_stall_ms,
        maxBodyBytes: config.limits.upstream_body_bytes,
      }),
  );
  cleanup.add(() => Promise.allSettled(upstreams.map((client) => client.close())));
  const match = upstreamMatcher(upstreamConfigs);

  // loaded only when configured (the watermark schemes and the tokenizer are large); read before
  // anything opens: a missing master key stops the start with the field's name
  const watermarks = config.watermark
    ? (await import('./tracer-watermark.js')).TracerWatermarks.fromConfig(
        config.watermark,
        upstreamConfigs.map((upstream) => upstream.name),
      )
    : null;
  const app = createPublicApp(config.limits, options.logLevel);
  // shared engines first: a deployment that asked for them does not start without them
  const counters = await openCounters(config.counters, app.log);
  cleanup.add(() => counters.close());
  const forwarder = await openEventForwarder(
    config.bus,
    outboxPathFor(options.databasePath),
    app.log,
  );
  if (forwarder) cleanup.add(() => forwarder.close(0));
  const store = openGatewayStore(options.databasePath, app.log);
  cleanup.add(() => store.close());
  const keyHashSecret = await loadKeyHashSecret({
    databasePath: options.databasePath,
    file: options.keyHashSecretFile,
    store,
  });
  const keys = new ApiKeys(store, keyHashSecret);
  const tokens = new AdminTokens(store, keyHashSecret, options.adminToken ?? null);
  // exchanges stored before this start feed live detection again (warm start), without repeats
  const lastStoredSeq = await store.lastInteractionSeq();
  const importId = await store.beginImport('interactions', {
    kind: 'gateway',
    path: null,
    size: null,
    modifiedMs: null,
  });
  cleanup.add(() => app.close());
  // the detector tails the store from its start: exchanges stored before this start are folded in
  // again (warm start), so verdicts (and so decisions) survive a restart
  const detection = new LiveDetection({
    databasePath: options.databasePath,
    assessEveryMs: config.detection.assess_every_ms,
    staleAfterMs: config.detection.stale_after_ms,
    bounds: { maxAccounts: config.detection.max_accounts },
    partnerSignal: config.intel?.partner_signal ?? true,
    onAssessment: options.onAssessment,
    log: app.log,
    storedThrough: () => store.lastInteractionSeq(),
  });
  cleanup.add(() => detection.close());
  const metrics = new GatewayMetrics(() => recorder.counts.queued);
  const spoolPath = config.recording.spool ? spoolPathFor(options.databasePath) : null;
  const recorder = new InteractionRecorder(store, importId, {
    maxQueuedRows: config.recording.max_queued_rows,
    maxQueuedBytes: config.recording.max_queued_bytes,
    spoolPath,
    alreadyStored: (id) => store.hasInteraction(id),
    log: app.log,
    onDropped: (rows, reason) => metrics.recorderDropped.inc({ reason }, rows),
    onRejected: (rows) => metrics.recorderDropped.inc({ reason: 'rejected' }, rows),
    forward: forwarder ? (event) => forwarder.add(event) : undefined,
  });
  cleanup.add(() => recorder.close());
  const policy = parsePolicyConfig(config.policy ?? {});
  const enforcement: Enforcement = options.enforcement
    ? options.enforcement(detection, store, metrics, counters)
    : new LadderEnforcement(detection, store, policy, metrics, {
        log: app.log,
        onDetectorFailure: config.detection.on_detector_failure,
        counters,
      });
  cleanup.add(() => enforcement.close());
  const health = new GatewayHealth({
    recorder,
    detection,
    decisions: { health: () => enforcement.decisionHealth() },
    counters,
    bus: forwarder,
    unhandled: new UnhandledErrors(),
  });
  registerHealthMetrics(metrics.registry, health);
  let warmStartSettled = false;
  const context: ProxyContext = {
    keys,
    trustAccountHeader: trustedAccount,
    clientAddressOf,
    acceptReplayTime: options.acceptReplayTime ?? false,
    routesFor: upstreamRouter(upstreams, match),
    enforcement,
    recorder,
    metrics,
    watermarks,
    log: app.log,
    limits: config.limits,
    gatewayHeaders: config.gateway_headers,
    concurrency: new AccountConcurrency(config.limits.concurrent_per_account),
  };
  const listener = serveRequests(app, context, config.limits);

  registerPublicRoutes(app, config.limits.body_bytes);
  app.get('/v1/models', () => listModels(upstreams, match));
  registerHealthRoutes(app, health, () => warmStartSettled);
  // with --admin-port the admin API, sidecar and metrics live only there; else on the public port,
  // where /metrics needs a read token
  const adminApp =
    options.adminPort === undefined ? app : createAdminApp(app.log, config.limits.body_bytes);
  if (adminApp !== app) cleanup.add(() => adminApp.close());
  registerMetricsRoute(adminApp, metrics, adminApp === app ? tokens : null);
  registerAdminRoutes(adminApp, {
    store,
    keys,
    tokens,
    detection,
    recorder,
    health,
    enforcement,
    refreshFacts: () => detection.refreshFacts(),
  });
  // the log's key is read (or made) on the first designation request, not at start
  let designationLog: Promise<TransparencyLog> | null = null;
  const userContext = {
    store,
    keyHashSecret,
    log: () =>
      (designationLog ??= loadLogSigner({ databasePath: options.databasePath, store }).then(
        (signer) => new TransparencyLog(store.designation, signer),
        (error: unknown) => {
          designationLog = null; // the next request tries again
          throw error;
        },
      )),
  };
  // watermark audits from the dashboard, under the cohort keys this gateway serves with
  const audits = await auditStarter({
    store,
    master: watermarks?.master ?? null,
    schemes: upstreamConfigs.map(
      (upstream) =>
        config.watermark?.schemes[upstream.name] ?? config.watermark?.default_scheme ?? 'selection',
    ),
    cohorts: policy.tracer.cohorts,
    promptsPath: config.watermark?.audit_prompts_file,
    databasePath: options.databasePath,
    log: app.log,
  });
  // the dashboard: its pages at /, the designation API and its reads and live updates under /admin/v1/
  await mountDashboard(adminApp, {
    ...userContext,
    intel: config.intel,
    startAudit: audits.startAudit,
    auditUnavailable: audits.auditUnavailable,
  });
  if (options.taxii)
    await mountTaxii(adminApp, {
      store,
      hashSecret: (secret) => partnerSecretHash(keyHashSecret, secret),
      title: config.intel?.organization?.name ?? 'DistillGuard TAXII',
      bothSlashForms: true,
      onReceived: options.onTaxiiReceived,
      // what partners post may hold indicators: the detector reads them again now, not in a minute
      onObjectsAdded: () => detection.refreshFacts(),
    });
  const retention = config.retention ? startRetention(store, config.retention, app.log) : null;
  if (retention) cleanup.add(() => retention.stop());

  const address = await listenQuietly(
    app,
    options.port ?? defaultGatewayPort,
    options.host ?? defaultListenHost,
    'Pick another --port.',
  );
  const port = Number(new URL(address).port);
  const adminUrl =
    adminApp === app
      ? null
      : await listenQuietly(
          adminApp,
          options.adminPort,
          options.adminHost ?? defaultListenHost,
          'Pick another --admin-port.',
          ' (--admin-port)',
        );
  const startup: StartupSummary = {
    store: options.databasePath,
    upstreams: upstreamConfigs.map(({ name, url, api }) => ({ name, url, api })),
    publicUrl: address,
    adminUrl,
    counters: counters.health().url ?? 'memory',
    bus: forwarder?.target ?? null,
  };
  app.log.info(startupFields(startup), `distillguard gateway started: ${startupText(startup)}`);
  const warmStart = startWarmStart(detection, lastStoredSeq, listener, app.log, () => {
    warmStartSettled = true;
  });
  let closed: Promise<ShutdownReport> | null = null;
  return {
    url: address,
    port,
    store,
    detection,
    keys,
    tokens,
    adminUrl,
    recorder,
    warmStart,
    startup,
    spoolPath,
    health,
    log: app.log,
    close() {
      closed ??= stopGateway({
        listener,
        app,
        adminApp,
        recorder,
        store,
        importId,
        spoolPath,
        drainMs: config.shutdown.drain_ms,
        others: [
          () => audits.close(),
          ...(retention ? [() => retention.stop()] : []),
          () => enforcement.close(),
          () => counters.close(),
          ...(forwarder
            ? [() => closeForwarder(forwarder, config.shutdown.drain_ms, app.log)]
            : []),
          () => detection.close(),
          () => Promise.allSettled(upstreams.map((client) => client.close())).then(() => undefined),
        ],
      });
      return closed;
    },
  };
}

/** Publishes what the outbox holds within the drain deadline; says what stays for the next start. */
async function closeForwarder(
  forwarder: EventForwarder,
  withinMs: number,
  log: FastifyBaseLogger,
): Promise<void> {
  const left = await forwarder.close(withinMs);
  if (left > 0)
    log.warn(
      { bytes: left, bus: forwarder.target },
      'events the bus has not acknowledged stay in the outbox; the next start on this store publishes them',
    );
}

/** Who a request comes from, as the options say to read it: the trusted account header and proxies. */
function callerIdentity(options: GatewayOptions): {
  trustedAccount: TrustedAccountHeader | null;
  clientAddressOf: ProxyContext['clientAddressOf'];
} {
  const trustedAccount =
    options.trustAccountHeader && options.trustAccountHeaderSecret
      ? trustedAccountHeader(options.trustAccountHeader, options.trustAccountHeaderSecret)
      : null;
  const clientAddressOf = clientAddressResolver(
    options.trustedProxies && options.trustedProxies.length > 0
      ? parseTrustedProxies(options.trustedProxies)
      : null,
  );
  return { trustedAccount, clientAddressOf };
}

/** The store, its write thread tuned by src/runtime/ (priority, guard and their log lines), its exits logged. */
function openGatewayStore(databasePath: string, log: FastifyBaseLogger): SqliteStore {
  return SqliteStore.open(databasePath, {
    cacheMb: 2,
    writerThread: gatewayWriterThread(() => log),
    onWriterExit: (error, restartInMs) => {
      // the first exit of a run of them is an error; the retries after it are not news
      if (restartInMs <= 100)
        log.error(
          { err: error },
          'the store write thread stopped; its pending writes failed (they are retried) and it is restarted with backoff',
        );
      else
        log.debug({ err: error, restartInMs }, 'the store write thread stopped again; restarting');
    },
  });
}

/** The `retention` config's hourly prune, logged. */
function startRetention(
  store: SqliteStore,
  retention: NonNullable<GatewayConfig['retention']>,
  log: FastifyBaseLogger,
): RetentionSchedule {
  return scheduleRetention(
    store,
    { textDays: retention.text_days, exchangesDays: retention.exchanges_days },
    {
      onPruned: (tally) => log.info({ retention: tally }, 'retention: pruned old exchanges'),
      onError: (error) => log.error({ err: error }, 'retention failed; it runs again in an hour'),
    },
  );
}

/**
 * Live detection folds in what was stored before this start (through `lastStoredSeq`); resolves
 * with how many interactions it read, 0 when it failed or the gateway stopped meanwhile.
 */
function startWarmStart(
  detection: LiveDetection,
  lastStoredSeq: number,
  listener: { readonly draining: boolean },
  log: FastifyBaseLogger,
  settled: () => void,
): Promise<number> {
  return detection
    .assessNow(lastStoredSeq)
    .then(
      (assessment) => assessment.interactions,
      (error: unknown) => {
        // a stop during the warm start ends it: not a failure
        if (!listener.draining) log.error({ err: error }, 'warm start of live detection failed');
        return 0;
      },
    )
    .finally(settled);
}

interface GatewayParts {
  listener: { drain(): void };
  app: FastifyInstance;
  adminApp: FastifyInstance;
  recorder: InteractionRecorder;
  store: SqliteStore;
  importId: number;
  spoolPath: string | null;
  drainMs: number;
  others: (() => Promise<void>)[];
}

/** Drains and stops every part within `drainMs`; logs and returns what could not be stored. */
function stopGateway(parts: GatewayParts): Promise<ShutdownReport> {
  const { app, adminApp } = parts;
  parts.listener.drain();
  // the warm start is not waited for: a detector stuck in it must not hold the stop
  return shutDownGateway(
    {
      closeListener: async () => {
        await Promise.all([app.close(), adminApp !== app ? adminApp.close() : undefined]);
      },
      server: app.server,
      recorder: parts.recorder,
      store: parts.store,
      importId: parts.importId,
      log: app.log,
      others: parts.others,
    },
    parts.drainMs,
  ).then((report) => {
    const line = describeShutdown(report, parts.spoolPath);
    if (report.dropped + report.unstored > 0) app.log.error({ ...report }, `stopped: ${line}`);
    else app.log.info({ ...report }, `stopped: ${line}`);
    return report;
  });
}

/** The usage errors in the options, before anything opens. */
function checkOptions(options: GatewayOptions, upstreams: UpstreamConfig[]): void {
  if (upstreams.length === 0)
    throw new DistillGuardError(
      'usage',
      'no upstream: pass --upstream URL or list upstreams in --config.',
    );
  if (options.trustAccountHeader && !options.trustAccountHeaderSecret) {
    throw new DistillGuardError(
      'usage',
      `--trust-account-header needs a secret shared with the auth proxy in front (--trust-account-header-secret-file or ${proxySecretVariable}): without it, anyone who reaches the port can claim any account. The proxy sends it in the ${proxySecretHeader} header.`,
    );
  }
  if (options.adminHost !== undefined && options.adminPort === undefined)
    throw new DistillGuardError(
      'usage',
      '--admin-host needs --admin-port: without it the admin routes share the public listener.',
    );
}
