// Token buckets in Redis, shared by every gateway: one Lua script takes a token from each bucket of
// a request, or from none, atomically, on Redis's own clock (TIME), so that replicas whose clocks
// differ still share one rate. When Redis cannot answer within the command timeout, the request is
// decided by this gateway's own buckets (the configured rate, per gateway) and the episode is
// reported by health(); limits are shared again as soon as Redis answers.
import { Redis } from 'ioredis';
import { DistillGuardError, withoutCredentials } from '../core/index.js';
import {
  type BucketRequest,
  type CounterStore,
  type CountersHealth,
  type TakeResult,
} from './counter-store.js';
import { MemoryCounterStore, retryAfterSeconds } from './token-bucket.js';

/**
 * KEYS: the buckets. ARGV: per bucket its refill per ms and burst, then the time in ms ('' for
 * Redis's clock). Each bucket is a hash {t: tokens, u: updated ms} that expires once it would be
 * full again (a missing bucket reads as full, so the expiry loses nothing). Returns
 * [allowed (0|1), level before the take of each bucket as a string] (Lua numbers would be cut to integers).
 */
const takeAllScript = `
local n = #KEYS
local now = tonumber(ARGV[2 * n + 1])
if now == nil then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local levels = {}
local allowed = 1
for i = 1, n do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local stored = redis.call('HMGET', KEYS[i], 't', 'u')
  local level = burst
  if stored[1] then
    local elapsed = math.max(0, now - tonumber(stored[2]))
    level = math.min(burst, tonumber(stored[1]) + elapsed * rate)
  end
  levels[i] = level
  if level < 1 then allowed = 0 end
end
local reply = { allowed }
for i = 1, n do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local left = levels[i] - allowed
  redis.call('HSET', KEYS[i], 't', string.format('%.17g', left), 'u', string.format('%d', now))
  redis.call('PEXPIRE', KEYS[i], math.ceil((burst - left) / rate) + 1000)
  reply[i + 1] = string.format('%.17g', levels[i])
end
return reply
`;

export interface RedisCountersOptions {
  /** redis:// or rediss:// URL (a password in it is never logged). */
  url: string;
  /** Put before every key, so that several deployments can share one Redis. */
  keyPrefix: string;
  /** How long a take may wait for Redis before this gateway's own buckets decide (ms). */
  timeoutMs: number;
  /** Password, when not in the URL (read from the environment by the caller). */
  password?: string;
  /** Decide on the caller's clock instead of Redis's (tests that compare with the memory buckets). */
  clock?: 'redis' | 'caller';
}

type TakeAllCommand = (keys: number, ...args: string[]) => Promise<string[] | number[]>;

export class RedisCounterStore implements CounterStore {
  private readonly client: Redis;
  private readonly options: RedisCountersOptions;
  private readonly local = new MemoryCounterStore({ maxKeys: 200_000 });
  private failingSinceMs: number | null = null;
  private failure: string | null = null;
  private localTakes = 0;
  private readonly onEpisode: (event: 'failing' | 'recovered', reason: string | null) => void;

  private constructor(
    options: RedisCountersOptions,
    onEpisode: (event: 'failing' | 'recovered', reason: string | null) => void,
  ) {
    this.options = options;
    this.onEpisode = onEpisode;
    this.client = new Redis(options.url, {
      keyPrefix: options.keyPrefix,
      password: options.password,
      lazyConnect: true,
      // fail at once while disconnected instead of queueing: the local buckets answer meanwhile
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // requests of one event-loop turn share one write to Redis
      enableAutoPipelining: true,
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(1_000, options.timeoutMs * 10),
      // reconnect forever, at most every 2 s
      retryStrategy: (attempt) => Math.min(2_000, 50 * attempt),
    });
    this.client.on('error', (error: Error) => this.fail(error.message));
    this.client.on('ready', () => this.recover());
    this.client.defineCommand('takeAll', { lua: takeAllScript });
  }

  /**
   * Connects and checks Redis answers; a deployment that asked for shared counters does not start
   * without them.
   * @throws DistillGuardError('engine_unavailable') naming the URL and what to do.
   */
  static async connect(
    options: RedisCountersOptions,
    onEpisode: (event: 'failing' | 'recovered', reason: string | null) => void = () => {},
  ): Promise<RedisCounterStore> {
    const store = new RedisCounterStore(options, onEpisode);
    try {
      await store.client.connect();
      await store.client.ping();
    } catch (error) {
      store.client.disconnect();
      throw new DistillGuardError(
        'engine_unavailable',
        `counters: cannot reach Redis at ${withoutCredentials(options.url)}: ${(error as Error).message}. Start Redis there, fix counters.url, or set counters.kind to "memory" (limits are then per gateway).`,
        { cause: error },
      );
    }
    store.failingSinceMs = null;
    store.failure = null;
    return store;
  }

  takeAll(requests: readonly BucketRequest[], nowMs: number): TakeResult | Promise<TakeResult> {
    if (this.client.status !== 'ready') return this.takeLocally(requests, nowMs);
    const args: string[] = [];
    for (const { key } of requests) args.push(key);
    for (const { rate } of requests)
      args.push(String(rate.requests_per_minute / 60_000), String(rate.burst));
    args.push(this.options.clock === 'caller' ? String(nowMs) : '');
    const command = (this.client as unknown as { takeAll: TakeAllCommand }).takeAll;
    return command.call(this.client, requests.length, ...args).then(
      (reply) => {
        if (this.failingSinceMs !== null) this.recover();
        return resultOf(requests, reply.map(Number));
      },
      (error: unknown) => {
        this.fail(error instanceof Error ? error.message : String(error));
        return this.takeLocally(requests, nowMs);
      },
    );
  }

  health(): CountersHealth {
    return {
      kind: 'redis',
      url: withoutCredentials(this.options.url),
      shared: this.failingSinceMs === null,
      reason: this.failure,
      since: this.failingSinceMs,
      localTakes: this.localTakes,
    };
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private takeLocally(requests: readonly BucketRequest[], nowMs: number): TakeResult {
    this.localTakes += 1;
    if (this.failingSinceMs === null) this.fail(`Redis connection ${this.client.status}`);
    return this.local.takeAll(requests, nowMs);
  }

  private fail(reason: string): void {
    this.failure = reason;
    if (this.failingSinceMs !== null) return;
    this.failingSinceMs = Date.now();
    this.onEpisode('failing', reason);
  }

  private recover(): void {
    if (this.failingSinceMs === null) return;
    this.failingSinceMs = null;
    this.failure = null;
    this.onEpisode('recovered', null);
  }
}

function resultOf(requests: readonly BucketRequest[], reply: number[]): TakeResult {
  const allowed = reply[0] === 1;
  if (allowed) return { allowed, retryAfterS: 0, deniedBy: [] };
  const deniedBy: string[] = [];
  let retryAfterS = 0;
  requests.forEach((request, index) => {
    const level = reply[index + 1];
    if (level >= 1) return;
    deniedBy.push(request.key);
    retryAfterS = Math.max(retryAfterS, retryAfterSeconds(level, request.rate));
  });
  return { allowed, retryAfterS, deniedBy };
}
