// One object's parts, looked up by OID in the catalog it belongs to: a relation's columns,
// indexes, constraints, triggers, policies (and whether RLS is on / forced) and grants; a
// function's signature; a type's labels, fields or domain constraints. Definitions come from
// the server's own pg_get_*def functions, so they read as PostgreSQL would print them.
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import { catalogOf, type GrantInfo, type ObjectKind, type SchemaObjectDetails } from '../../contract/schema';
import { num, numOrNull, objectGone, readCatalog, type CatalogDeps } from './read';

/** aclexplode over the ACL or, when none was ever set, the owner's default (acldefault); grantee 0 is PUBLIC. */
const GRANTS_SQL = (acl: string, kind: string, owner: string, catalog: string, alias: string) => `
SELECT * FROM (
  SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee, pg_get_userbyid(a.grantor) AS grantor,
         array_agg(a.privilege_type ORDER BY a.privilege_type) AS privileges,
         array_agg(a.privilege_type ORDER BY a.privilege_type) FILTER (WHERE a.is_grantable) AS grantable
  FROM ${catalog} ${alias} CROSS JOIN LATERAL aclexplode(COALESCE(${acl}, acldefault('${kind}', ${owner}))) a
  WHERE ${alias}.oid = $1
  GROUP BY 1, 2
) g ORDER BY g.grantee = 'PUBLIC' DESC, g.grantee, g.grantor`;

const RELATION_SQL = `
SELECT c.oid::int8 AS oid, CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned-table' WHEN 'f' THEN 'foreign-table' WHEN 'v' THEN 'view'
         WHEN 'm' THEN 'materialized-view' WHEN 'S' THEN 'sequence' ELSE c.relkind::text END AS kind,
       n.nspname AS schema, c.relname AS name, format('%I.%I', n.nspname, c.relname) AS qualified, pg_get_userbyid(c.relowner) AS owner,
       obj_description(c.oid, 'pg_class') AS comment, c.relrowsecurity AS rls, c.relforcerowsecurity AS rls_forced,
       CASE WHEN c.relkind IN ('r', 'm', 'f') THEN COALESCE(NULLIF(c.reltuples, -1)::int8, pg_stat_get_live_tuples(c.oid)) END AS row_estimate,
       CASE WHEN c.relkind IN ('r', 'p', 'm', 'S') THEN pg_total_relation_size(c.oid) END AS bytes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1 AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')`;

const COLUMNS_SQL = `
SELECT a.attnum AS position, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
       pg_get_expr(d.adbin, d.adrelid) AS "default",
       CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END AS identity,
       CASE a.attgenerated WHEN 's' THEN 'stored' END AS generated,
       col_description(a.attrelid, a.attnum) AS comment
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

const INDEXES_SQL = `
SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, i.indisprimary AS primary, i.indisunique AS unique, i.indisvalid AS valid,
       pg_relation_size(i.indexrelid) AS bytes
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = $1 ORDER BY NOT i.indisprimary, ic.relname COLLATE "C"`;

const CONSTRAINTS_SQL = `
SELECT c.conname AS name,
       CASE c.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key' WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion'
         WHEN 't' THEN 'trigger' WHEN 'n' THEN 'not null' ELSE c.contype::text END AS type,
       pg_get_constraintdef(c.oid) AS definition
FROM pg_constraint c WHERE c.conrelid = $1 ORDER BY c.contype <> 'p', c.conname COLLATE "C"`;

const TRIGGERS_SQL = `
SELECT t.tgname AS name, pg_get_triggerdef(t.oid) AS definition, t.tgenabled <> 'D' AS enabled
FROM pg_trigger t WHERE t.tgrelid = $1 AND NOT t.tgisinternal ORDER BY t.tgname COLLATE "C"`;

const POLICIES_SQL = `
SELECT p.polname AS name, CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS command,
       p.polpermissive AS permissive,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r)::text END FROM unnest(p.polroles) r ORDER BY 1) AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
