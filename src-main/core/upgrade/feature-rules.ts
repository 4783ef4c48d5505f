// What changes across the majors that THIS database uses (issue #23). Every rule is one item of
// a major's "Migration to Version N" release notes (checked against the notes, 14–18 and 19's
// beta notes), with a catalog query that finds its use here. A rule is reported only when its
// query returns rows, each naming one object; rules are chosen by the jump (current, target].
// Queries must run on every supported major (13+) read-only, so they name no catalog column a
// version lacks (to_jsonb(row) reads the ones that come and go).

export interface FeatureRule {
  id: string;
  /** The major the change arrives in. */
  major: number;
  /** What changes, in the release notes' terms. */
  change: string;
  /** What to do about the objects found. */
  action: string;
  /** 'server': cluster/pg_upgrade mechanics that a managed platform (Supabase) handles itself. */
  scope: 'database' | 'server';
  /** Optional query answering one row { ok: boolean }: false skips the rule (the role cannot read what it needs). */
  guard?: string;
  /** Rows with one column, object: each thing in this database the change touches. */
  sql: string;
  params?: unknown[];
}

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'`;
const notExtensionMember = (cls: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '${cls}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

/** Functions, views and materialized views of this database whose code matches $1 (a regex). */
const CODE_REFERENCING = `
SELECT 'function ' || p.oid::regprocedure::text AS object
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE ${USER_NS} AND p.prosrc ~* $1 AND ${notExtensionMember('pg_proc', 'p.oid')}
UNION ALL
SELECT CASE c.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END || c.oid::regclass::text
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND ${USER_NS} AND pg_catalog.pg_get_viewdef(c.oid) ~* $1 AND ${notExtensionMember('pg_class', 'c.oid')}
 ORDER BY 1 LIMIT 100`;

/** Server settings among $1 set away from their default (postgresql.conf, ALTER SYSTEM/DATABASE/ROLE, …). */
const SETTINGS_SET = `
SELECT name || ' = ' || setting || ' (' || source || ')' AS object
  FROM pg_catalog.pg_settings WHERE name = ANY ($1::text[]) AND source NOT IN ('default', 'override') ORDER BY 1`;

export const FEATURE_RULES: readonly FeatureRule[] = [
  // 14
  {
    id: 'pg14.postfix-operators',
    major: 14,
    change: 'Postfix (right-unary) operators are no longer supported',
    action: 'Replace each with a function or a prefix operator and drop it before the upgrade (pg_dump and pg_upgrade warn about them).',
    scope: 'database',
    sql: `SELECT 'operator ' || o.oid::regoperator::text AS object FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
           WHERE o.oprkind = 'r' AND ${USER_NS} ORDER BY 1`,
  },
  {
    id: 'pg14.containment-operators',
    major: 14,
    change: 'The deprecated containment operators @ and ~ (geometric types, cube, hstore, intarray, seg) are removed',
    action: 'Rewrite the objects with <@ and @>, which mean the same, before upgrading.',
    scope: 'database',
    sql: `SELECT DISTINCT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) AS object
            FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_operator o ON d.refclassid = 'pg_operator'::regclass AND d.refobjid = o.oid
           WHERE o.oprname IN ('@', '~') AND o.oprleft <> 0 AND d.deptype = 'n'
             AND pg_catalog.format_type(o.oprleft, NULL) IN ('box', 'polygon', 'circle', 'path', 'point', 'lseg', 'cube', 'hstore', 'seg', 'integer[]')
           ORDER BY 1`,
  },
  {
    id: 'pg14.removed-settings',
    major: 14,
    change: 'Server settings vacuum_cleanup_index_scale_factor and operator_precedence_warning are removed',
    action:
      'Remove them from postgresql.conf / ALTER SYSTEM / ALTER DATABASE|ROLE … RESET before the upgrade; the new server refuses unknown settings in its config.',
    scope: 'server',
    sql: SETTINGS_SET,
    params: [['vacuum_cleanup_index_scale_factor', 'operator_precedence_warning']],
  },
  {
    id: 'pg14.password-encryption',
    major: 14,
    change: 'password_encryption defaults to scram-sha-256 (was md5)',
    action:
      'New passwords will be stored as SCRAM: check that every client library supports SCRAM (libpq 10+, recent JDBC/npgsql/node-pg), or keep md5 explicitly for now.',
    scope: 'server',
    sql: `SELECT 'password_encryption = ' || setting AS object FROM pg_catalog.pg_settings WHERE name = 'password_encryption' AND setting IN ('md5', 'on', 'true')`,
  },
  // 15
  {
    id: 'pg15.public-schema-create',
    major: 15,
    change: 'New databases no longer let PUBLIC create objects in schema public (an upgrade or a dump/restore keeps the old permission)',
    action: 'Adopt the new default: REVOKE CREATE ON SCHEMA public FROM PUBLIC; then grant CREATE to the roles that deploy objects there.',
    scope: 'database',
    sql: `SELECT 'schema public: CREATE granted to PUBLIC' AS object FROM pg_catalog.pg_namespace n,
                 LATERAL pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
           WHERE n.nspname = 'public' AND a.grantee = 0 AND a.privilege_type = 'CREATE'`,
  },
  {
    id: 'pg15.exclusive-backup',
    major: 15,
    change:
      'Exclusive backup mode is removed: pg_start_backup()/pg_stop_backup() become pg_backup_start()/pg_backup_stop(); pg_backup_start_time() and pg_is_in_backup() are gone',
    action: 'Switch the code (and any backup script) to pg_backup_start()/pg_backup_stop() in non-exclusive mode.',
    scope: 'database',
    sql: CODE_REFERENCING,
    params: ['\\m(pg_start_backup|pg_stop_backup|pg_backup_start_time|pg_is_in_backup)\\M'],
  },
  {
    id: 'pg15.plpython2',
    major: 15,
    change: 'Languages plpython2u and plpythonu (Python 2) are removed',
    action: 'Port the functions to plpython3u, then drop the old language.',
    scope: 'database',
    sql: `SELECT 'function ' || p.oid::regprocedure::text || ' (' || l.lanname || ')' AS object
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
           WHERE l.lanname IN ('plpythonu', 'plpython2u') ORDER BY 1`,
  },
  {
    id: 'pg15.removed-settings',
    major: 15,
    change: 'Server setting stats_temp_directory is removed (statistics live in shared memory)',
    action: 'Remove it from the configuration before the upgrade.',
    scope: 'server',
    sql: SETTINGS_SET,
    params: [['stats_temp_directory']],
  },
  // 16
  {
    id: 'pg16.removed-settings',
    major: 16,
    change: 'Server settings vacuum_defer_cleanup_age and promote_trigger_file are removed; force_parallel_mode is renamed debug_parallel_query',
    action: 'Remove them (use hot_standby_feedback or replication slots; pg_ctl promote or pg_promote()); rename force_parallel_mode.',
    scope: 'server',
    sql: SETTINGS_SET,
    params: [['vacuum_defer_cleanup_age', 'promote_trigger_file', 'force_parallel_mode']],
  },
  {
    id: 'pg16.lc-settings',
    major: 16,
    change: 'Read-only settings lc_collate and lc_ctype are removed',
    action: "Read the database's locale from pg_database (datcollate, datctype) instead of current_setting('lc_collate').",
    scope: 'database',
    sql: CODE_REFERENCING,
    params: ["(current_setting\\s*\\(\\s*'lc_(collate|ctype)'|show\\s+lc_(collate|ctype))"],
  },
  {
    id: 'pg16.createrole',
    major: 16,
    change: 'CREATEROLE is restricted: changing another role (members, CREATEDB, REPLICATION, BYPASSRLS) needs ADMIN OPTION on it',
    action: 'Check what these roles manage and GRANT … WITH ADMIN OPTION on those roles, or move the work to a superuser-run migration.',
    scope: 'database',
    sql: `SELECT 'role ' || pg_catalog.quote_ident(rolname) AS object FROM pg_catalog.pg_roles
           WHERE rolcreaterole AND NOT rolsuper AND rolname !~ '^pg_' AND rolname <> ALL ($1::text[]) ORDER BY 1`,
    // $1: roles the platform owns (on Supabase its reserved roles, which it upgrades itself).
    params: [[]],
  },
  // 17
  {
    id: 'pg17.removed-settings',
    major: 17,
    change: 'Server settings old_snapshot_threshold, db_user_namespace and trace_recovery_messages are removed',
    action: 'Remove them from the configuration before the upgrade (the new server will not start with them in postgresql.conf).',
    scope: 'server',
    sql: SETTINGS_SET,
    params: [['old_snapshot_threshold', 'db_user_namespace', 'trace_recovery_messages']],
  },
  {
    id: 'pg17.pg-stat-statements-columns',
    major: 17,
    change: 'pg_stat_statements renames blk_read_time/blk_write_time to shared_blk_read_time/shared_blk_write_time',
    action: 'Rename the columns in these objects (ALTER EXTENSION pg_stat_statements UPDATE after the upgrade fails while a view depends on the old ones).',
    scope: 'database',
    sql: CODE_REFERENCING,
    params: ['\\mblk_(read|write)_time\\M'],
  },
  {
    id: 'pg17.pg-stat-bgwriter-columns',
    major: 17,
    change: 'pg_stat_bgwriter loses buffers_backend, buffers_backend_fsync and its checkpoint columns (moved to pg_stat_checkpointer / pg_stat_io)',
    action: 'Read checkpoints from pg_stat_checkpointer and backend writes from pg_stat_io in these objects (monitoring queries too).',
    scope: 'database',
    sql: CODE_REFERENCING,
    params: ['\\m(buffers_backend|buffers_backend_fsync|checkpoints_timed|checkpoints_req|buffers_checkpoint)\\M'],
  },
  {
    id: 'pg17.maintenance-search-path',
    major: 17,
    change: 'Maintenance (ANALYZE, VACUUM, CREATE INDEX, REINDEX, REFRESH MATERIALIZED VIEW…) runs functions with a safe search_path',
    action:
      'Give each function SET search_path (ALTER FUNCTION … SET search_path = …) or schema-qualify what it references, or index builds and refreshes will fail after the upgrade.',
    scope: 'database',
    sql: `SELECT DISTINCT 'function ' || p.oid::regprocedure::text || ' (used by ' || c.oid::regclass::text || ')' AS object
            FROM pg_catalog.pg_depend d
            JOIN pg_catalog.pg_class c ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND c.relkind = 'i'
            JOIN pg_catalog.pg_proc p ON d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid
            JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            JOIN pg_catalog.pg_language l ON l.oid = p.prolang
           WHERE ${USER_NS} AND l.lanname IN ('sql', 'plpgsql')
             AND NOT EXISTS (SELECT 1 FROM unnest(COALESCE(p.proconfig, '{}')) s WHERE s LIKE 'search_path=%')
          UNION
          SELECT DISTINCT 'function ' || p.oid::regprocedure::text || ' (used by ' || c.oid::regclass::text || ')'
            FROM pg_catalog.pg_rewrite r
            JOIN pg_catalog.pg_class c ON c.oid = r.ev_class AND c.relkind = 'm'
            JOIN pg_catalog.pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_proc'::regclass
            JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid
            JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            JOIN pg_catalog.pg_language l ON l.oid = p.prolang
           WHERE ${USER_NS} AND l.lanname IN ('sql', 'plpgsql')
             AND NOT EXISTS (SELECT 1 FROM unnest(COALESCE(p.proconfig, '{}')) s WHERE s LIKE 'search_path=%')
           ORDER BY 1`,
  },
  // 18
  {
    id: 'pg18.data-checksums',
    major: 18,
    change: "initdb enables data checksums by default, and pg_upgrade needs the old and new clusters' checksum settings to match",
    action: 'Create the new cluster with initdb --no-data-checksums (or enable checksums on the old one first with pg_checksums --enable, offline).',
    scope: 'server',
    sql: `SELECT 'data_checksums = ' || setting AS object FROM pg_catalog.pg_settings WHERE name = 'data_checksums' AND setting = 'off'`,
  },
  {
    id: 'pg18.md5-passwords',
    major: 18,
    change: 'MD5 password authentication is deprecated (support will be removed in a future major); setting an MD5 password warns',
    action:
      "Move to SCRAM: SET password_encryption = 'scram-sha-256', have each role set its password again, then switch pg_hba.conf md5 lines to scram-sha-256.",
    scope: 'database',
    sql: `SELECT 'password_encryption = md5 (' || source || ')' AS object FROM pg_catalog.pg_settings WHERE name = 'password_encryption' AND setting = 'md5'`,
  },
  {
    id: 'pg18.md5-role-passwords',
    major: 18,
    change: 'MD5 password authentication is deprecated (support will be removed in a future major); setting an MD5 password warns',
    action: "Have each role set its password again under password_encryption = 'scram-sha-256', then switch pg_hba.conf md5 lines to scram-sha-256.",
    scope: 'database',
    // Only a superuser reads pg_authid; without it the rule is skipped (and says so) rather than failing.
    guard: `SELECT pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS ok`,
    sql: `SELECT 'role ' || pg_catalog.quote_ident(rolname) AS object FROM pg_catalog.pg_authid WHERE rolpassword LIKE 'md5%' ORDER BY 1`,
  },
  {
    id: 'pg18.unlogged-partitioned',
    major: 18,
    change: 'Unlogged partitioned tables are disallowed (the flag never made the partitions unlogged)',
    action: 'ALTER TABLE … SET LOGGED on the parent (set UNLOGGED on each partition if that is what was meant).',
    scope: 'database',
    sql: `SELECT 'table ' || c.oid::regclass::text AS object FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind = 'p' AND c.relpersistence = 'u' AND ${USER_NS} ORDER BY 1`,
  },
  {
    id: 'pg18.inheritance-vacuum',
    major: 18,
    change: 'VACUUM and ANALYZE of an inheritance parent now process its children too',
    action: 'Scheduled VACUUM/ANALYZE of these parents will take longer; write VACUUM ONLY / ANALYZE ONLY where the old behaviour is wanted.',
    scope: 'database',
    sql: `SELECT DISTINCT 'table ' || i.inhparent::regclass::text AS object FROM pg_catalog.pg_inherits i
            JOIN pg_catalog.pg_class c ON c.oid = i.inhparent JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind = 'r' AND ${USER_NS} ORDER BY 1`,
  },
  {
    id: 'pg18.fts-collation-provider',
    major: 18,
    change: "Full-text search and pg_trgm read the database's default collation provider instead of always libc",
    action: 'This database defaults to a non-libc provider: REINDEX these full-text and pg_trgm indexes after the upgrade.',
    scope: 'database',
    sql: `SELECT 'index ' || i.indexrelid::regclass::text AS object
            FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE ${USER_NS} AND pg_catalog.pg_get_indexdef(i.indexrelid) ~* '(tsvector|_trgm_ops)'
             AND EXISTS (SELECT 1 FROM pg_catalog.pg_database d WHERE d.datname = current_database() AND COALESCE(to_jsonb(d) ->> 'datlocprovider', 'c') <> 'c')
           ORDER BY 1`,
  },
  {
    id: 'pg18.pg-stat-wal-columns',
    major: 18,
    change: 'pg_stat_wal loses wal_write, wal_sync, wal_write_time and wal_sync_time (now in pg_stat_io)',
    action: 'Read WAL I/O from pg_stat_io in these objects (monitoring queries too).',
    scope: 'database',
    sql: CODE_REFERENCING,
    params: ['\\mwal_(write|sync)(_time)?\\M'],
  },
  // 19 (beta notes: may still change before the release)
  {
    id: 'pg19.standard-conforming-strings',
    major: 19,
    change: 'standard_conforming_strings is always on; dumps taken with it off by older pg_dump do not load',
    action:
      "Find the code that relies on backslash escapes in plain string literals, switch it to E'…' literals, then turn the setting on; dump with the 19 pg_dump.",
    scope: 'database',
    sql: `SELECT 'standard_conforming_strings = off (' || source || ')' AS object FROM pg_catalog.pg_settings WHERE name = 'standard_conforming_strings' AND setting = 'off'`,
  },
  {
    id: 'pg19.btree-gist-inet',
    major: 19,
    change: "btree_gist's inet/cidr operator classes are no longer the default (they can miss rows); pg_upgrade refuses clusters with such indexes",
    action: 'Recreate each index with the core GiST opclass (… USING gist (col inet_ops)) and drop the old one before upgrading.',
    scope: 'database',
    sql: `SELECT DISTINCT 'index ' || i.indexrelid::regclass::text AS object
            FROM pg_catalog.pg_index i, unnest(i.indclass::oid[]) oc JOIN pg_catalog.pg_opclass o ON o.oid = oc
           WHERE o.opcname IN ('gist_inet_ops', 'gist_cidr_ops') ORDER BY 1`,
  },
  {
    id: 'pg19.mule-internal',
    major: 19,
    change: 'The MULE_INTERNAL encoding is removed',
    action: 'Dump this database and restore it into one with another encoding (UTF8).',
    scope: 'database',
    sql: `SELECT 'database ' || pg_catalog.quote_ident(datname) AS object FROM pg_catalog.pg_database WHERE pg_catalog.pg_encoding_to_char(encoding) = 'MULE_INTERNAL'`,
  },
  {
    id: 'pg19.newline-names',
    major: 19,
    change: 'Database, role and tablespace names may not contain carriage returns or line feeds; pg_upgrade refuses such clusters',
    action: 'Rename them (ALTER DATABASE/ROLE/TABLESPACE … RENAME TO) before the upgrade.',
    scope: 'server',
    sql: `SELECT 'database ' || pg_catalog.quote_ident(datname) AS object FROM pg_catalog.pg_database WHERE datname ~ '[\\r\\n]'
          UNION ALL SELECT 'role ' || pg_catalog.quote_ident(rolname) FROM pg_catalog.pg_roles WHERE rolname ~ '[\\r\\n]'
          UNION ALL SELECT 'tablespace ' || pg_catalog.quote_ident(spcname) FROM pg_catalog.pg_tablespace WHERE spcname ~ '[\\r\\n]'`,
  },
  {
    id: 'pg19.max-locks',
    major: 19,
    change: 'max_locks_per_transaction defaults to 128 (was 64) and its lock table is sized differently: a set value now holds about half as many locks',
    action: 'Double the configured value to keep the same capacity.',
    scope: 'server',
    sql: SETTINGS_SET,
    params: [['max_locks_per_transaction']],
  },
];
