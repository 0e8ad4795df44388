// The IntelStore port on PostgreSQL: small, rare writes (an export, an import, a key), each one
// transaction, joining the caller's when made from inside one. Text is ordered and compared with
// COLLATE "C" (byte order), as SQLite does.
import type {
  AddressUse,
  CampaignFindingRow,
  IntelKeyRow,
  IntelStore,
  PartnerMatchRow,
  StixObjectFilter,
  StixObjectRow,
  StixPutOutcome,
  StixReceipt,
  WarningListRow,
} from '../intel-store.js';
import type { PgDatabase, QueryValue } from './pg-database.js';

const selectFindings =
  'SELECT campaign_id AS "campaignId", analysed_at AS "analysedAt", campaign, traits, withdrawn_at AS "withdrawnAt", withdrawn_reason AS "withdrawnReason" FROM campaign_findings';
const selectKeys =
  'SELECT key_id AS "keyId", secret, created_at AS "createdAt", retired_at AS "retiredAt", origin FROM intel_keys';
const selectObjects =
  'SELECT id, version, type, object, content_hash AS "contentHash", origin, stored_at AS "storedAt" FROM stix_objects';

/**
 * One row per key, as a run of upserts in input order would leave it: the fields the upsert does not
 * update (`kept`) from the key's first row, the others from its last.
 */
function mergeByKey<Row extends object>(
  rows: readonly Row[],
  key: (row: Row) => string,
  kept: readonly (keyof Row)[],
): Row[] {
  const merged = new Map<string, Row>();
  for (const row of rows) {
    const id = key(row);
    const first = merged.get(id);
    if (first === undefined) {
      merged.set(id, { ...row });
      continue;
    }
    const next = { ...row };
    for (const field of kept) next[field] = first[field];
    merged.set(id, next);
  }
  return [...merged.values()];
}

export class PgIntelTables implements IntelStore {
  private readonly database: PgDatabase;

  constructor(database: PgDatabase) {
    this.database = database;
  }

  async saveCampaignFindings(rows: CampaignFindingRow[]): Promise<void> {
    if (rows.length === 0) return;
    const merged = mergeByKey(rows, (row) => row.campaignId, ['withdrawnAt', 'withdrawnReason']);
    await this.database.query(
      `INSERT INTO campaign_findings (campaign_id, analysed_at, campaign, traits, withdrawn_at, withdrawn_reason)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (campaign_id) DO UPDATE SET analysed_at = excluded.analysed_at,
         campaign = excluded.campaign, traits = excluded.traits`,
      [
        merged.map((row) => row.campaignId),
        merged.map((row) => row.analysedAt),
        merged.map((row) => row.campaign),
        merged.map((row) => row.traits),
        merged.map((row) => row.withdrawnAt),
        merged.map((row) => row.withdrawnReason),
      ],
    );
  }

  async readCampaignFindings(campaignId?: string): Promise<CampaignFindingRow[]> {
    if (campaignId !== undefined)
      return this.database.rows<CampaignFindingRow>(`${selectFindings} WHERE campaign_id = $1`, [
        campaignId,
      ]);
    return this.database.rows<CampaignFindingRow>(
      `${selectFindings} ORDER BY campaign_id COLLATE "C"`,
    );
  }

