// Replays a logged traffic folder against a gateway: accounts first, then each interaction as a
// live request from its own account's key, at the log's pace divided by --speed, with bounded
// concurrency. The log is streamed, never held whole.
import { DistillGuardError, validateInteraction, type Interaction } from '../core/index.js';
import { openInput, parseRecord, readLineBatches } from '../ingest/index.js';
import { AdminClient, type AccountsPosted } from './admin-client.js';
import { capMaxTokens } from './cap-max-tokens.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { GatewayClient, networkErrorCode } from './gateway-client.js';
import { replayHeaders } from './replay-headers.js';
import { ReplayTally, type ReplaySummary } from './replay-tally.js';
import { routeFor, type ReplayRoute } from './routes.js';
import { ReplaySchedule } from './schedule.js';
import { findTrafficFiles } from './traffic-folder.js';

export interface ReplayProgress {
  read: number;
  sent: number;
  bytesConsumed: number;
  totalBytes: number | null;
}

export interface ReplayOptions {
  /** Folder holding interactions.jsonl(.gz) and, optionally, accounts.jsonl(.gz). */
  traffic: string;
  /** Base URL of the gateway, e.g. http://127.0.0.1:8080. */
  gateway: string;
  adminToken: string;
  /** Divides the log's gaps; a very large value sends as fast as `concurrency` allows. Default 1. */
  speed?: number;
  /** Requests in flight at most. Default 16. */
  concurrency?: number;
  /** Caps max_tokens / max_completion_tokens in each body. */
  maxTokens?: number;
  /** Stop after sending this many requests. */
  limit?: number;
  onProgress?: (progress: ReplayProgress) => void;
  /** Called once the accounts file has been posted. */
  onAccountsPosted?: (posted: AccountsPosted) => void;
}

/**
 * Runs the replay and returns its summary. Throws DistillGuardError when the gateway cannot be
 * reached at start or refuses the admin token; network errors after that are counted, not thrown.
 * @example await replay({ traffic: './sim', gateway: 'http://127.0.0.1:8080', adminToken, speed: 3600 })
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const speed = options.speed ?? 1;
  const concurrency = options.concurrency ?? 16;
  const files = findTrafficFiles(options.traffic);
  const gateway = new GatewayClient(options.gateway, concurrency);
  const started = performance.now();
  try {
    await gateway.checkReachable();
    const admin = new AdminClient(gateway, options.adminToken);
    const accountsPosted = files.accounts ? await admin.postAccounts(files.accounts) : null;
    if (accountsPosted) options.onAccountsPosted?.(accountsPosted);

    const tally = new ReplayTally();
    const schedule = new ReplaySchedule(speed);
    const slots = new ConcurrencyLimit(concurrency);
    const validate = validateInteraction();
    let fatal: unknown = null;

    const sendRecord = async (record: Interaction, route: ReplayRoute): Promise<void> => {
      let secret: string;
      try {
        secret = await admin.secretFor(record.account_id);
      } catch (error) {
        if (error instanceof DistillGuardError) fatal ??= error;
        else tally.networkError(record.account_id, networkErrorCode(error));
        return;
      }
      const body =
        options.maxTokens === undefined
          ? record.request
          : capMaxTokens(record.request, options.maxTokens);
      const headers = {
        'content-type': 'application/json',
        ...replayHeaders(record),
        ...route.authHeaders(secret),
      };
      try {
        const response = await gateway.send('POST', route.path, headers, JSON.stringify(body));
        tally.response(record.account_id, response.status);
      } catch (error) {
        tally.networkError(record.account_id, networkErrorCode(error));
      }
    };

    const source = await openInput(files.interactions);
    reading: for await (const batch of readLineBatches(source.stream, { batchLines: 1000 })) {
      for (const [index, line] of batch.lines.entries()) {
        if (fatal || (options.limit !== undefined && tally.sent >= options.limit)) break reading;
        if (line.trim() === '' && !batch.overlong.includes(index)) continue;
        tally.read += 1;
        const parsed = parseRecord(line, validate);
        if (!parsed.ok) {
          tally.skip('invalid record');
          continue;
        }
        const record = parsed.record;
        const route = routeFor(record.api);
        if (!route) {
          tally.skip(`${record.api} not served by the gateway`);
          continue;
        }
        await schedule.waitFor(Date.parse(record.ts));
        await slots.acquire();
        tally.sent += 1;
        void sendRecord(record, route).finally(() => slots.release());
        options.onProgress?.({
          read: tally.read,
          sent: tally.sent,
          bytesConsumed: source.bytesConsumed(),
          totalBytes: source.size,
        });
      }
    }
    source.stream.destroy();
    await slots.idle();
    if (fatal) throw fatal;
    return tally.summary({
      gateway: options.gateway,
      speed,
      keys_created: admin.keysCreated(),
      accounts_posted: accountsPosted,
      elapsed_s: Number(((performance.now() - started) / 1000).toFixed(3)),
      max_lag_ms: Math.round(schedule.maxLagMs()),
    });
  } finally {
    await gateway.close();
  }
}
