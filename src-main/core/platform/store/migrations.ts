// Numbered migrations in one ordered list. Migration N brings a store from
// user_version N-1 to N inside one transaction. Never edit a migration that has shipped;
// add the next number. Each migration has its own test (tests/unit/store-migrations.test.ts).

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'profiles, secrets and settings',
    sql: `
      CREATE TABLE profiles (
        id                   TEXT PRIMARY KEY,
        name                 TEXT NOT NULL UNIQUE COLLATE NOCASE,
        host                 TEXT NOT NULL,
        port                 INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        database             TEXT NOT NULL,
        user                 TEXT NOT NULL,
        sslmode              TEXT NOT NULL,
        ssl_root_cert        TEXT,
        env                  TEXT NOT NULL CHECK (env IN ('production','staging','development','sandbox')),
        read_only            INTEGER NOT NULL CHECK (read_only IN (0,1)),
        statement_timeout_ms INTEGER,
        notes                TEXT NOT NULL DEFAULT '',
        contacts_json        TEXT NOT NULL DEFAULT '[]',
        escalation_level     INTEGER CHECK (escalation_level IN (1,2,3)),
        created_at           TEXT NOT NULL,
        updated_at           TEXT NOT NULL
      );

      -- Only ciphertext lives here (Electron safeStorage); never a plaintext password.
      CREATE TABLE secrets (
        profile_id  TEXT PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
        backend     TEXT NOT NULL,
        ciphertext  BLOB NOT NULL,
        updated_at  TEXT NOT NULL
      );

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'tamper-evident audit trail',
    sql: `
      -- The hash chain: immutable records, one 'begin' when an action starts and one
      -- 'complete' when it ends. Each record's hash covers its predecessor's hash, so an
      -- edit, a deletion or a reordering breaks the chain from that point on.
      CREATE TABLE audit_chain (
        seq           INTEGER PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('begin','complete')),
        entry_id      INTEGER NOT NULL,
        at            TEXT NOT NULL,
        actor         TEXT,
        action        TEXT,
        profile       TEXT,
        summary       TEXT,
        detail        TEXT,
        outcome       TEXT CHECK (outcome IS NULL OR outcome IN ('ok','error')),
        duration_ms   INTEGER,
        rows_affected INTEGER,
        error         TEXT,
        prev_hash     TEXT NOT NULL CHECK (length(prev_hash) = 64),
        hash          TEXT NOT NULL CHECK (length(hash) = 64)
      );
      CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
      CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;

      -- What users see and search: one row per action, begin merged with its completion.
      -- A projection of the chain (verify() checks every row against it), kept so search
      -- never has to join two records per entry.
      CREATE TABLE audit_entries (
        id            INTEGER PRIMARY KEY,
        at            TEXT NOT NULL,
        actor         TEXT NOT NULL,
        profile       TEXT COLLATE NOCASE,
        action        TEXT NOT NULL,
        outcome       TEXT NOT NULL CHECK (outcome IN ('pending','ok','error')),
        duration_ms   INTEGER,
        summary       TEXT NOT NULL,
        detail        TEXT,
        rows_affected INTEGER,
        error         TEXT,
        begin_seq     INTEGER NOT NULL,
        complete_seq  INTEGER
      );
      -- No secondary indexes: each cost as much as a quarter of an append. Time ranges are
      -- found by bisecting ids (at never decreases with id) and filters go through audit_fts.
      -- Only a pending entry may change (once, by its completion); none may be deleted.
      CREATE TRIGGER audit_entries_no_rewrite BEFORE UPDATE ON audit_entries
        WHEN OLD.outcome <> 'pending'
        BEGIN SELECT RAISE(ABORT, 'a completed audit entry cannot change'); END;
      CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
        BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;

      CREATE VIRTUAL TABLE audit_fts USING fts5(
        summary, detail, action, profile, error, outcome,
        content = 'audit_entries', content_rowid = 'id'
      );

      -- The chain's head, so cutting records off the end is detected too.
      CREATE TABLE audit_head (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        seq       INTEGER NOT NULL,
        hash      TEXT NOT NULL,
        entries   INTEGER NOT NULL,
        last_at   TEXT NOT NULL,
        -- The full-text index is current up to this chain record (see core/audit/fts-index.ts).
        fts_seq   INTEGER NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash, entries, last_at, fts_seq)
        VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0, '', 0);
    `,
  },
  {
    version: 3,
    name: 'SSH tunnel settings and secrets per kind',
    sql: `
      -- The profile's SSH hop(s) as validated JSON (sshSettingsSchema); NULL = direct connection.
      -- Never a secret: key passphrases and SSH passwords live in secrets, kind 'ssh'/'jump'.
      ALTER TABLE profiles ADD COLUMN ssh_json TEXT;

      -- One secret per profile and kind: the database password, the bastion's key
      -- passphrase or password, and the jump host's. Existing rows are database passwords.
      CREATE TABLE secrets_v3 (
        profile_id  TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL DEFAULT 'db' CHECK (kind IN ('db','ssh','jump')),
        backend     TEXT NOT NULL,
        ciphertext  BLOB NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (profile_id, kind)
      );
      INSERT INTO secrets_v3 (profile_id, kind, backend, ciphertext, updated_at)
        SELECT profile_id, 'db', backend, ciphertext, updated_at FROM secrets;
      DROP TABLE secrets;
      ALTER TABLE secrets_v3 RENAME TO secrets;
    `,
  },
  {
    version: 4,
    name: 'query console: editor tabs, execution history, user snippets',
    sql: `
      -- The editor's tabs per profile (drafts: what the user typed, kept across launches).
      CREATE TABLE editor_tabs (
        profile_id  TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        id          TEXT NOT NULL,
        title       TEXT NOT NULL,
        sql         TEXT NOT NULL,
        active      INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0,1)),
        PRIMARY KEY (profile_id, id)
      );

      -- Every console execution. profile_name is copied so history outlives a removed profile;
      -- audit_id links to the audit entry of the same execution.
      CREATE TABLE query_history (
        id           INTEGER PRIMARY KEY,
        profile_id   TEXT NOT NULL,
        profile_name TEXT NOT NULL,
        sql          TEXT NOT NULL,
        started_at   TEXT NOT NULL,
        duration_ms  INTEGER NOT NULL,
        rows         INTEGER,
        outcome      TEXT NOT NULL CHECK (outcome IN ('ok','error','cancelled','blocked')),
        error        TEXT,
        audit_id     INTEGER
      );
      CREATE INDEX query_history_profile ON query_history (profile_id, id);

      CREATE TABLE snippets (
        id          TEXT PRIMARY KEY,
        title       TEXT NOT NULL,
        sql         TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'signed-off checklist runs',
    sql: `
      -- One row per signed-off run: who, when, the overall status, every step's result as
      -- it was shown (result_json) and the operator's decisions. profile_name is copied so
      -- the record outlives a removed profile, like the query history.
      CREATE TABLE checklist_runs (
        id              TEXT PRIMARY KEY,
        profile_id      TEXT NOT NULL,
        profile_name    TEXT NOT NULL,
        checklist_id    TEXT NOT NULL,
        title           TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('ok','warning','critical','unknown')),
        actor           TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        signed_at       TEXT NOT NULL,
        result_json     TEXT NOT NULL CHECK (json_valid(result_json)),
        decisions_json  TEXT NOT NULL CHECK (json_valid(decisions_json)),
        note            TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX checklist_runs_profile ON checklist_runs (profile_id, signed_at);
      CREATE INDEX checklist_runs_signed ON checklist_runs (signed_at);
    `,
  },
  {
    version: 6,
    name: 'threshold overrides and saved runbooks',
    sql: `
      -- A profile's own alert thresholds; a key without a row uses the default
      -- (core/runbook/thresholds.ts). Removed with the profile.
      CREATE TABLE threshold_overrides (
        profile_id  TEXT NOT NULL,
        key         TEXT NOT NULL,
        warn        REAL NOT NULL,
        critical    REAL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (profile_id, key)
      );

      -- Markdown runbooks kept after import: the parsed outline (never executed on import).
      CREATE TABLE runbooks (
        id            TEXT PRIMARY KEY,
        title         TEXT NOT NULL,
        source        TEXT,
        imported_at   TEXT NOT NULL,
        outline_json  TEXT NOT NULL CHECK (json_valid(outline_json))
      );
      CREATE INDEX runbooks_imported ON runbooks (imported_at);
    `,
  },
  {
    version: 7,
    name: 'backup catalog',
    sql: `
      -- Every backup the app started, good or not: a failed or cancelled one stays listed
      -- (with its error) so the catalog and the audit trail agree. manifest_json is the
      -- manifest written beside a good backup; profile_name outlives a removed profile.
      CREATE TABLE backups (
        id             TEXT PRIMARY KEY,
        profile_id     TEXT NOT NULL,
        profile_name   TEXT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('full','schema','data','roles')),
        format         TEXT NOT NULL CHECK (format IN ('custom','plain','directory')),
        path           TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('running','ok','failed','cancelled')),
        bytes          INTEGER,
        sha256         TEXT,
        started_at     TEXT NOT NULL,
        finished_at    TEXT,
        duration_ms    INTEGER,
        command        TEXT NOT NULL,
        error          TEXT,
        verified_at    TEXT,
        verified_ok    INTEGER,
        manifest_json  TEXT CHECK (manifest_json IS NULL OR json_valid(manifest_json))
      );
      CREATE INDEX backups_profile ON backups (profile_id, started_at);
      CREATE INDEX backups_started ON backups (started_at);
    `,
  },
  {
    version: 8,
    name: 'restores and restore drills',
    sql: `
      -- Every restore the app started, with its validation report; failed ones stay listed.
      CREATE TABLE restores (
        id                     TEXT PRIMARY KEY,
        backup_id              TEXT,
        source_path            TEXT NOT NULL,
        target_kind            TEXT NOT NULL CHECK (target_kind IN ('profile','new-database','scratch')),
        profile_id             TEXT,
        target                 TEXT NOT NULL,
        database_name          TEXT NOT NULL,
        status                 TEXT NOT NULL CHECK (status IN ('running','ok','failed','cancelled')),
        started_at             TEXT NOT NULL,
        finished_at            TEXT,
        duration_ms            INTEGER,
        command                TEXT NOT NULL,
        error                  TEXT,
        pre_restore_backup_id  TEXT,
        validation_json        TEXT CHECK (validation_json IS NULL OR json_valid(validation_json))
      );
      CREATE INDEX restores_started ON restores (started_at);

      -- Restore drills: the whole record (timings, validation, report) as JSON, with the
      -- columns the history filters and sorts by.
      CREATE TABLE drills (
        id           TEXT PRIMARY KEY,
        profile_id   TEXT,
        backup_id    TEXT,
        status       TEXT NOT NULL CHECK (status IN ('running','ok','failed','cancelled')),
        started_at   TEXT NOT NULL,
        record_json  TEXT NOT NULL CHECK (json_valid(record_json))
      );
      CREATE INDEX drills_profile ON drills (profile_id, started_at);
    `,
  },
  {
    version: 9,
    name: 'monitoring snapshots',
    sql: `
      -- Key figures of a profile's server, one row per (rate-limited) overview refresh, so
      -- the Performance screen can chart "is it getting worse?". Values are JSON numbers by
      -- metric name (databaseSizeBytes, connections, cacheHitRatio, topQueryMeanMs, …).
      CREATE TABLE metric_snapshots (
        profile_id   TEXT NOT NULL,
        at           TEXT NOT NULL,
        values_json  TEXT NOT NULL CHECK (json_valid(values_json)),
        PRIMARY KEY (profile_id, at)
      );
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.length === 0 ? 0 : MIGRATIONS[MIGRATIONS.length - 1]!.version;
