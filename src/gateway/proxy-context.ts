// What the request path of a model route is given: the parts of the running gateway it uses (keys,
// upstream routes, enforcement, recorder, metrics, limits), and the request as the gateway's own
// HTTP handler read it.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { AccountConcurrency } from './account-concurrency.js';
import type { ApiKeys } from './api-keys.js';
import type { Caller, TrustedAccountHeader } from './authenticate.js';
import type { ClientAddressOf } from './client-address.js';
import type { Enforcement } from './enforcement.js';
import type { LimitsConfig } from './gateway-config.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { InteractionRecorder } from './interaction-recorder.js';
import type { UpstreamRoutes } from './route-plan.js';
import type { TracerWatermarks } from './tracer-watermark.js';

export interface ProxyContext {
  keys: ApiKeys;
  /** --trust-account-header with the proxy's secret; null: API keys. */
  trustAccountHeader: TrustedAccountHeader | null;
  /** The client address of a request (the socket peer, or X-Forwarded-For from trusted proxies). */
  clientAddressOf: ClientAddressOf;
  acceptReplayTime: boolean;
  /** The routes to the upstream serving a model (route-plan.ts), or null when none does. */
  routesFor: (model: string) => UpstreamRoutes | null;
  enforcement: Enforcement;
  recorder: InteractionRecorder;
  metrics: GatewayMetrics;
  /** Tracer watermarks; null when the config has none (the cohort header is then still sent). */
  watermarks: TracerWatermarks | null;
  log: FastifyBaseLogger;
  limits: LimitsConfig;
  /** Requests in flight per account, capped at `limits.concurrent_per_account`. */
  concurrency: AccountConcurrency;
  /** Whether answers carry the x-distillguard-* headers (config `gateway_headers`). */
  gatewayHeaders: boolean;
}

/** A model request as the gateway's own HTTP handler read it (model routes bypass fastify's routing). */
export interface ModelRequest {
  headers: IncomingHttpHeaders;
  /** The peer's address. */
  ip: string;
  /** The whole body, within the size limit. */
  body: Buffer;
  /** Who is calling, authenticated on the headers before the body was read. */
  caller: Caller;
}