FROM pg_policy p WHERE p.polrelid = $1 ORDER BY p.polname COLLATE "C"`;

const FUNCTION_SQL = `
SELECT p.oid::int8 AS oid, CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window-function' END AS kind,
       n.nspname AS schema, p.proname AS name, format('%I.%I', n.nspname, p.proname) AS qualified, pg_get_userbyid(p.proowner) AS owner,
       obj_description(p.oid, 'pg_proc') AS comment, pg_get_function_arguments(p.oid) AS signature,
       CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END AS returns
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = $1`;

const TYPE_SQL = `
SELECT t.oid::int8 AS oid, CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'c' THEN 'composite' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range' ELSE t.typtype::text END AS kind,
       n.nspname AS schema, t.typname AS name, format('%I.%I', n.nspname, t.typname) AS qualified, pg_get_userbyid(t.typowner) AS owner,
       obj_description(t.oid, 'pg_type') AS comment, t.typrelid AS relid,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS returns,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = $1`;

const DOMAIN_CONSTRAINTS_SQL = `
SELECT c.conname AS name, CASE c.contype WHEN 'c' THEN 'check' WHEN 'n' THEN 'not null' ELSE c.contype::text END AS type, pg_get_constraintdef(c.oid) AS definition
FROM pg_constraint c WHERE c.contypid = $1 ORDER BY c.conname COLLATE "C"`;

interface BaseRow {
  oid: string;
  kind: ObjectKind;
  schema: string;
  name: string;
  qualified: string;
  owner: string;
  comment: string | null;
}

function emptyDetails(base: BaseRow): SchemaObjectDetails {
  return {
    oid: num(base.oid),
    kind: base.kind,
    schema: base.schema,
    name: base.name,
    qualifiedName: base.qualified,
    owner: base.owner,
    comment: base.comment,
    rowEstimate: null,
    bytes: null,
    signature: null,
    returns: null,
    columns: [],
    indexes: [],
    constraints: [],
    triggers: [],
    policies: [],
    rls: null,
    grants: [],
    enumLabels: [],
    selectable: false,
  };
}

async function grants(client: pg.Client, sql: string, oid: number): Promise<GrantInfo[]> {
  const rows = (await client.query<{ grantee: string; grantor: string; privileges: string[]; grantable: string[] | null }>(sql, [oid])).rows;
  return rows.map((r) => ({ grantee: r.grantee, grantor: r.grantor, privileges: r.privileges, grantable: r.grantable ?? [] }));
}

async function columnsOf(client: pg.Client, relid: number): Promise<SchemaObjectDetails['columns']> {
  return (await client.query<SchemaObjectDetails['columns'][number]>(COLUMNS_SQL, [relid])).rows;
}

async function relationDetails(client: pg.Client, profile: Profile, oid: number): Promise<SchemaObjectDetails> {
  const base = (await client.query<BaseRow & { rls: boolean; rls_forced: boolean; row_estimate: string | null; bytes: string | null }>(RELATION_SQL, [oid]))
    .rows[0];
  if (!base) throw objectGone(profile, oid);
  const tableLike = base.kind === 'table' || base.kind === 'partitioned-table' || base.kind === 'foreign-table';
  const details = emptyDetails(base);
  details.rowEstimate = numOrNull(base.row_estimate);
  details.bytes = numOrNull(base.bytes);
  details.selectable = true;
  details.columns = base.kind === 'sequence' ? [] : await columnsOf(client, oid);
  details.indexes = (
    await client.query<{ name: string; definition: string; primary: boolean; unique: boolean; valid: boolean; bytes: string }>(INDEXES_SQL, [oid])
  ).rows.map((r) => ({ ...r, bytes: num(r.bytes) }));
  details.constraints = (await client.query<{ name: string; type: string; definition: string }>(CONSTRAINTS_SQL, [oid])).rows;
  details.triggers = (await client.query<{ name: string; definition: string; enabled: boolean }>(TRIGGERS_SQL, [oid])).rows;
  if (tableLike) {
    details.policies = (await client.query<SchemaObjectDetails['policies'][number] & { with_check: string | null }>(POLICIES_SQL, [oid])).rows.map((r) => ({
      name: r.name,
      command: r.command,
      permissive: r.permissive,
      roles: r.roles,
      using: r.using,
      withCheck: r.with_check,
    }));
    details.rls = { enabled: base.rls, forced: base.rls_forced };
  }
  const aclKind = base.kind === 'sequence' ? 's' : 'r';
  details.grants = await grants(client, GRANTS_SQL('c.relacl', aclKind, 'c.relowner', 'pg_class', 'c'), oid);
  return details;
}

async function functionDetails(client: pg.Client, profile: Profile, oid: number): Promise<SchemaObjectDetails> {
  const base = (await client.query<BaseRow & { signature: string; returns: string | null }>(FUNCTION_SQL, [oid])).rows[0];
  if (!base) throw objectGone(profile, oid);
  const details = emptyDetails(base);
  details.signature = base.signature;
  details.returns = base.returns;
  details.grants = await grants(client, GRANTS_SQL('p.proacl', 'f', 'p.proowner', 'pg_proc', 'p'), oid);
  return details;
}

async function typeDetails(client: pg.Client, profile: Profile, oid: number): Promise<SchemaObjectDetails> {
  const base = (await client.query<BaseRow & { relid: string; returns: string | null; labels: string[] }>(TYPE_SQL, [oid])).rows[0];
  if (!base) throw objectGone(profile, oid);
  const details = emptyDetails(base);
  details.returns = base.returns;
  details.enumLabels = base.labels;
  if (base.kind === 'composite') details.columns = await columnsOf(client, num(base.relid));
  if (base.kind === 'domain')
    details.constraints = (await client.query<{ name: string; type: string; definition: string }>(DOMAIN_CONSTRAINTS_SQL, [oid])).rows;
  details.grants = await grants(client, GRANTS_SQL('t.typacl', 'T', 't.typowner', 'pg_type', 't'), oid);
  return details;
}

export function getSchemaObject(
  deps: CatalogDeps,
  profile: Profile,
  password: string | undefined,
  oid: number,
  kind: ObjectKind,
): Promise<SchemaObjectDetails> {
  return readCatalog(deps, profile, password, 'the object', (client) => {
    const catalog = catalogOf(kind);
    if (catalog === 'relation') return relationDetails(client, profile, oid);
    if (catalog === 'function') return functionDetails(client, profile, oid);
    return typeDetails(client, profile, oid);
  });
}
