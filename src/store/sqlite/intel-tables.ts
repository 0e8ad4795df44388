// The IntelStore port on SQLite: small, rare writes (an export, an import, a key), made on the
// caller's connection in one transaction each, like admin tokens.
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
import type { SqliteDatabase } from './open-database.js';
import type { TransactionGate } from './transaction-gate.js';

const selectFindings =
  'SELECT campaign_id AS campaignId, analysed_at AS analysedAt, campaign, traits, withdrawn_at AS withdrawnAt, withdrawn_reason AS withdrawnReason FROM campaign_findings';
const selectKeys =
  'SELECT key_id AS keyId, secret, created_at AS createdAt, retired_at AS retiredAt, origin FROM intel_keys';
const selectObjects =
  'SELECT id, version, type, object, content_hash AS contentHash, origin, stored_at AS storedAt FROM stix_objects';

export class SqliteIntelTables implements IntelStore {
  private readonly database: SqliteDatabase;
  private readonly gate: TransactionGate;

  constructor(database: SqliteDatabase, gate: TransactionGate) {
    this.database = database;
    this.gate = gate;
  }

  async saveCampaignFindings(rows: CampaignFindingRow[]): Promise<void> {
    while (this.gate.held()) await this.gate.released();
    const upsert = this.database.prepare(
      `INSERT INTO campaign_findings (campaign_id, analysed_at, campaign, traits, withdrawn_at, withdrawn_reason)
       VALUES (@campaignId, @analysedAt, @campaign, @traits, @withdrawnAt, @withdrawnReason)
       ON CONFLICT(campaign_id) DO UPDATE SET analysed_at = excluded.analysed_at,
         campaign = excluded.campaign, traits = excluded.traits`,
    );
    this.database.transaction(() => {
      for (const row of rows) upsert.run(row);
    })();
  }

  async readCampaignFindings(campaignId?: string): Promise<CampaignFindingRow[]> {
    while (this.gate.held()) await this.gate.released();
    if (campaignId !== undefined)
      return this.database
        .prepare(`${selectFindings} WHERE campaign_id = ?`)
        .all(campaignId) as CampaignFindingRow[];
    return this.database
      .prepare(`${selectFindings} ORDER BY campaign_id`)
      .all() as CampaignFindingRow[];
  }

  async withdrawCampaignFinding(campaignId: string, at: string, reason: string): Promise<boolean> {
    while (this.gate.held()) await this.gate.released();
    return (
      this.database
        .prepare(
          'UPDATE campaign_findings SET withdrawn_at = coalesce(withdrawn_at, ?), withdrawn_reason = coalesce(withdrawn_reason, ?) WHERE campaign_id = ?',
        )
        .run(at, reason, campaignId).changes > 0
    );
  }

  async addIntelKey(row: IntelKeyRow): Promise<void> {
    while (this.gate.held()) await this.gate.released();
    this.database
      .prepare(
        'INSERT INTO intel_keys (key_id, secret, created_at, retired_at, origin) VALUES (@keyId, @secret, @createdAt, @retiredAt, @origin)',
      )
      .run(row);
  }

