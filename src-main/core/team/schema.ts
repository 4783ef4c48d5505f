// The team store's schema `ops_team`, kept in the app as numbered migrations (like the local
// store's). `team connect` applies what is missing in one transaction under an advisory lock
// (two workstations connecting at once migrate once), and refuses a store whose version is
// newer than this app knows. The roles are not made by a migration: roles belong to the whole
// cluster and need CREATEROLE, so their SQL is a text the app prints (ROLES_SQL) and a
// migration only grants to them once they exist.

export const TEAM_SCHEMA = 'ops_team';
export const WRITER_ROLE = 'ops_team_writer';
export const REVIEWER_ROLE = 'ops_team_reviewer';
/** pg_advisory_xact_lock key for migrations: "opst" as bytes, so another app's lock is unlikely to collide. */
export const MIGRATION_LOCK = 0x6f707374;

export interface TeamMigration {
  version: number;
  sql: string;
}

const V1 = `
CREATE SCHEMA IF NOT EXISTS ops_team;

CREATE TABLE ops_team.schema_version (
  id          int PRIMARY KEY CHECK (id = 1),
  version     int NOT NULL,
  app_version text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per local home: id made once there, name = its hostname, actor = who ran the app.
CREATE TABLE ops_team.workstations (
  id         uuid PRIMARY KEY,
  name       text NOT NULL,
  actor      text NOT NULL,
  head_seq   bigint NOT NULL DEFAULT 0,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen  timestamptz NOT NULL DEFAULT now()
);

-- Each workstation's audit chain record for record, exactly the fields its local chain hashes
-- (core/platform/audit/chain.ts: CHAIN_FIELDS), so the chain can be recomputed here.
-- "at" stays text: the hash covers the ISO string as written.
CREATE TABLE ops_team.audit_chain (
  workstation_id uuid NOT NULL REFERENCES ops_team.workstations (id),
  seq            bigint NOT NULL CHECK (seq > 0),
  kind           text NOT NULL CHECK (kind IN ('begin', 'complete')),
  entry_id       bigint NOT NULL,
  at             text NOT NULL,
  actor          text,
  action         text,
  profile        text,
  summary        text,
  detail         text,
  outcome        text,
  duration_ms    bigint,
  rows_affected  bigint,
  error          text,
  prev_hash      text NOT NULL,
  hash           text NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workstation_id, seq)
);
CREATE INDEX audit_chain_entry ON ops_team.audit_chain (workstation_id, entry_id, kind);
CREATE INDEX audit_chain_at ON ops_team.audit_chain (at) WHERE kind = 'begin';

-- A record uploaded again for a key the store already holds with other content: kept here
-- for a reviewer, never written over the original.
CREATE TABLE ops_team.audit_conflicts (
  workstation_id uuid NOT NULL,
  seq            bigint NOT NULL,
  hash           text NOT NULL,
  record         jsonb NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workstation_id, seq, hash)
);

-- The trail is append-only for everyone, the owner running the app included: grants keep the
-- app's roles from UPDATE/DELETE, this trigger stops anyone else (a superuser can disable it;
-- audit verify --team then shows what changed).
CREATE FUNCTION ops_team.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
BEGIN
  RAISE EXCEPTION 'ops_team.%: the team audit trail is append-only; % is refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$fn$;
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON ops_team.audit_chain FOR EACH ROW EXECUTE FUNCTION ops_team.refuse_rewrite();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON ops_team.audit_chain FOR EACH STATEMENT EXECUTE FUNCTION ops_team.refuse_rewrite();
CREATE TRIGGER audit_conflicts_append_only BEFORE UPDATE OR DELETE ON ops_team.audit_conflicts FOR EACH ROW EXECUTE FUNCTION ops_team.refuse_rewrite();
CREATE TRIGGER audit_conflicts_no_truncate BEFORE TRUNCATE ON ops_team.audit_conflicts FOR EACH STATEMENT EXECUTE FUNCTION ops_team.refuse_rewrite();

-- Shared profiles without secrets: connection settings, tags, thresholds, contacts.
CREATE TABLE ops_team.profiles (
  workstation_id uuid NOT NULL REFERENCES ops_team.workstations (id),
  profile_id     text NOT NULL,
  name           text NOT NULL,
  settings       jsonb NOT NULL,
  thresholds     jsonb NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  removed_at     timestamptz,
  PRIMARY KEY (workstation_id, profile_id)
);

CREATE TABLE ops_team.runbooks (
  workstation_id uuid NOT NULL REFERENCES ops_team.workstations (id),
  runbook_id     text NOT NULL,
  title          text NOT NULL,
  source         text,
  imported_at    text NOT NULL,
  outline        jsonb NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  removed_at     timestamptz,
  PRIMARY KEY (workstation_id, runbook_id)
);

CREATE TABLE ops_team.checklist_runs (
  workstation_id uuid NOT NULL REFERENCES ops_team.workstations (id),
  run_id         text NOT NULL,
  profile_name   text NOT NULL,
  checklist_id   text NOT NULL,
  title          text NOT NULL,
  status         text NOT NULL,
  actor          text NOT NULL,
  started_at     text NOT NULL,
  signed_at      text NOT NULL,
  result         jsonb NOT NULL,
  decisions      jsonb NOT NULL,
  note           text NOT NULL,
  PRIMARY KEY (workstation_id, run_id)
);

-- Least privilege, once the roles exist (ROLES_SQL): the writer appends to the trail and keeps
-- its own shared objects current; the reviewer only reads.
DO $grants$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ops_team_writer') THEN
    GRANT USAGE ON SCHEMA ops_team TO ops_team_writer;
    GRANT SELECT ON ops_team.schema_version TO ops_team_writer;
    GRANT SELECT, INSERT ON ops_team.audit_chain, ops_team.audit_conflicts TO ops_team_writer;
    GRANT SELECT, INSERT, UPDATE ON ops_team.workstations, ops_team.profiles, ops_team.runbooks, ops_team.checklist_runs TO ops_team_writer;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ops_team_reviewer') THEN
    GRANT USAGE ON SCHEMA ops_team TO ops_team_reviewer;
    GRANT SELECT ON ALL TABLES IN SCHEMA ops_team TO ops_team_reviewer;
  END IF;
END
$grants$;
`;

