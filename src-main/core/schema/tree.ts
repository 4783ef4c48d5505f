// The tree's two reads: the schemas (with how many objects of each group they hold, counted
// in three grouped scans rather than per schema), extensions and roles; then one page of one
// group of one schema, narrowed by name on the server so a schema of thousands of tables
// never travels whole. Sizes are measured only for the page's rows (each is a file stat).
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import { isPlatformSchema } from '../../contract/platform-schemas';
import { type ObjectKind, type ObjectNode, type ObjectPage, type SchemaGroup, type SchemaTree } from '../../contract/schema';
import { num, numOrNull, objectGone, readCatalog, type CatalogDeps } from './read';

/** Schemas PostgreSQL keeps for itself (the contract's isSystemSchema, as SQL). */
const SYSTEM_SCHEMA_SQL = `(n.nspname IN ('pg_catalog', 'information_schema', 'pg_toast') OR n.nspname ~ '^pg_(toast_)?temp_[0-9]+$')`;

/** Which objects each group holds: the relkind / prokind / typtype tests, on aliases c, p, t. */
export const RELKINDS: Partial<Record<SchemaGroup, string>> = {
  tables: `'r', 'p', 'f'`,
  views: `'v'`,
  'materialized-views': `'m'`,
  sequences: `'S'`,
};

/** Standalone composite types only: a table's row type is the table. Arrays and multiranges are left out. */
const TYPE_TEST = `(t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT rc.relkind FROM pg_class rc WHERE rc.oid = t.typrelid) = 'c'))`;

/**
 * A range type's constructor functions belong to the type (an internal dependency), as
 * pg_dump and \\df see them: listed with the type, not among the functions.
 */
const NOT_TYPE_PART = `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')`;

const SCHEMAS_SQL = (showSystem: boolean) => `
WITH rel AS (
  SELECT c.relnamespace AS ns,
         count(*) FILTER (WHERE c.relkind IN (${RELKINDS.tables})) AS tables,
         count(*) FILTER (WHERE c.relkind IN (${RELKINDS.views})) AS views,
         count(*) FILTER (WHERE c.relkind IN (${RELKINDS['materialized-views']})) AS matviews,
         count(*) FILTER (WHERE c.relkind IN (${RELKINDS.sequences})) AS sequences
  FROM pg_class c GROUP BY c.relnamespace
), fn AS (
  SELECT p.pronamespace AS ns, count(*) AS functions FROM pg_proc p WHERE ${NOT_TYPE_PART} GROUP BY p.pronamespace
), ty AS (
  SELECT t.typnamespace AS ns, count(*) AS types FROM pg_type t WHERE ${TYPE_TEST} GROUP BY t.typnamespace
)
SELECT n.oid::int8 AS oid, n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner, ${SYSTEM_SCHEMA_SQL} AS system,
       COALESCE(rel.tables, 0) AS tables, COALESCE(rel.views, 0) AS views, COALESCE(rel.matviews, 0) AS matviews,
       COALESCE(fn.functions, 0) AS functions, COALESCE(rel.sequences, 0) AS sequences, COALESCE(ty.types, 0) AS types
FROM pg_namespace n
LEFT JOIN rel ON rel.ns = n.oid LEFT JOIN fn ON fn.ns = n.oid LEFT JOIN ty ON ty.ns = n.oid
WHERE ${showSystem ? 'true' : `NOT ${SYSTEM_SCHEMA_SQL}`}
ORDER BY n.nspname`;

const HIDDEN_SQL = `SELECT count(*) AS hidden FROM pg_namespace n WHERE ${SYSTEM_SCHEMA_SQL}`;

const EXTENSIONS_SQL = `
SELECT e.oid::int8 AS oid, e.extname AS name, e.extversion AS version, n.nspname AS schema, obj_description(e.oid, 'pg_extension') AS comment
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY e.extname`;

// Roles named pg_* are PostgreSQL's predefined ones: they are shown too, members of them matter.
const ROLES_SQL = `
SELECT r.oid::int8 AS oid, r.rolname AS name, r.rolcanlogin AS login, r.rolsuper AS superuser, r.rolcreatedb AS create_db,
       r.rolcreaterole AS create_role, r.rolbypassrls AS bypass_rls,
       ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY g.rolname) AS member_of
FROM pg_roles r ORDER BY r.rolname LIKE 'pg\\_%', r.rolname`;

interface SchemaRow {
  oid: string;
  name: string;
  owner: string;
  system: boolean;
  tables: string;
  views: string;
  matviews: string;
  functions: string;
  sequences: string;
  types: string;
}

async function readTree(client: pg.Client, showSystem: boolean): Promise<SchemaTree> {
  const info = (
    await client.query<{ database: string; version: string; user: string }>(
      'SELECT current_database() AS database, current_setting(\'server_version\') AS version, current_user AS "user"',
    )
  ).rows[0]!;
  const schemas = (await client.query<SchemaRow>(SCHEMAS_SQL(showSystem))).rows.map((r) => ({
    oid: num(r.oid),
    name: r.name,
    owner: r.owner,
    system: r.system,
    platform: isPlatformSchema(r.name),
    counts: {
      tables: num(r.tables),
      views: num(r.views),
      'materialized-views': num(r.matviews),
      functions: num(r.functions),
      sequences: num(r.sequences),
      types: num(r.types),
    },
  }));
  const hidden = showSystem ? 0 : num((await client.query<{ hidden: string }>(HIDDEN_SQL)).rows[0]?.hidden);
  const extensions = (await client.query<{ oid: string; name: string; version: string; schema: string; comment: string | null }>(EXTENSIONS_SQL)).rows.map(
    (r) => ({
      ...r,
      oid: num(r.oid),
    }),
  );
  const roles = (
    await client.query<{
      oid: string;
      name: string;
      login: boolean;
      superuser: boolean;
      create_db: boolean;
      create_role: boolean;
      bypass_rls: boolean;
      member_of: string[];
    }>(ROLES_SQL)
  ).rows.map((r) => ({
    oid: num(r.oid),
    name: r.name,
    login: r.login,
    superuser: r.superuser,
    createDb: r.create_db,
    createRole: r.create_role,
    bypassRls: r.bypass_rls,
    memberOf: r.member_of,
  }));
  return { database: info.database, serverVersion: info.version, currentUser: info.user, schemas, hiddenSystemSchemas: hidden, extensions, roles };
}