  async withdrawCampaignFinding(campaignId: string, at: string, reason: string): Promise<boolean> {
    const result = await this.database.query(
      'UPDATE campaign_findings SET withdrawn_at = coalesce(withdrawn_at, $1), withdrawn_reason = coalesce(withdrawn_reason, $2) WHERE campaign_id = $3',
      [at, reason, campaignId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async addIntelKey(row: IntelKeyRow): Promise<void> {
    await this.database.query(
      'INSERT INTO intel_keys (key_id, secret, created_at, retired_at, origin) VALUES ($1, $2, $3, $4, $5)',
      [row.keyId, row.secret, row.createdAt, row.retiredAt, row.origin],
    );
  }

  async listIntelKeys(): Promise<IntelKeyRow[]> {
    return this.database.rows<IntelKeyRow>(
      `${selectKeys} ORDER BY created_at COLLATE "C", key_id COLLATE "C"`,
    );
  }

  async retireIntelKeys(keepKeyId: string, at: string): Promise<number> {
    const result = await this.database.query(
      'UPDATE intel_keys SET retired_at = $1 WHERE retired_at IS NULL AND key_id <> $2',
      [at, keepKeyId],
    );
    return result.rowCount ?? 0;
  }

  async latestStixObject(
    id: string,
    origin?: StixObjectRow['origin'],
  ): Promise<StixObjectRow | null> {
    return origin === undefined
      ? this.database.row<StixObjectRow>(
          `${selectObjects} WHERE id = $1 ORDER BY version COLLATE "C" DESC LIMIT 1`,
          [id],
        )
      : this.database.row<StixObjectRow>(
          `${selectObjects} WHERE id = $1 AND origin = $2 ORDER BY version COLLATE "C" DESC LIMIT 1`,
          [id, origin],
        );
  }

  async putStixObjects(rows: StixObjectRow[], receipt: StixReceipt): Promise<StixPutOutcome[]> {
    return this.database.atomically('write', async () => {
      const outcomes: StixPutOutcome[] = [];
      for (const row of rows) {
        // the insert waits for a concurrent writer of the same version, then finds its row stored
        const inserted = await this.database.query(
          `INSERT INTO stix_objects (id, version, type, object, content_hash, origin, stored_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id, version) DO NOTHING`,
          [row.id, row.version, row.type, row.object, row.contentHash, row.origin, row.storedAt],
        );
        const added = (inserted.rowCount ?? 0) > 0;
        if (!added) {
          const stored = await this.database.row<{ contentHash: string }>(
            'SELECT content_hash AS "contentHash" FROM stix_objects WHERE id = $1 AND version = $2',
            [row.id, row.version],
          );
          if (stored !== null && stored.contentHash !== row.contentHash) {
            outcomes.push('conflict');
            continue;
          }
        }
        await this.database.query(
          `INSERT INTO stix_receipts (id, version, source, channel, received_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING`,
          [row.id, row.version, receipt.source, receipt.channel, receipt.receivedAt],
        );
        outcomes.push(added ? 'added' : 'known');
      }
      return outcomes;
    });
  }

  async readStixVersion(id: string, version: string): Promise<StixObjectRow | null> {
    return this.database.row<StixObjectRow>(`${selectObjects} WHERE id = $1 AND version = $2`, [
      id,
      version,
    ]);
  }

  async listStixObjects(filter: StixObjectFilter = {}): Promise<StixObjectRow[]> {
    const where: string[] = [];
    const values: string[] = [];
    if (filter.type !== undefined) {
      values.push(filter.type);
      where.push(`type = $${values.length}`);
    }
    if (filter.origin !== undefined) {
      values.push(filter.origin);
      where.push(`origin = $${values.length}`);
    }
    if (filter.latest)
      where.push(
        `NOT EXISTS (SELECT 1 FROM stix_objects newer WHERE newer.id = stix_objects.id AND newer.version COLLATE "C" > stix_objects.version${filter.origin !== undefined ? ' AND newer.origin = stix_objects.origin' : ''})`,
      );
    const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    // in the order stored, as SQLite's rowid gives it
    return this.database.rows<StixObjectRow>(`${selectObjects}${clause} ORDER BY seq`, values);
  }

  async readStixReceipts(id: string): Promise<(StixReceipt & { version: string })[]> {
    return this.database.rows<StixReceipt & { version: string }>(
      `SELECT version, source, channel, received_at AS "receivedAt" FROM stix_receipts WHERE id = $1
       ORDER BY received_at COLLATE "C", version COLLATE "C"`,
      [id],
    );
  }

  async addressesOf(accountIds: string[]): Promise<AddressUse[]> {
    if (accountIds.length === 0) return [];
    const used = await this.database.rows<Omit<AddressUse, 'accounts'>>(
      `SELECT client_ip AS address, count(*) AS requests, count(DISTINCT account_id) AS members
       FROM interactions WHERE client_ip IS NOT NULL AND account_id = ANY($1::text[])
       GROUP BY client_ip ORDER BY client_ip COLLATE "C"`,
      [accountIds],
    );
    if (used.length === 0) return [];
    const everyone = new Map(
      (
        await this.database.rows<{ address: string; accounts: number }>(
          `SELECT client_ip AS address, count(DISTINCT account_id) AS accounts FROM interactions
           WHERE client_ip = ANY($1::text[]) GROUP BY client_ip`,
          [used.map((row) => row.address)],
        )
      ).map((row) => [row.address, row.accounts]),
    );
    return used.map((row) => ({ ...row, accounts: everyone.get(row.address) ?? row.members }));
  }

  async savePartnerMatches(rows: PartnerMatchRow[]): Promise<void> {
    if (rows.length === 0) return;
    const merged = mergeByKey(rows, (row) => JSON.stringify([row.indicatorId, row.accountId]), [
      'kind',
      'partner',
    ]);
    const values: QueryValue[] = [
      merged.map((row) => row.indicatorId),
      merged.map((row) => row.accountId),
      merged.map((row) => row.kind),
      merged.map((row) => row.partner),
      merged.map((row) => row.firstMs),
      merged.map((row) => row.lastMs),
      merged.map((row) => row.requests),
      merged.map((row) => row.analysedAt),
    ];
    await this.database.query(
      `INSERT INTO partner_matches (indicator_id, account_id, kind, partner, first_ms, last_ms, requests, analysed_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[])
       ON CONFLICT (indicator_id, account_id) DO UPDATE SET first_ms = excluded.first_ms,
         last_ms = excluded.last_ms, requests = excluded.requests, analysed_at = excluded.analysed_at`,
      values,
    );
  }

  async readPartnerMatches(): Promise<PartnerMatchRow[]> {
    return this.database.rows<PartnerMatchRow>(
      `SELECT indicator_id AS "indicatorId", account_id AS "accountId", kind, partner, first_ms AS "firstMs",
         last_ms AS "lastMs", requests, analysed_at AS "analysedAt" FROM partner_matches
       ORDER BY indicator_id COLLATE "C", account_id COLLATE "C"`,
    );
  }

  async addWarning(row: WarningListRow): Promise<boolean> {
    const result = await this.database.query(
      `INSERT INTO intel_warning_list (kind, value, note, added_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [row.kind, row.value, row.note, row.addedAt],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async listWarnings(): Promise<WarningListRow[]> {
    return this.database.rows<WarningListRow>(
      `SELECT kind, value, note, added_at AS "addedAt" FROM intel_warning_list
       ORDER BY kind COLLATE "C", value COLLATE "C"`,
    );
  }
}