/** In order; the last one's version is what this app writes. Never edit a shipped one: add the next. */
export const TEAM_MIGRATIONS: readonly TeamMigration[] = [{ version: 1, sql: V1 }];
export const TEAM_STORE_VERSION = TEAM_MIGRATIONS[TEAM_MIGRATIONS.length - 1]!.version;

/**
 * What a database owner (or a role with CREATEROLE) runs once per cluster, before the first
 * `team connect` (which then grants to them) — `team connect` prints it, the README documents it.
 */
export const ROLES_SQL = `-- Team store roles for Ops Console (run once per cluster, as a role with CREATEROLE).
-- Group roles only: nobody logs in as them; each DBA gets a login role in one of them.
CREATE ROLE ops_team_writer NOLOGIN;    -- the app: appends to the trail (INSERT + SELECT), never UPDATE/DELETE
CREATE ROLE ops_team_reviewer NOLOGIN;  -- auditors: SELECT only

-- Each DBA's own login (the app connects as it):
--   CREATE ROLE alice LOGIN PASSWORD '…' IN ROLE ops_team_writer;
-- A reviewer:
--   CREATE ROLE carol LOGIN PASSWORD '…' IN ROLE ops_team_reviewer;

-- The schema itself is created by the first "ops-console team connect URL" run by a role with
-- CREATE on the database (e.g. the database owner); it grants the rights above to these roles.
-- Grants repeated by hand, if the roles were made after the schema:
GRANT USAGE ON SCHEMA ops_team TO ops_team_writer, ops_team_reviewer;
GRANT SELECT ON ops_team.schema_version TO ops_team_writer;
GRANT SELECT, INSERT ON ops_team.audit_chain, ops_team.audit_conflicts TO ops_team_writer;
GRANT SELECT, INSERT, UPDATE ON ops_team.workstations, ops_team.profiles, ops_team.runbooks, ops_team.checklist_runs TO ops_team_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA ops_team TO ops_team_reviewer;
`;
