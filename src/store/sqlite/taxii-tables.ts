// The TaxiiStore port on SQLite: on the caller's connection, each write one small transaction.
import type {
  TaxiiCollectionRow,
  TaxiiEntry,
  TaxiiEntryFilter,
  TaxiiPartnerRow,
  TaxiiStore,
} from '../taxii-store.js';
import type { SqliteDatabase } from './open-database.js';
import type { TransactionGate } from './transaction-gate.js';

interface PartnerRecord {
  name: string;
  secretHash: string;
  canRead: string;
  canWrite: string;
  amber: number;
  createdAt: string;
  revokedAt: string | null;
}

const selectPartners =
  'SELECT name, secret_hash AS secretHash, can_read AS canRead, can_write AS canWrite, amber, created_at AS createdAt, revoked_at AS revokedAt FROM taxii_partners';
const selectCollections =
  'SELECT id, alias, title, description, created_at AS createdAt FROM taxii_collections';

function partner(record: PartnerRecord | undefined): TaxiiPartnerRow | null {
  if (!record) return null;
  return {
    ...record,
    canRead: JSON.parse(record.canRead) as string[],
    canWrite: JSON.parse(record.canWrite) as string[],
    amber: record.amber === 1,
  };
}

export class SqliteTaxiiTables implements TaxiiStore {
  private readonly database: SqliteDatabase;
  private readonly gate: TransactionGate;

  constructor(database: SqliteDatabase, gate: TransactionGate) {
    this.database = database;
    this.gate = gate;
  }

  async addCollection(row: TaxiiCollectionRow): Promise<boolean> {
    while (this.gate.held()) await this.gate.released();
    return (
      this.database
        .prepare(
          `INSERT INTO taxii_collections (id, alias, title, description, created_at)
           VALUES (@id, @alias, @title, @description, @createdAt) ON CONFLICT DO NOTHING`,
        )
        .run(row).changes > 0
    );
  }

  async listCollections(): Promise<TaxiiCollectionRow[]> {
    while (this.gate.held()) await this.gate.released();
    return this.database
      .prepare(`${selectCollections} ORDER BY created_at, id`)
      .all() as TaxiiCollectionRow[];
  }

  async findCollection(idOrAlias: string): Promise<TaxiiCollectionRow | null> {
    while (this.gate.held()) await this.gate.released();
    return (
      (this.database
        .prepare(`${selectCollections} WHERE id = ? OR alias = ?`)
        .get(idOrAlias, idOrAlias) as TaxiiCollectionRow | undefined) ?? null
    );
  }

