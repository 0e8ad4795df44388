// Where throttle buckets live, chosen in config: in this process (one gateway) or in Redis (every
// gateway shares each account's and campaign's rate). ioredis loads only when Redis is configured.
import { z } from 'zod';
import { DistillGuardError } from '../core/index.js';
import type { CounterStore, CountersHealth } from './counter-store.js';
import { MemoryCounterStore } from './token-bucket.js';

export const countersConfigSchema = z
  .strictObject({
    /** memory: buckets in this gateway (limits multiply by the number of gateways); redis: shared. */
    kind: z.enum(['memory', 'redis']).default('memory'),
    /** redis://host:6379/0 (or rediss:// for TLS); required for redis. Put no password here: use password_env. */
    url: z.string().min(1).optional(),
    /** Name of the environment variable holding Redis's password (never the password itself). */
    password_env: z.string().min(1).optional(),
    /** Put before every key, so that several deployments can share one Redis. */
    key_prefix: z.string().min(1).default('distillguard:'),
    /** How long a request waits for Redis before this gateway's own buckets decide it (ms). */
    timeout_ms: z.number().int().positive().default(50),
  })
  .superRefine((value, context) => {
    if (value.kind === 'redis' && value.url === undefined)
      context.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'counters.kind "redis" needs counters.url, e.g. "redis://127.0.0.1:6379"',
      });
    if (value.url !== undefined && !/^rediss?:\/\//.test(value.url))
      context.addIssue({
        code: 'custom',
        path: ['url'],
        message: `counters.url must start with redis:// or rediss:// (got '${value.url.split(':')[0]}:')`,
      });
    if (value.kind === 'memory' && (value.url !== undefined || value.password_env !== undefined))
      context.addIssue({
        code: 'custom',
        path: ['kind'],
        message:
          'counters.url or password_env is set but counters.kind is "memory": set kind to "redis" to share limits, or remove them',
      });
  });

export type CountersConfig = z.output<typeof countersConfigSchema>;

/** Throttle buckets as configured, with what health reports of them. */
export interface Counters {
  store: CounterStore;
  health(): CountersHealth;
  close(): Promise<void>;
}

/** The few logger calls counters make (pino fits). */
export interface CountersLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/** In-memory buckets, for one gateway. */
export function memoryCounters(): Counters & { store: MemoryCounterStore } {
  const store = new MemoryCounterStore({ maxKeys: 200_000 });
  return {
    store,
    health: () => ({
      kind: 'memory',
      url: null,
      shared: true,
      reason: null,
      since: null,
      localTakes: 0,
    }),
    close: async () => {},
  };
}

/**
 * Opens the configured buckets; with Redis, connects first and refuses to start without it.
 * @throws DistillGuardError('engine_unavailable') when Redis does not answer, ('usage') when its password variable is unset.
 */
export async function openCounters(config: CountersConfig, log?: CountersLog): Promise<Counters> {
  if (config.kind === 'memory' || config.url === undefined) return memoryCounters();
  let password: string | undefined;
  if (config.password_env !== undefined) {
    password = process.env[config.password_env];
    if (!password)
      throw new DistillGuardError(
        'usage',
        `counters.password_env: the environment variable ${config.password_env} is not set.`,
      );
  }
  const { RedisCounterStore } = await import('./redis-counter-store.js');
  const store = await RedisCounterStore.connect(
    { url: config.url, keyPrefix: config.key_prefix, timeoutMs: config.timeout_ms, password },
    (event, reason) => {
      if (event === 'failing')
        log?.warn(
          { reason },
          'shared counters (Redis) not answering: throttle limits are kept per gateway until it answers',
        );
      else log?.info({}, 'shared counters (Redis) answer again: throttle limits are shared');
    },
  );
  return { store, health: () => store.health(), close: () => store.close() };
}
