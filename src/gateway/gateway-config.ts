// The gateway's configuration: one zod schema, defaults that work on a laptop, errors that name
// the field. Upstreams are matched to models by glob in order; the first match serves. Every
// object is strict (z.strictObject): a field the schema does not know stops the start, with the
// nearest known name (src/core/config-issues.ts), so a misspelt setting is never silently ignored.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DistillGuardError, parseConfig } from '../core/index.js';
import { countersConfigSchema, policyConfigSchema } from '../respond/index.js';
import { intelConfigSchema } from '../intel/index.js';
import { busConfigSchema } from '../bus/index.js';
import { storageConfigSchema } from '../store/index.js';

const upstreamSchema = z.strictObject({
  name: z.string().min(1),
  /** Base URL as an SDK takes it: OpenAI-compatible with its /v1 (http://host:8000/v1), Anthropic without (https://api.anthropic.com). */
  url: z.url(),
  api: z.enum(['openai', 'anthropic']).default('openai'),
  /** Model name globs this upstream serves ('*' for all). */
  models: z.array(z.string().min(1)).min(1).default(['*']),
  /** Name of the environment variable holding this upstream's API key (never the key itself). */
  api_key_env: z.string().min(1).optional(),
  api_key_file: z.string().min(1).optional(),
  timeout_ms: z.number().int().positive().default(120_000),
  /** The longest one call may take from its dispatch to its last byte, however it trickles (504 or a cut stream past it). */
  timeout_total_ms: z.number().int().positive().default(600_000),
  connections: z.number().int().positive().default(128),
  /** Anthropic upstreams: the `anthropic-version` values a client may send (400 for others); any when absent. */
  anthropic_versions: z.array(z.string().min(1)).optional(),
  /** Anthropic upstreams: the `anthropic-beta` flags a client may send (400 for others); any when absent. */
  anthropic_betas: z.array(z.string().min(1)).optional(),
});

/** Sampler-side schemes need an upstream that samples with our logits processor (the reference model). */
export const samplerSchemes = ['kgw', 'kgw-selfhash', 'gumbel', 'unigram'] as const;
export const gatewaySchemes = [...samplerSchemes, 'selection', 'lexical'] as const;
export type GatewayScheme = (typeof gatewaySchemes)[number];

const watermarkSchema = z
  .strictObject({
    /** Master watermark key (distillguard watermark keygen); cohort keys derive from it. */
    master_key_file: z.string().min(1).optional(),
    /** Name of an environment variable holding the master key's JSON (never the key itself in config). */
    master_key_env: z.string().min(1).optional(),
    /** Scheme per upstream name; upstreams not listed use `default_scheme`. */
    schemes: z.record(z.string(), z.enum(gatewaySchemes)).default({}),
    default_scheme: z.enum(gatewaySchemes).default('selection'),
    /** Candidates the selection scheme asks the upstream for (the `n` of the request). */
    selection_candidates: z.number().int().min(2).max(16).default(4),
    /** JSON Lines of prompts the dashboard's audits ask a suspect (as `distillguard audit --prompts`). */
    audit_prompts_file: z.string().min(1).optional(),
  })
  .refine(
    (value) => (value.master_key_file === undefined) !== (value.master_key_env === undefined),
    {
      message: 'set exactly one of master_key_file and master_key_env',
      path: ['master_key_file'],
    },
  );