  async addToCollection(
    collectionId: string,
    entries: { objectId: string; version: string }[],
    dateAdded: string,
  ): Promise<number> {
    while (this.gate.held()) await this.gate.released();
    const insert = this.database.prepare(
      `INSERT INTO taxii_collection_objects (collection_id, object_id, version, date_added)
       VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    return this.database.transaction(() =>
      entries.reduce(
        (added, entry) =>
          added + insert.run(collectionId, entry.objectId, entry.version, dateAdded).changes,
        0,
      ),
    )();
  }

  async listEntries(filter: TaxiiEntryFilter): Promise<TaxiiEntry[]> {
    while (this.gate.held()) await this.gate.released();
    const where = ['c.collection_id = ?'];
    const values: (string | number)[] = [filter.collectionId];
    if (filter.addedAfter !== undefined) {
      where.push('c.date_added > ?');
      values.push(filter.addedAfter);
    }
    if (filter.afterSeq !== undefined) {
      where.push('c.seq > ?');
      values.push(filter.afterSeq);
    }
    if (filter.objectId !== undefined) {
      where.push('c.object_id = ?');
      values.push(filter.objectId);
    }
    if (filter.objectIds && filter.objectIds.length > 0) {
      where.push('c.object_id IN (SELECT value FROM json_each(?))');
      values.push(JSON.stringify(filter.objectIds));
    }
    if (filter.types && filter.types.length > 0) {
      where.push('o.type IN (SELECT value FROM json_each(?))');
      values.push(JSON.stringify(filter.types));
    }
    return this.database
      .prepare(
        `SELECT c.seq, c.object_id AS objectId, c.version, c.date_added AS dateAdded, o.object
         FROM taxii_collection_objects c JOIN stix_objects o ON o.id = c.object_id AND o.version = c.version
         WHERE ${where.join(' AND ')} ORDER BY c.date_added, c.seq`,
      )
      .all(...values) as TaxiiEntry[];
  }

  async addPartner(row: TaxiiPartnerRow): Promise<void> {
    while (this.gate.held()) await this.gate.released();
    this.database
      .prepare(
        `INSERT INTO taxii_partners (name, secret_hash, can_read, can_write, amber, created_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET secret_hash = excluded.secret_hash, can_read = excluded.can_read,
           can_write = excluded.can_write, amber = excluded.amber, created_at = excluded.created_at,
           revoked_at = excluded.revoked_at WHERE taxii_partners.revoked_at IS NOT NULL`,
      )
      .run(
        row.name,
        row.secretHash,
        JSON.stringify(row.canRead),
        JSON.stringify(row.canWrite),
        row.amber ? 1 : 0,
        row.createdAt,
        row.revokedAt,
      );
  }

  async findPartner(name: string): Promise<TaxiiPartnerRow | null> {
    while (this.gate.held()) await this.gate.released();
    return partner(
      this.database.prepare(`${selectPartners} WHERE name = ?`).get(name) as
        PartnerRecord | undefined,
    );
  }

  async findPartnerBySecretHash(secretHash: string): Promise<TaxiiPartnerRow | null> {
    while (this.gate.held()) await this.gate.released();
    return partner(
      this.database.prepare(`${selectPartners} WHERE secret_hash = ?`).get(secretHash) as
        PartnerRecord | undefined,
    );
  }

  async listPartners(): Promise<TaxiiPartnerRow[]> {
    while (this.gate.held()) await this.gate.released();
    return (
      this.database.prepare(`${selectPartners} ORDER BY created_at, name`).all() as PartnerRecord[]
    ).map((record) => partner(record) as TaxiiPartnerRow);
  }

  async revokePartner(name: string, at: string): Promise<boolean> {
    while (this.gate.held()) await this.gate.released();
    return (
      this.database
        .prepare('UPDATE taxii_partners SET revoked_at = coalesce(revoked_at, ?) WHERE name = ?')
        .run(at, name).changes > 0
    );
  }

  async readPullCursor(server: string, collection: string): Promise<string | null> {
    while (this.gate.held()) await this.gate.released();
    return (
      (this.database
        .prepare('SELECT added_after FROM taxii_pull_cursors WHERE server = ? AND collection = ?')
        .pluck()
        .get(server, collection) as string | undefined) ?? null
    );
  }

  async writePullCursor(
    server: string,
    collection: string,
    addedAfter: string,
    at: string,
  ): Promise<void> {
    while (this.gate.held()) await this.gate.released();
    this.database
      .prepare(
        `INSERT INTO taxii_pull_cursors (server, collection, added_after, pulled_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(server, collection) DO UPDATE SET added_after = excluded.added_after, pulled_at = excluded.pulled_at`,
      )
      .run(server, collection, addedAfter, at);
  }

  async saveStatus(
    id: string,
    partnerName: string,
    status: string,
    createdAt: string,
  ): Promise<void> {
    while (this.gate.held()) await this.gate.released();
    this.database
      .prepare('INSERT INTO taxii_status (id, partner, status, created_at) VALUES (?, ?, ?, ?)')
      .run(id, partnerName, status, createdAt);
  }

  async readStatus(id: string, partnerName: string): Promise<string | null> {
    while (this.gate.held()) await this.gate.released();
    return (
      (this.database
        .prepare('SELECT status FROM taxii_status WHERE id = ? AND partner = ?')
        .pluck()
        .get(id, partnerName) as string | undefined) ?? null
    );
  }
}
