// A gateway for the engines benchmark: every account is throttled (detection's view says each is
// an extraction account of low risk), at a rate far above the load, so that every request takes
// tokens from the configured buckets and none is refused; with --nats every exchange is also
// published to JetStream through the outbox. Prints its URL once it listens.
// Usage: node dist/bench/throttled-gateway.js --port P --upstream URL --db FILE [--redis URL] [--nats URL]
import { parseArgs } from 'node:util';
import type { LiveAccountState } from '../src/detect/index.js';
import {
  LadderEnforcement,
  parseGatewayConfig,
  startGateway,
  type LiveView,
} from '../src/gateway/index.js';
import { parsePolicyConfig } from '../src/respond/index.js';
import { benchAccountHeader, benchProxySecret } from './bench-targets.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    upstream: { type: 'string' },
    db: { type: 'string' },
    redis: { type: 'string' },
    nats: { type: 'string' },
  },
});
const flagged: LiveAccountState = { verdict: 'extraction', risk: 0.6, campaignId: null };
const everyAccountThrottled = {
  assessment: null,
  account: () => flagged,
  campaign: () => undefined,
} as unknown as LiveView;
const policy = parsePolicyConfig({
  throttle: { account: { requests_per_minute: 60_000_000, burst: 1_000_000 } },
});
const gateway = await startGateway({
  port: Number(values.port),
  upstream: values.upstream,
  databasePath: values.db ?? 'throttled-gateway.db',
  trustAccountHeader: benchAccountHeader,
  trustAccountHeaderSecret: benchProxySecret,
  logLevel: 'silent',
  config: parseGatewayConfig({
    counters: values.redis
      ? { kind: 'redis', url: values.redis, key_prefix: `bench:${process.pid}:` }
      : { kind: 'memory' },
    bus: values.nats
      ? {
          kind: 'nats',
          servers: values.nats,
          stream: `BENCH_${process.pid}`,
          subject_prefix: `bench.${process.pid}`,
        }
      : { kind: 'embedded' },
  }),
  enforcement: (_live, store, metrics, counters) =>
    new LadderEnforcement(everyAccountThrottled, store, policy, metrics, { counters }),
});
process.stdout.write(`${gateway.url}\n`);
process.once('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
