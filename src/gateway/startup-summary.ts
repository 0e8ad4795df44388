// What a started gateway uses, in one line: the store, the upstreams (URLs without credentials)
// and the listeners; also the one-line summary of `distillguard config check`.
import { withoutCredentials } from '../core/index.js';
import { describeBus } from '../bus/index.js';
import type { GatewayConfig } from './gateway-config.js';

export interface StartupSummary {
  store: string;
  upstreams: { name: string; url: string; api: string }[];
  /** The model routes' listener. */
  publicUrl: string;
  /** The admin listener (admin API, sidecar, metrics); null when they share the public one. */
  adminUrl: string | null;
  /** Where throttle buckets live: `memory`, or Redis's URL without credentials. */
  counters: string;
  /** Where events are published besides the store (NATS servers and stream); null for none. */
  bus: string | null;
}

/** The fields of the gateway's first log line (URLs already without credentials). */
export function startupFields(summary: StartupSummary): Record<string, unknown> {
  return {
    store: summary.store,
    upstreams: summary.upstreams.map((upstream) => ({
      name: upstream.name,
      url: withoutCredentials(upstream.url),
      api: upstream.api,
    })),
    listeners: { public: summary.publicUrl, admin: summary.adminUrl ?? summary.publicUrl },
    counters: summary.counters,
    bus: summary.bus,
  };
}

/** The same as one sentence: `store ./x.db; upstreams a=http://…/v1 (openai); admin, sidecar and metrics on http://…`. */
export function startupText(summary: StartupSummary): string {
  const upstreams = summary.upstreams
    .map((upstream) => `${upstream.name}=${withoutCredentials(upstream.url)} (${upstream.api})`)
    .join(', ');
  const admin = summary.adminUrl
    ? `admin, sidecar and metrics on ${summary.adminUrl}`
    : 'admin, sidecar and metrics on the public port';
  const counters =
    summary.counters === 'memory' ? '' : `; throttle buckets shared in ${summary.counters}`;
  const bus = summary.bus === null ? '' : `; events published to ${summary.bus}`;
  return `store ${summary.store}; upstreams ${upstreams}; ${admin}; dashboard at ${summary.adminUrl ?? summary.publicUrl}/${counters}${bus}`;
}

/**
 * Where the config's `storage` block puts the store: the SQLite file `databasePath` (serve's and the
 * store commands' --db), or PostgreSQL's URL without credentials and the schema.
 */
function describeStorage(config: GatewayConfig, databasePath: string): string {
  return config.storage.kind === 'postgres'
    ? `PostgreSQL at ${withoutCredentials(config.storage.url ?? '')} (schema ${config.storage.schema})`
    : `the SQLite file ${databasePath}`;
}

/** `config check`'s line: what the file sets up, without starting anything; the store as `databasePath` (--db) when SQLite. */
export function configSummary(config: GatewayConfig, databasePath: string): string {
  const upstreams =
    config.upstreams.length === 0
      ? 'no upstreams (serve needs --upstream, else starts the built-in reference model)'
      : `${config.upstreams.length} upstream${config.upstreams.length === 1 ? '' : 's'} (${config.upstreams.map((upstream) => `${upstream.name}=${withoutCredentials(upstream.url)}`).join(', ')})`;
  const policy = config.policy
    ? `response policy with ${config.policy.rules.length} rules`
    : 'the default response policy';
  const watermark = config.watermark
    ? `tracer watermarks (${config.watermark.default_scheme} by default)`
    : 'no tracer watermarks';
  const counters =
    config.counters.kind === 'redis'
      ? `throttle buckets shared in Redis at ${withoutCredentials(config.counters.url ?? '')}`
      : 'throttle buckets per gateway';
  const bus =
    config.bus.kind === 'nats' ? `, events published to NATS at ${describeBus(config.bus)}` : '';
  const store =
    config.storage.kind === 'postgres'
      ? `, store in ${describeStorage(config, databasePath)} for the store commands (serve keeps SQLite until distillguard worker lands)`
      : `, store in ${describeStorage(config, databasePath)}`;
  return `${upstreams}, ${policy}, ${watermark}, ${counters}${bus}${store}`;
}