export const gatewayConfigSchema = z.strictObject({
  upstreams: z.array(upstreamSchema).default([]),
  limits: z
    .strictObject({
      /** Largest request body accepted, in bytes (413 above it). */
      body_bytes: z
        .number()
        .int()
        .positive()
        .default(4 * 1024 * 1024),
      /** Longest SSE event an upstream may send, in characters (the stream fails with upstream_error past it). */
      stream_event_chars: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024),
      /** How long a response may wait on a client that does not read before both sides are closed. */
      client_stall_ms: z.number().int().positive().default(30_000),
      /** Model requests one account may have in flight at once (429 with Retry-After past it). */
      concurrent_per_account: z.number().int().positive().default(64),
      /** Largest whole (non-streamed) upstream answer the gateway collects, in bytes (502 past it). */
      upstream_body_bytes: z
        .number()
        .int()
        .positive()
        .default(32 * 1024 * 1024),
      /** Characters of text, reasoning and tool-call arguments kept per recorded exchange; the rest is counted. */
      recorded_text_chars: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024),
      /** Largest `n` (and legacy `best_of`) a request may ask for (400 naming the parameter past it). */
      max_n: z.number().int().positive().default(16),
      /** Largest `max_tokens` (or `max_completion_tokens`) a request may ask for; no cap when absent. */
      max_tokens: z.number().int().positive().optional(),
      /** How long a client may take to send the request headers (408 in the caller's format past it). */
      headers_timeout_ms: z.number().int().positive().default(10_000),
      /** How long a client may take to send the whole request, body included (408 past it). */
      request_timeout_ms: z.number().int().positive().default(60_000),
      /** Client connections held open at once; more are closed as they arrive. */
      max_connections: z.number().int().positive().default(10_000),
      /** Connections one client address may hold open (more are closed as they arrive); no cap when absent (behind a load balancer every client has its address). */
      connections_per_ip: z.number().int().positive().optional(),
    })
    .prefault({}),
  detection: z
    .strictObject({
      /** How often the account graph is re-clustered. */
      assess_every_ms: z.number().int().positive().default(5_000),
      /** An assessment older than this, or a detector further behind than this, is stale (/health degraded, /v1/decide `stale`). */
      stale_after_ms: z.number().int().positive().default(60_000),
      /** What an account without an assessment gets while detection is down or stale: open = served (observed), closed = 503 with Retry-After. */
      on_detector_failure: z.enum(['open', 'closed']).default('open'),
      /** Account profiles the live detector keeps; past it the longest idle are evicted. */
      max_accounts: z.number().int().positive().default(100_000),
    })
    .prefault({}),
  /** How exchanges wait for the store (docs/gateway.md, "Recording"). */
  recording: z
    .strictObject({
      /** Exchanges held in memory while the store cannot keep up or cannot be written; beyond it the newest are dropped (and counted). */
      max_queued_rows: z.number().int().positive().default(50_000),
      /** The same bound in characters of recorded JSON. */
      max_queued_bytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024 * 1024),
      /** Append each flush's exchanges to `<db>.spool` so that a killed gateway loses none (replayed at the next start). */
      spool: z.boolean().default(true),
    })
    .prefault({}),
  shutdown: z
    .strictObject({
      /** On SIGTERM, how long requests in flight may take before their connections are closed (ms); the store then gets what is left of it, at least 1 s. */
      drain_ms: z.number().int().nonnegative().default(10_000),
    })
    .prefault({}),
  /** Send x-distillguard-request-id and x-distillguard-overhead-ms on answers (false: clients see no sign of the gateway). */
  gateway_headers: z.boolean().default(true),
  /** Tracer watermarks (docs/gateway.md, docs/provenance.md); off when absent. */
  watermark: watermarkSchema.optional(),
  /** The response ladder (see docs/respond.md); respond/'s schema, checked with the rest of the file. */
  policy: policyConfigSchema.optional(),
  /** Where throttle buckets live: this process (memory) or Redis, shared by every gateway (docs/scale.md). */
  counters: countersConfigSchema.prefault({}),
  /** Where interaction events go besides this gateway's store: NATS JetStream for detector workers (docs/scale.md). */
  bus: busConfigSchema.prefault({}),
  /** Where the store lives: the SQLite file of --db (the default), or a PostgreSQL schema the store commands share (docs/scale.md; serve keeps SQLite for now). */
  storage: storageConfigSchema.prefault({}),
  /** Retention of stored exchanges, in days: text first, whole rows later; kept forever when absent. */
  retention: z
    .strictObject({
      /** After this many days an exchange's prompt and answer text is removed; its metadata stays. */
      text_days: z.number().positive().optional(),
      /** After this many days the exchange is deleted (imports, counts and decisions stay). */
      exchanges_days: z.number().positive().optional(),
    })
    .optional(),
  /** Intelligence sharing: who we are, the default TLP, the network-indicator policy (intel/). */
  intel: intelConfigSchema.optional(),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type LimitsConfig = GatewayConfig['limits'];
export type UpstreamConfig = z.infer<typeof upstreamSchema>;
export type WatermarkConfig = z.infer<typeof watermarkSchema>;

/**
 * Validates a config object; each problem is named with its field's path (unknown fields with the
 * nearest known name), one per line.
 * @throws DistillGuardError('usage'), exit code 64.
 */
export function parseGatewayConfig(value: unknown, origin = 'config'): GatewayConfig {
  return parseConfig(gatewayConfigSchema, value, origin, 'docs/gateway.md');
}

export function readGatewayConfig(path: string): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DistillGuardError(
      'input_unreadable',
      `cannot read config '${path}': ${(error as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DistillGuardError(
      'input_invalid',
      `config '${path}' is not valid JSON: ${(error as Error).message}`,
    );
  }
  return parseGatewayConfig(value, path);
}

/** The upstream `--upstream URL` names: every model to that OpenAI-compatible base URL, the schema's defaults for the rest. */
export function defaultUpstream(url: string): UpstreamConfig {
  return parseConfig(
    upstreamSchema,
    { name: 'default', url, api: 'openai', models: ['*'] },
    '--upstream',
    'docs/gateway.md',
  );
}

/** The API key for an upstream, read from its env variable or file at start. */
export function upstreamApiKey(upstream: UpstreamConfig): string | null {
  if (upstream.api_key_env) {
    const value = process.env[upstream.api_key_env];
    if (!value)
      throw new DistillGuardError(
        'usage',
        `upstream '${upstream.name}': environment variable ${upstream.api_key_env} (api_key_env) is not set.`,
      );
    return value;
  }
  if (upstream.api_key_file) {
    try {
      return readFileSync(upstream.api_key_file, 'utf8').trim();
    } catch (error) {
      throw new DistillGuardError(
        'usage',
        `upstream '${upstream.name}': cannot read api_key_file '${upstream.api_key_file}': ${(error as Error).message}`,
      );
    }
  }
  return null;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Picks the upstream for a model: the first whose globs match. */
export function upstreamMatcher(
  upstreams: UpstreamConfig[],
): (model: string) => UpstreamConfig | null {
  const compiled = upstreams.map((upstream) => ({
    upstream,
    patterns: upstream.models.map(globToRegExp),
  }));
  return (model) =>
    compiled.find((entry) => entry.patterns.some((pattern) => pattern.test(model)))?.upstream ??
    null;
}