  async listIntelKeys(): Promise<IntelKeyRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare(`${selectKeys} ORDER BY created_at, key_id`)
      .all() as IntelKeyRow[];
  }

  async retireIntelKeys(keepKeyId: string, at: string): Promise<number> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare('UPDATE intel_keys SET retired_at = ? WHERE retired_at IS NULL AND key_id != ?')
      .run(at, keepKeyId).changes;
  }

  async latestStixObject(
    id: string,
    origin?: StixObjectRow['origin'],
  ): Promise<StixObjectRow | null> {
    while (this.gate.held()) await this.gate.released();
    const row =
      origin === undefined
        ? this.database
            .prepare(`${selectObjects} WHERE id = ? ORDER BY version DESC LIMIT 1`)
            .get(id)
        : this.database
            .prepare(`${selectObjects} WHERE id = ? AND origin = ? ORDER BY version DESC LIMIT 1`)
            .get(id, origin);
    return (row as StixObjectRow | undefined) ?? null;
  }

  async putStixObjects(rows: StixObjectRow[], receipt: StixReceipt): Promise<StixPutOutcome[]> {
    while (this.gate.held()) await this.gate.released();
    const find = this.database
      .prepare('SELECT content_hash FROM stix_objects WHERE id = ? AND version = ?')
      .pluck();
    const insert = this.database.prepare(
      `INSERT INTO stix_objects (id, version, type, object, content_hash, origin, stored_at)
       VALUES (@id, @version, @type, @object, @contentHash, @origin, @storedAt)`,
    );
    const note = this.database.prepare(
      `INSERT INTO stix_receipts (id, version, source, channel, received_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    return this.database.transaction(() =>
      rows.map((row): StixPutOutcome => {
        const stored = find.get(row.id, row.version) as string | undefined;
        if (stored !== undefined && stored !== row.contentHash) return 'conflict';
        if (stored === undefined) insert.run(row);
        note.run(row.id, row.version, receipt.source, receipt.channel, receipt.receivedAt);
        return stored === undefined ? 'added' : 'known';
      }),
    )();
  }

  async readStixVersion(id: string, version: string): Promise<StixObjectRow | null> {
    while (this.gate.held()) await this.gate.released();
    return (
      (this.database.prepare(`${selectObjects} WHERE id = ? AND version = ?`).get(id, version) as
        StixObjectRow | undefined) ?? null
    );
  }

  async listStixObjects(filter: StixObjectFilter = {}): Promise<StixObjectRow[]> {
    while (this.gate.held()) await this.gate.released();
    const where: string[] = [];
    const values: string[] = [];
    if (filter.type !== undefined) {
      where.push('type = ?');
      values.push(filter.type);
    }
    if (filter.origin !== undefined) {
      where.push('origin = ?');
      values.push(filter.origin);
    }
    if (filter.latest)
      where.push(
        `NOT EXISTS (SELECT 1 FROM stix_objects newer WHERE newer.id = stix_objects.id AND newer.version > stix_objects.version${filter.origin !== undefined ? ' AND newer.origin = stix_objects.origin' : ''})`,
      );
    const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    return this.database
      .prepare(`${selectObjects}${clause} ORDER BY rowid`)
      .all(...values) as StixObjectRow[];
  }

  async readStixReceipts(id: string): Promise<(StixReceipt & { version: string })[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare(
        'SELECT version, source, channel, received_at AS receivedAt FROM stix_receipts WHERE id = ? ORDER BY received_at, version',
      )
      .all(id) as (StixReceipt & { version: string })[];
  }

  async addressesOf(accountIds: string[]): Promise<AddressUse[]> {
    while (this.gate.held()) await this.gate.released();
    if (accountIds.length === 0) return [];
    const used = this.database
      .prepare(
        `SELECT client_ip AS address, count(*) AS requests, count(DISTINCT account_id) AS members
         FROM interactions WHERE client_ip IS NOT NULL AND account_id IN (SELECT value FROM json_each(?))
         GROUP BY client_ip ORDER BY client_ip`,
      )
      .all(JSON.stringify(accountIds)) as Omit<AddressUse, 'accounts'>[];
    if (used.length === 0) return [];
    const everyone = new Map(
      (
        this.database
          .prepare(
            `SELECT client_ip AS address, count(DISTINCT account_id) AS accounts FROM interactions
             WHERE client_ip IN (SELECT value FROM json_each(?)) GROUP BY client_ip`,
          )
          .all(JSON.stringify(used.map((row) => row.address))) as {
          address: string;
          accounts: number;
        }[]
      ).map((row) => [row.address, row.accounts]),
    );
    return used.map((row) => ({ ...row, accounts: everyone.get(row.address) ?? row.members }));
  }

  async savePartnerMatches(rows: PartnerMatchRow[]): Promise<void> {
    while (this.gate.held()) await this.gate.released();
    const upsert = this.database.prepare(
      `INSERT INTO partner_matches (indicator_id, account_id, kind, partner, first_ms, last_ms, requests, analysed_at)
       VALUES (@indicatorId, @accountId, @kind, @partner, @firstMs, @lastMs, @requests, @analysedAt)
       ON CONFLICT(indicator_id, account_id) DO UPDATE SET first_ms = excluded.first_ms,
         last_ms = excluded.last_ms, requests = excluded.requests, analysed_at = excluded.analysed_at`,
    );
    this.database.transaction(() => {
      for (const row of rows) upsert.run(row);
    })();
  }

  async readPartnerMatches(): Promise<PartnerMatchRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare(
        `SELECT indicator_id AS indicatorId, account_id AS accountId, kind, partner, first_ms AS firstMs,
         last_ms AS lastMs, requests, analysed_at AS analysedAt FROM partner_matches ORDER BY indicator_id, account_id`,
      )
      .all() as PartnerMatchRow[];
  }

  async addWarning(row: WarningListRow): Promise<boolean> {
    while (this.gate.held()) await this.gate.released();
    return (
      this.database
        .prepare(
          `INSERT INTO intel_warning_list (kind, value, note, added_at) VALUES (@kind, @value, @note, @addedAt)
           ON CONFLICT DO NOTHING`,
        )
        .run(row).changes > 0
    );
  }

  async listWarnings(): Promise<WarningListRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare(
        'SELECT kind, value, note, added_at AS addedAt FROM intel_warning_list ORDER BY kind, value',
      )
      .all() as WarningListRow[];
  }
}
