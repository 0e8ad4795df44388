// The gateway's admin API as the replay uses it: account records first, then one key per account,
// created on the account's first request and shared by all its later (and concurrent) requests.
import { adminTokenVariable, DistillGuardError } from '../core/index.js';
import { openInput, readLineBatches } from '../ingest/index.js';
import type { GatewayClient } from './gateway-client.js';

export interface AccountRejection {
  line: number;
  field: string;
  reason: string;
}

export interface AccountsPosted {
  accepted: number;
  rejected: AccountRejection[];
}

const accountLinesPerPost = 5000;

export class AdminClient {
  private readonly secrets = new Map<string, Promise<string>>();

  constructor(
    private readonly gateway: GatewayClient,
    private readonly adminToken: string,
  ) {}

  /** Posts an accounts.jsonl(.gz) file in batches of NDJSON; rejected line numbers are the file's. */
  async postAccounts(path: string): Promise<AccountsPosted> {
    const source = await openInput(path);
    const posted: AccountsPosted = { accepted: 0, rejected: [] };
    for await (const batch of readLineBatches(source.stream, { batchLines: accountLinesPerPost })) {
      const response = await this.gateway.send(
        'POST',
        '/v1/admin/accounts',
        this.headers('application/x-ndjson'),
        `${batch.lines.join('\n')}\n`,
      );
      this.checkAuthorized(response.status, 'POST /v1/admin/accounts');
      if (response.status !== 200 && response.status !== 201) {
        throw new DistillGuardError(
          'gateway_refused',
          `POST /v1/admin/accounts answered ${response.status}: ${response.text.slice(0, 300)}. Check that --gateway is a DistillGuard gateway.`,
        );
      }
      const result = JSON.parse(response.text) as {
        accepted?: number;
        rejected?: AccountRejection[];
      };
      posted.accepted += result.accepted ?? 0;
      for (const rejection of result.rejected ?? [])
        posted.rejected.push({ ...rejection, line: rejection.line + batch.firstLine - 1 });
    }
    return posted;
  }

  /** The secret of `accountId`'s key, creating the key on first call; later calls share that one request. */
  secretFor(accountId: string): Promise<string> {
    let secret = this.secrets.get(accountId);
    if (!secret) {
      secret = this.createKey(accountId);
      this.secrets.set(accountId, secret);
      // a failed creation is not cached: the account's next request tries again
      secret.catch(() => this.secrets.delete(accountId));
    }
    return secret;
  }

  /** Keys created so far. */
  keysCreated(): number {
    return this.secrets.size;
  }

  private async createKey(accountId: string): Promise<string> {
    const response = await this.gateway.send(
      'POST',
      '/v1/admin/keys',
      this.headers('application/json'),
      JSON.stringify({ account_id: accountId }),
    );
    this.checkAuthorized(response.status, 'POST /v1/admin/keys');
    if (response.status !== 201)
      throw Object.assign(
        new Error(`POST /v1/admin/keys answered ${response.status} for account '${accountId}'`),
        { code: `key_creation_${response.status}` },
      );
    const key = JSON.parse(response.text) as { secret?: unknown };
    if (typeof key.secret !== 'string')
      throw new Error(`POST /v1/admin/keys answered without a secret for account '${accountId}'`);
    return key.secret;
  }

  private headers(contentType: string): Record<string, string> {
    return { authorization: `Bearer ${this.adminToken}`, 'content-type': contentType };
  }

  private checkAuthorized(status: number, what: string): void {
    if (status === 401 || status === 403) {
      throw new DistillGuardError(
        'gateway_refused',
        `the gateway refused the admin token (${what} answered ${status}). Pass the token the gateway was started with: --admin-token or ${adminTokenVariable}.`,
      );
    }
  }
}