export function getSchemaTree(deps: CatalogDeps, profile: Profile, password: string | undefined, showSystem: boolean): Promise<SchemaTree> {
  return readCatalog(deps, profile, password, 'the schema list', (client) => readTree(client, showSystem));
}

/** $1 schema oid, $2 filter ('' = all). The filter is a plain substring: strpos, not LIKE, so % and _ mean themselves. */
const NAME_MATCH = (column: string) => `($2 = '' OR strpos(lower(${column}), lower($2)) > 0)`;

const RELKIND_TO_KIND = `CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned-table' WHEN 'f' THEN 'foreign-table' WHEN 'v' THEN 'view'
  WHEN 'm' THEN 'materialized-view' WHEN 'S' THEN 'sequence' END`;

/** Each group's (count, page) statements; $3 limit, $4 offset. Names sort byte-wise, as pg_dump and \\d do. */
function groupSql(group: SchemaGroup): { count: string; page: string } {
  const relkinds = RELKINDS[group];
  if (relkinds !== undefined) {
    const where = `c.relnamespace = $1 AND c.relkind IN (${relkinds}) AND ${NAME_MATCH('c.relname')}`;
    return {
      count: `SELECT count(*) AS total FROM pg_class c WHERE ${where}`,
      // The page is cut first and measured after: sizes are file stats, only for the rows shown.
      page: `SELECT p.oid::int8 AS oid, p.kind, p.name, NULL::text AS signature,
                    CASE WHEN p.relkind IN ('r', 'm', 'f') THEN COALESCE(NULLIF(p.reltuples, -1)::int8, pg_stat_get_live_tuples(p.oid)) END AS row_estimate,
                    CASE WHEN p.relkind IN ('r', 'p', 'm', 'S') THEN pg_total_relation_size(p.oid) END AS bytes
             FROM (SELECT c.oid, c.relkind, c.reltuples, ${RELKIND_TO_KIND} AS kind, c.relname AS name FROM pg_class c WHERE ${where}
                   ORDER BY c.relname COLLATE "C" LIMIT $3 OFFSET $4) p
             ORDER BY p.name COLLATE "C"`,
    };
  }
  if (group === 'functions') {
    const where = `p.pronamespace = $1 AND ${NOT_TYPE_PART} AND ${NAME_MATCH('p.proname')}`;
    return {
      count: `SELECT count(*) AS total FROM pg_proc p WHERE ${where}`,
      page: `SELECT p.oid::int8 AS oid, CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window-function' END AS kind,
                    p.proname AS name, pg_get_function_identity_arguments(p.oid) AS signature, NULL::int8 AS row_estimate, NULL::int8 AS bytes
             FROM pg_proc p WHERE ${where}
             ORDER BY p.proname COLLATE "C", 4 LIMIT $3 OFFSET $4`,
    };
  }
  const where = `t.typnamespace = $1 AND ${TYPE_TEST} AND ${NAME_MATCH('t.typname')}`;
  return {
    count: `SELECT count(*) AS total FROM pg_type t WHERE ${where}`,
    page: `SELECT t.oid::int8 AS oid, CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'c' THEN 'composite' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range' END AS kind,
                  t.typname AS name, NULL::text AS signature, NULL::int8 AS row_estimate, NULL::int8 AS bytes
           FROM pg_type t WHERE ${where}
           ORDER BY t.typname COLLATE "C" LIMIT $3 OFFSET $4`,
  };
}

interface ObjectRow {
  oid: string;
  kind: ObjectKind;
  name: string;
  signature: string | null;
  row_estimate: string | null;
  bytes: string | null;
}

export interface PageRequest {
  schemaOid: number;
  group: SchemaGroup;
  filter: string;
  offset: number;
  limit: number;
}

async function readPage(client: pg.Client, profile: Profile, req: PageRequest): Promise<ObjectPage> {
  const schema = (await client.query<{ name: string }>('SELECT nspname AS name FROM pg_namespace WHERE oid = $1', [req.schemaOid])).rows[0];
  if (!schema) throw objectGone(profile, req.schemaOid);
  const sql = groupSql(req.group);
  const total = num((await client.query<{ total: string }>(sql.count, [req.schemaOid, req.filter])).rows[0]?.total);
  const rows = (await client.query<ObjectRow>(sql.page, [req.schemaOid, req.filter, req.limit, req.offset])).rows;
  const objects: ObjectNode[] = rows.map((r) => ({
    oid: num(r.oid),
    kind: r.kind,
    name: r.name,
    signature: r.signature,
    rowEstimate: numOrNull(r.row_estimate),
    bytes: numOrNull(r.bytes),
  }));
  return { schemaOid: req.schemaOid, schema: schema.name, group: req.group, filter: req.filter, total, offset: req.offset, objects };
}

export function listSchemaObjects(deps: CatalogDeps, profile: Profile, password: string | undefined, req: PageRequest): Promise<ObjectPage> {
  return readCatalog(deps, profile, password, 'the schema objects', (client) => readPage(client, profile, req));
}
