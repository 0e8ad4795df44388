// The TaxiiStore port on PostgreSQL: each write one small statement (or transaction), joining the
// caller's transaction when made from inside one. Text is ordered and compared with COLLATE "C"
// (byte order), as SQLite does.
import type {
  TaxiiCollectionRow,
  TaxiiEntry,
  TaxiiEntryFilter,
  TaxiiPartnerRow,
  TaxiiStore,
} from '../taxii-store.js';
import type { PgDatabase, QueryValue } from './pg-database.js';

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
  'SELECT name, secret_hash AS "secretHash", can_read AS "canRead", can_write AS "canWrite", amber, created_at AS "createdAt", revoked_at AS "revokedAt" FROM taxii_partners';
const selectCollections =
  'SELECT id, alias, title, description, created_at AS "createdAt" FROM taxii_collections';

function partner(record: PartnerRecord | null): TaxiiPartnerRow | null {
  if (!record) return null;
  return {
    ...record,
    canRead: JSON.parse(record.canRead) as string[],
    canWrite: JSON.parse(record.canWrite) as string[],
    amber: record.amber === 1,
  };
}

export class PgTaxiiTables implements TaxiiStore {
  private readonly database: PgDatabase;

  constructor(database: PgDatabase) {
    this.database = database;
  }

  async addCollection(row: TaxiiCollectionRow): Promise<boolean> {
    const result = await this.database.query(
      `INSERT INTO taxii_collections (id, alias, title, description, created_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [row.id, row.alias, row.title, row.description, row.createdAt],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async listCollections(): Promise<TaxiiCollectionRow[]> {
    return this.database.rows<TaxiiCollectionRow>(
      `${selectCollections} ORDER BY created_at COLLATE "C", id COLLATE "C"`,
    );
  }

  async findCollection(idOrAlias: string): Promise<TaxiiCollectionRow | null> {
    // one collection's id may be another's alias: the id wins
    return this.database.row<TaxiiCollectionRow>(
      `${selectCollections} WHERE id = $1 OR alias = $1 ORDER BY id = $1 DESC LIMIT 1`,
      [idOrAlias],
    );
  }

  async addToCollection(
    collectionId: string,
    entries: { objectId: string; version: string }[],
    dateAdded: string,
  ): Promise<number> {
    if (entries.length === 0) return 0;
    // one statement: sequence numbers follow the entries' order, a repeat is added once
    const result = await this.database.query(
      `INSERT INTO taxii_collection_objects (collection_id, object_id, version, date_added)
       SELECT $1, entry.object_id, entry.version, $4
       FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS entry(object_id, version, position)
       ORDER BY entry.position
       ON CONFLICT DO NOTHING`,
      [
        collectionId,
        entries.map((entry) => entry.objectId),
        entries.map((entry) => entry.version),
        dateAdded,
      ],
    );
    return result.rowCount ?? 0;
  }

  async listEntries(filter: TaxiiEntryFilter): Promise<TaxiiEntry[]> {
    const values: QueryValue[] = [filter.collectionId];
    const where = ['c.collection_id = $1'];
    const add = (condition: (parameter: string) => string, value: QueryValue): void => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    if (filter.addedAfter !== undefined)
      add((p) => `c.date_added COLLATE "C" > ${p}`, filter.addedAfter);
    if (filter.afterSeq !== undefined) add((p) => `c.seq > ${p}`, filter.afterSeq);
    if (filter.objectId !== undefined) add((p) => `c.object_id = ${p}`, filter.objectId);
    if (filter.objectIds && filter.objectIds.length > 0)
      add((p) => `c.object_id = ANY(${p}::text[])`, filter.objectIds);
    if (filter.types && filter.types.length > 0)
      add((p) => `o.type = ANY(${p}::text[])`, filter.types);
    return this.database.rows<TaxiiEntry>(
      `SELECT c.seq, c.object_id AS "objectId", c.version, c.date_added AS "dateAdded", o.object
       FROM taxii_collection_objects c JOIN stix_objects o ON o.id = c.object_id AND o.version = c.version
       WHERE ${where.join(' AND ')} ORDER BY c.date_added COLLATE "C", c.seq`,
      values,
    );
  }

  async addPartner(row: TaxiiPartnerRow): Promise<void> {
    await this.database.query(
      `INSERT INTO taxii_partners (name, secret_hash, can_read, can_write, amber, created_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (name) DO UPDATE SET secret_hash = excluded.secret_hash, can_read = excluded.can_read,
         can_write = excluded.can_write, amber = excluded.amber, created_at = excluded.created_at,
         revoked_at = excluded.revoked_at WHERE taxii_partners.revoked_at IS NOT NULL`,
      [
        row.name,
        row.secretHash,
        JSON.stringify(row.canRead),
        JSON.stringify(row.canWrite),
        row.amber ? 1 : 0,
        row.createdAt,
        row.revokedAt,
      ],
    );
  }

  async findPartner(name: string): Promise<TaxiiPartnerRow | null> {
    return partner(
      await this.database.row<PartnerRecord>(`${selectPartners} WHERE name = $1`, [name]),
    );
  }

  async findPartnerBySecretHash(secretHash: string): Promise<TaxiiPartnerRow | null> {
    return partner(
      await this.database.row<PartnerRecord>(`${selectPartners} WHERE secret_hash = $1`, [
        secretHash,
      ]),
    );
  }

  async listPartners(): Promise<TaxiiPartnerRow[]> {
    return (
      await this.database.rows<PartnerRecord>(
        `${selectPartners} ORDER BY created_at COLLATE "C", name COLLATE "C"`,
      )
    ).map((record) => partner(record) as TaxiiPartnerRow);
  }

  async revokePartner(name: string, at: string): Promise<boolean> {
    const result = await this.database.query(
      'UPDATE taxii_partners SET revoked_at = coalesce(revoked_at, $1) WHERE name = $2',
      [at, name],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async readPullCursor(server: string, collection: string): Promise<string | null> {
    return (
      (
        await this.database.row<{ addedAfter: string }>(
          'SELECT added_after AS "addedAfter" FROM taxii_pull_cursors WHERE server = $1 AND collection = $2',
          [server, collection],
        )
      )?.addedAfter ?? null
    );
  }

  async writePullCursor(
    server: string,
    collection: string,
    addedAfter: string,
    at: string,
  ): Promise<void> {
    await this.database.query(
      `INSERT INTO taxii_pull_cursors (server, collection, added_after, pulled_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (server, collection) DO UPDATE SET added_after = excluded.added_after, pulled_at = excluded.pulled_at`,
      [server, collection, addedAfter, at],
    );
  }

  async saveStatus(
    id: string,
    partnerName: string,
    status: string,
    createdAt: string,
  ): Promise<void> {
    await this.database.query(
      'INSERT INTO taxii_status (id, partner, status, created_at) VALUES ($1, $2, $3, $4)',
      [id, partnerName, status, createdAt],
    );
  }

  async readStatus(id: string, partnerName: string): Promise<string | null> {
    return (
      (
        await this.database.row<{ status: string }>(
          'SELECT status FROM taxii_status WHERE id = $1 AND partner = $2',
          [id, partnerName],
        )
      )?.status ?? null
    );
  }
}
