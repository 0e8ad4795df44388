// Versioned schema of the embedded SQLite store. Append new migrations; never edit applied ones.
// Later features (profiles, campaigns, decisions) arrive as new versions here. Interactions carry
// only the UNIQUE(id) index: each extra index costs ingest speed (see docs/decisions), so the
// migration that first needs one adds it.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'interactions, accounts, imports',
    sql: `
      CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        path TEXT,
        size INTEGER,
        modified_ms INTEGER
      );
      CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        lines INTEGER, accepted INTEGER, rejected INTEGER, distinct_records INTEGER,
        rows_before INTEGER NOT NULL
      );
      CREATE TABLE interactions (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        ts_ms INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        key_id TEXT,
        api TEXT NOT NULL,
        model TEXT NOT NULL,
        client_ip TEXT,
        client_asn INTEGER,
        client_country TEXT,
        user_agent TEXT,
        status INTEGER,
        input_tokens INTEGER,
        output_tokens INTEGER,
        latency_ms REAL,
        import_id INTEGER NOT NULL,
        source_id INTEGER NOT NULL,
        line INTEGER NOT NULL,
        byte_offset INTEGER NOT NULL,
        byte_length INTEGER NOT NULL,
        raw TEXT
      );
      CREATE TABLE rejected_lines (
        import_id INTEGER NOT NULL REFERENCES imports(id),
        line INTEGER NOT NULL,
        field TEXT NOT NULL,
        reason TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (import_id, line)
      );
      CREATE TABLE accounts (
        account_id TEXT PRIMARY KEY,
        created_at_ms INTEGER,
        verification TEXT,
        org_id TEXT,
        email_domain TEXT,
        payment_fingerprint TEXT,
        country TEXT,
        signup_ip TEXT,
        record TEXT NOT NULL,
        import_id INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'benchmark items added by users',
    sql: `
      CREATE TABLE benchmark_items (
        id INTEGER PRIMARY KEY,
        suite TEXT NOT NULL,
        shingles BLOB NOT NULL,
        added_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'gateway: API keys (keyed hashes only) and enforcement decisions',
    sql: `
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
        id INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        account_id TEXT NOT NULL,
        campaign_id TEXT,
        action TEXT NOT NULL,
        verdict TEXT,
        risk REAL,
        reason TEXT NOT NULL
      );
      CREATE INDEX decisions_account ON decisions(account_id);
    `,
  },
  {
    version: 4,
    name: 'gateway: scoped admin tokens (keyed hashes only) and settings (the key-hash secret check)',
    sql: `
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
    `,
  },
  {
    version: 5,
    name: 'data at rest: a hash of each raw record (checked reads through pointers, conflicting re-imports), text retention',
    // raw_hash: NULL for rows stored before this version, whose reads stay unchecked.
    // text_pruned_ms: when retention reduced the row's raw record to its metadata (NULL: never).
    sql: `
      ALTER TABLE interactions ADD COLUMN raw_hash BLOB;
      ALTER TABLE interactions ADD COLUMN text_pruned_ms INTEGER;
    `,
  },
  {
    version: 6,
    name: 'intelligence: campaign findings, community keys, STIX objects with their receipts, the warning list',
    // campaign_findings: what analyze found (the report's campaign and its template traits), the
    // source of intel export; withdrawn_at marks a finding an analyst took back (exported revoked).
    // intel_keys: community keys for keyed indicators (shared secrets, needed to compute the
    // HMACs, so kept as they are); retired keys still match, new indicators use the active one.
    // stix_objects: every version of every STIX object made here or received (canonical JSON);
    // stix_receipts: who sent which version, when and over which channel.
    // partner_matches: accounts here that matched a partner's indicator (the source of sightings).
    sql: `
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
        first_ms INTEGER NOT NULL,
        last_ms INTEGER NOT NULL,
        requests INTEGER NOT NULL,
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
    `,
  },
  {
    version: 7,
    name: 'TAXII 2.1: collections, the object versions in each, partners (keyed secret hashes only), status resources',
    sql: `
      CREATE TABLE taxii_collections (
        id TEXT PRIMARY KEY,
        alias TEXT UNIQUE,
        title TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE taxii_collection_objects (
        seq INTEGER PRIMARY KEY,
        collection_id TEXT NOT NULL REFERENCES taxii_collections(id),
        object_id TEXT NOT NULL,
        version TEXT NOT NULL,
        date_added TEXT NOT NULL,
        UNIQUE (collection_id, object_id, version)
      );
      CREATE INDEX taxii_collection_objects_added ON taxii_collection_objects(collection_id, date_added, seq);
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
    `,
  },
  {
    version: 8,
    name: 'designation: users (token hashes only), the transparency log with its checkpoints, cases, their events and attachments',
    // log_entries is append-only by contract: nothing here updates or deletes a row, and `log
    // verify` recomputes every leaf and checks every signed checkpoint against them.
    sql: `
      CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        disabled_at TEXT
      );
      CREATE TABLE log_entries (
        idx INTEGER PRIMARY KEY,
        entry BLOB NOT NULL,
        leaf_hash BLOB NOT NULL
      );
      CREATE TABLE log_checkpoints (
        tree_size INTEGER PRIMARY KEY,
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
        seq INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases(case_id),
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        at TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT,
        reason TEXT,
        detail TEXT NOT NULL,
        log_index INTEGER
      );
      CREATE INDEX case_events_case ON case_events(case_id, seq);
      CREATE TABLE case_attachments (
        case_id TEXT NOT NULL REFERENCES cases(case_id),
        sha256 TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        content BLOB NOT NULL,
        added_by TEXT NOT NULL,
        added_at TEXT NOT NULL,
        log_index INTEGER NOT NULL,
        PRIMARY KEY (case_id, sha256)
      );
    `,
  },
  {
    version: 9,
    name: 'dashboard: account findings, campaign views, audit runs, and the indexes its pages read interactions by (account and time)',
    sql: `
      CREATE TABLE account_findings (
        account_id TEXT PRIMARY KEY,
        analysed_at TEXT NOT NULL,
        verdict TEXT NOT NULL,
        risk REAL NOT NULL,
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
      CREATE INDEX interactions_account_time ON interactions(account_id, ts_ms);
      CREATE INDEX interactions_time ON interactions(ts_ms);
    `,
  },
];

/**
 * The indexes the dashboard reads interactions by (migration 9). A bulk import into an empty store
 * drops them and builds them once at its end, which is about four times cheaper than keeping them
 * up row by row (about 1 s against 5 s for 900,000 interactions); every open of the store builds
 * any that a crashed import left missing.
 */
export const readIndexes = [
  'CREATE INDEX IF NOT EXISTS interactions_account_time ON interactions(account_id, ts_ms)',
  'CREATE INDEX IF NOT EXISTS interactions_time ON interactions(ts_ms)',
] as const;

export const dropReadIndexes = [
  'DROP INDEX IF EXISTS interactions_account_time',
  'DROP INDEX IF EXISTS interactions_time',
] as const;
