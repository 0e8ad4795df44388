// The versioned schema of the PostgreSQL store: the tables of the SQLite store (sqlite/migrations.ts),
// in PostgreSQL's types, with interactions partitioned by day. Append new migrations; never edit
// applied ones. Migrations run under an advisory lock, so two processes starting at once apply
// each one once.
//
// Interactions are PARTITION BY RANGE (ts_ms), one partition per UTC day (pg-partitions.ts), so
// retention drops whole days. PostgreSQL cannot hold an id unique across partitions, so
// interaction_ids (not partitioned) is the record of which ids are stored: a row is written to
// interactions only when its id is new there (decision record 2026-12-07-postgres-store).
import type { PgDatabase } from './pg-database.js';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const pgMigrations: readonly PgMigration[] = [
  {
    version: 1,
    name: 'the store: imports, interactions by day, accounts, keys, decisions, intelligence, TAXII, designation, dashboard',
    sql: `
      CREATE TABLE sources (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind TEXT NOT NULL,
        path TEXT,
        size BIGINT,
        modified_ms BIGINT
      );
      CREATE TABLE imports (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind TEXT NOT NULL,
        source_id BIGINT NOT NULL REFERENCES sources(id),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        lines BIGINT, accepted BIGINT, rejected BIGINT, distinct_records BIGINT,
        rows_before BIGINT NOT NULL
      );
      CREATE SEQUENCE interactions_seq;
      CREATE TABLE interaction_ids (
        id TEXT PRIMARY KEY,
        ts_ms BIGINT NOT NULL,
        account_id TEXT NOT NULL,
        import_id BIGINT NOT NULL,
        first_import_id BIGINT NOT NULL,
        raw_hash BYTEA
      );
      CREATE INDEX interaction_ids_first_import ON interaction_ids(first_import_id);
      CREATE INDEX interaction_ids_import ON interaction_ids(import_id);
      CREATE INDEX interaction_ids_time ON interaction_ids(ts_ms);
      CREATE TABLE interactions (
        seq BIGINT NOT NULL DEFAULT nextval('interactions_seq'),
        id TEXT NOT NULL,
        ts_ms BIGINT NOT NULL,
        account_id TEXT NOT NULL,
        key_id TEXT,
        api TEXT NOT NULL,
        model TEXT NOT NULL,
        client_ip TEXT,
        client_asn BIGINT,
        client_country TEXT,
        user_agent TEXT,
        status INTEGER,
        input_tokens BIGINT,
        output_tokens BIGINT,
        latency_ms DOUBLE PRECISION,
        import_id BIGINT NOT NULL,
        source_id BIGINT NOT NULL,
        line BIGINT NOT NULL,
        raw TEXT NOT NULL,
        text_pruned_ms BIGINT,
        PRIMARY KEY (ts_ms, seq)
      ) PARTITION BY RANGE (ts_ms);
      CREATE INDEX interactions_seq_order ON interactions(seq);
      CREATE INDEX interactions_id ON interactions(id);
      CREATE INDEX interactions_account_time ON interactions(account_id, ts_ms);
      CREATE TABLE rejected_lines (
        import_id BIGINT NOT NULL REFERENCES imports(id),
        line BIGINT NOT NULL,
        field TEXT NOT NULL,
        reason TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (import_id, line)
      );
      CREATE TABLE accounts (
        account_id TEXT PRIMARY KEY,
        created_at_ms BIGINT,
        verification TEXT,
        org_id TEXT,
        email_domain TEXT,
        payment_fingerprint TEXT,
        country TEXT,
        signup_ip TEXT,
        record TEXT NOT NULL,
        import_id BIGINT NOT NULL
      );
      CREATE TABLE benchmark_items (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        suite TEXT NOT NULL,
        shingles BYTEA NOT NULL,
        added_at TEXT NOT NULL
      );
      CREATE TABLE api_keys (
        key_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        secret_hash TEXT NOT NULL UNIQUE,
        label TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE INDEX api_keys_account ON api_keys(account_id);
      CREATE TABLE decisions (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ts TEXT NOT NULL,
        account_id TEXT NOT NULL,
        campaign_id TEXT,
        action TEXT NOT NULL,
        verdict TEXT,
        risk DOUBLE PRECISION,
        reason TEXT NOT NULL
      );
      CREATE INDEX decisions_account ON decisions(account_id);
      CREATE TABLE admin_tokens (
        token_id TEXT PRIMARY KEY,
        scopes TEXT NOT NULL,
        secret_hash TEXT NOT NULL UNIQUE,
        label TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE campaign_findings (
        campaign_id TEXT PRIMARY KEY,
        analysed_at TEXT NOT NULL,
        campaign TEXT NOT NULL,
        traits TEXT NOT NULL,
        withdrawn_at TEXT,
        withdrawn_reason TEXT
      );
      CREATE TABLE intel_keys (
        key_id TEXT PRIMARY KEY,
        secret TEXT NOT NULL,
        created_at TEXT NOT NULL,
        retired_at TEXT,
        origin TEXT NOT NULL
      );
      CREATE TABLE stix_objects (
        seq BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT NOT NULL,
        version TEXT NOT NULL,
        type TEXT NOT NULL,
        object TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        origin TEXT NOT NULL,
        stored_at TEXT NOT NULL,
        PRIMARY KEY (id, version)
      );
      CREATE TABLE stix_receipts (
        id TEXT NOT NULL,
        version TEXT NOT NULL,
        source TEXT NOT NULL,
        channel TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (id, version, source, channel)
      );
      CREATE TABLE partner_matches (
        indicator_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        partner TEXT NOT NULL,
        first_ms BIGINT NOT NULL,
        last_ms BIGINT NOT NULL,
        requests BIGINT NOT NULL,
        analysed_at TEXT NOT NULL,
        PRIMARY KEY (indicator_id, account_id)
      );
      CREATE TABLE intel_warning_list (
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        note TEXT,
        added_at TEXT NOT NULL,
        PRIMARY KEY (kind, value)
      );

      CREATE TABLE taxii_collections (
        id TEXT PRIMARY KEY,
        alias TEXT UNIQUE,
        title TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE taxii_collection_objects (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        collection_id TEXT NOT NULL REFERENCES taxii_collections(id),
        object_id TEXT NOT NULL,
        version TEXT NOT NULL,
        date_added TEXT NOT NULL,
        UNIQUE (collection_id, object_id, version)
      );
      CREATE INDEX taxii_collection_objects_added ON taxii_collection_objects(collection_id, date_added COLLATE "C", seq);
      CREATE TABLE taxii_partners (
        name TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL UNIQUE,
        can_read TEXT NOT NULL,
        can_write TEXT NOT NULL,
        amber INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE taxii_pull_cursors (
        server TEXT NOT NULL,
        collection TEXT NOT NULL,
        added_after TEXT NOT NULL,
        pulled_at TEXT NOT NULL,
        PRIMARY KEY (server, collection)
      );
      CREATE TABLE taxii_status (
        id TEXT PRIMARY KEY,
        partner TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        disabled_at TEXT
      );
      CREATE TABLE log_entries (
        idx BIGINT PRIMARY KEY,
        entry BYTEA NOT NULL,
        leaf_hash BYTEA NOT NULL
      );
      CREATE TABLE log_checkpoints (
        tree_size BIGINT PRIMARY KEY,
        note TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE cases (
        case_id TEXT PRIMARY KEY,
        campaign_id TEXT NOT NULL,
        state TEXT NOT NULL,
        opened_by TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        expires_at TEXT,
        snapshot TEXT NOT NULL
      );
      CREATE INDEX cases_campaign ON cases(campaign_id);
      CREATE TABLE case_events (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(case_id),
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        at TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT,
        reason TEXT,
        detail TEXT NOT NULL,
        log_index BIGINT
      );
      CREATE INDEX case_events_case ON case_events(case_id, seq);
      CREATE TABLE case_attachments (
        case_id TEXT NOT NULL REFERENCES cases(case_id),
        sha256 TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        content BYTEA NOT NULL,
        added_by TEXT NOT NULL,
        added_at TEXT NOT NULL,
        log_index BIGINT NOT NULL,
        PRIMARY KEY (case_id, sha256)
      );

      CREATE TABLE account_findings (
        account_id TEXT PRIMARY KEY,
        analysed_at TEXT NOT NULL,
        verdict TEXT NOT NULL,
        risk DOUBLE PRECISION NOT NULL,
        campaign_id TEXT,
        reasons TEXT NOT NULL
      );
      CREATE INDEX account_findings_campaign ON account_findings(campaign_id);
      CREATE TABLE campaign_views (
        campaign_id TEXT PRIMARY KEY,
        analysed_at TEXT NOT NULL,
        view TEXT NOT NULL
      );
      CREATE TABLE audit_runs (
        audit_id TEXT PRIMARY KEY,
        started_by TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        request TEXT NOT NULL,
        evidence TEXT,
        error TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'detector workers: who is alive, and which worker holds which partition of the bus',
    // a lease is held until expires_ms (the database's clock); generation grows with every claim,
    // so a worker that lost its lease while paused can tell, and its late writes can be refused
    sql: `
      CREATE TABLE workers (
        worker_id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        started_ms BIGINT NOT NULL,
        seen_ms BIGINT NOT NULL
      );
      CREATE TABLE partition_leases (
        partition INTEGER PRIMARY KEY,
        owner TEXT,
        generation BIGINT NOT NULL DEFAULT 0,
        expires_ms BIGINT NOT NULL DEFAULT 0
      );
    `,
  },
];

/** The advisory lock key migrations and partition changes take (any constant shared by all processes). */
export const schemaLockKey = 0x64677363; // 'dgsc'

/** Applies the migrations the schema lacks, one transaction each, under the schema lock. */
export async function migrate(database: PgDatabase): Promise<number> {
  return database.atomically('write', async () => {
    await database.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [
      schemaLockKey,
    ]);
    await database.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
    );
    const applied = new Set(
      (await database.rows<{ version: number }>('SELECT version FROM schema_migrations')).map(
        (row) => row.version,
      ),
    );
    let count = 0;
    for (const migration of pgMigrations) {
      if (applied.has(migration.version)) continue;
      await database.query(migration.sql);
      await database.query(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
        [migration.version, migration.name, new Date().toISOString()],
      );
      count += 1;
    }
    return count;
  });
}
