// One object's DDL, and which source it came from. Relations (tables, views, materialized
// views, sequences, foreign tables) go through pg_dump itself (pg-dump-one.ts). pg_dump cannot
// select one function or type, so those are written from the server's catalog functions
// (pg_get_functiondef, format_type, pg_get_constraintdef), laid out as pg_dump lays them out,
// with every identifier and literal quoted by the server (format %I / %L), never here.
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import { catalogOf, type ObjectDdl, type ObjectKind } from '../../contract/schema';
import type { CoreDeps } from '../platform/kernel/deps';
import { dumpRelationDdl } from './pg-dump-one';
import { num, objectGone, readCatalog } from './read';

const RELATION_NAME_SQL = `
SELECT n.nspname AS schema, c.relname AS name, format('%I.%I', n.nspname, c.relname) AS qualified,
       current_setting('server_version') AS version, current_setting('server_version_num')::int AS version_num
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1 AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')`;

/** The statement that creates it, then owner and comment, as pg_dump follows one with the other. */
const FUNCTION_DDL_SQL = `
SELECT format('%I.%I', n.nspname, p.proname) AS qualified, p.prokind AS prokind,
       CASE p.prokind WHEN 'a' THEN
         format(E'CREATE AGGREGATE %I.%I(%s) (\\n    SFUNC = %s,\\n    STYPE = %s%s%s%s\\n);', n.nspname, p.proname, pg_get_function_arguments(p.oid),
                a.aggtransfn::regproc, format_type(a.aggtranstype, NULL),
                CASE WHEN a.agginitval IS NOT NULL THEN format(E',\\n    INITCOND = %L', a.agginitval) ELSE '' END,
                CASE WHEN a.aggfinalfn <> 0 THEN format(E',\\n    FINALFUNC = %s', a.aggfinalfn::regproc) ELSE '' END,
                CASE WHEN a.aggcombinefn <> 0 THEN format(E',\\n    COMBINEFUNC = %s', a.aggcombinefn::regproc) ELSE '' END)
       ELSE rtrim(pg_get_functiondef(p.oid), E'\\n') || ';' END AS body,
       format('ALTER %s %I.%I(%s) OWNER TO %I;', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
              n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), pg_get_userbyid(p.proowner)) AS owner,
       CASE WHEN d.description IS NOT NULL THEN format('COMMENT ON %s %I.%I(%s) IS %L;', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
              n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), d.description) END AS comment
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0
WHERE p.oid = $1`;

const TYPE_DDL_SQL = `
SELECT format('%I.%I', n.nspname, t.typname) AS qualified, t.typtype AS typtype,
       CASE t.typtype
         WHEN 'e' THEN format(E'CREATE TYPE %I.%I AS ENUM (\\n%s\\n);', n.nspname, t.typname,
           (SELECT string_agg('    ' || quote_literal(e.enumlabel), E',\\n' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
         WHEN 'c' THEN format(E'CREATE TYPE %I.%I AS (\\n%s\\n);', n.nspname, t.typname,
           (SELECT string_agg(format(E'\\t%I %s', a.attname, format_type(a.atttypid, a.atttypmod))
                              || CASE WHEN a.attcollation <> 0 AND a.attcollation <> (SELECT typcollation FROM pg_type WHERE oid = a.atttypid)
                                      THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END, E',\\n' ORDER BY a.attnum)
            FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped))
         WHEN 'd' THEN format('CREATE DOMAIN %I.%I AS %s', n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod))
           || CASE WHEN t.typcollation <> 0 AND t.typcollation <> (SELECT typcollation FROM pg_type WHERE oid = t.typbasetype) THEN ' COLLATE ' || t.typcollation::regcollation::text ELSE '' END
           || CASE WHEN t.typdefault IS NOT NULL THEN ' DEFAULT ' || t.typdefault ELSE '' END
           || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
           || COALESCE((SELECT string_agg(format(E'\\n\\tCONSTRAINT %I %s', c.conname, pg_get_constraintdef(c.oid)), '' ORDER BY c.conname)
                        FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '') || ';'
         WHEN 'r' THEN (SELECT format(E'CREATE TYPE %I.%I AS RANGE (\\n    subtype = %s%s\\n);', n.nspname, t.typname, format_type(r.rngsubtype, NULL),
                               CASE WHEN r.rngsubdiff <> 0 THEN format(E',\\n    subtype_diff = %s', r.rngsubdiff::regproc) ELSE '' END)
                        FROM pg_range r WHERE r.rngtypid = t.oid)
       END AS body,
       format('ALTER %s %I.%I OWNER TO %I;', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname, pg_get_userbyid(t.typowner)) AS owner,
       CASE WHEN d.description IS NOT NULL THEN format('COMMENT ON %s %I.%I IS %L;', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname, d.description) END AS comment
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
WHERE t.oid = $1`;

interface CatalogDdlRow {
  qualified: string;
  body: string | null;
  owner: string;
  comment: string | null;
}

async function catalogDdl(client: pg.Client, profile: Profile, oid: number, kind: ObjectKind): Promise<ObjectDdl> {
  const isFunction = catalogOf(kind) === 'function';
  const row = (await client.query<CatalogDdlRow>(isFunction ? FUNCTION_DDL_SQL : TYPE_DDL_SQL, [oid])).rows[0];
  if (!row) throw objectGone(profile, oid);
  const parts = [row.body ?? `-- ${kind} ${row.qualified}: no DDL could be written from the catalog`, row.owner, ...(row.comment ? [row.comment] : [])];
  const note = isFunction
    ? kind === 'aggregate'
      ? 'Written from pg_aggregate (pg_dump cannot dump one aggregate alone): its transition function, state type, initial value, final and combine functions; sort operators and ordered-set options are not shown.'
      : 'Written by the server’s pg_get_functiondef (pg_dump cannot dump one function alone), with its owner and comment as pg_dump adds them; grants are on the Grants tab.'
    : 'Written from the catalog (pg_type, format_type, pg_get_constraintdef) as pg_dump lays it out (pg_dump cannot dump one type alone), with its owner and comment; grants are on the Grants tab.';
  return { oid, kind, qualifiedName: row.qualified, ddl: `${parts.join('\n\n')}\n`, source: 'catalog', command: null, toolVersion: null, note };
}

type DdlDeps = Pick<CoreDeps, 'secrets' | 'tunnels' | 'store' | 'home'>;

export async function getObjectDdl(deps: DdlDeps, profile: Profile, password: string | undefined, oid: number, kind: ObjectKind): Promise<ObjectDdl> {
  if (catalogOf(kind) !== 'relation') return readCatalog(deps, profile, password, 'the definition', (client) => catalogDdl(client, profile, oid, kind));
  const target = await readCatalog(deps, profile, password, 'the relation', async (client) => {
    const row = (await client.query<{ schema: string; name: string; qualified: string; version: string; version_num: number }>(RELATION_NAME_SQL, [oid]))
      .rows[0];
    if (!row) throw objectGone(profile, oid);
    return row;
  });
  const serverMajor = Math.floor(num(target.version_num) / 10000);
  const dumped = await dumpRelationDdl(deps, profile, password, { schema: target.schema, name: target.name, serverVersion: target.version, serverMajor });
  return {
    oid,
    kind,
    qualifiedName: target.qualified,
    ddl: dumped.ddl,
    source: 'pg_dump',
    command: dumped.command,
    toolVersion: dumped.toolVersion,
    note: `pg_dump ${dumped.toolVersion} --schema-only for this one relation: its output as written, with indexes, constraints, triggers, policies, grants and comments.`,
  };
}
