// The checks Supabase's Security Advisor makes (supabase/splinter's lints, read for what each
// means; the SQL here is our own, from the catalog). Each answers N/A on a database that is not
// Supabase-shaped, except unindexed foreign keys, which apply everywhere. Each query returns
// the finding's columns directly: object names and fixes are built with format('%I'), so
// a name with quotes, spaces or any script comes out as SQL would write it.
import type pg from 'pg';
import { notPlatformSchemaSql } from '../../contract/platform-schemas';
import { judgeFindings, notApplicable, severityOf, type Finding } from './finding';
import { NOT_SUPABASE, type DatabaseShape } from './shape';
import type { StepCheckResult } from '../platform/kernel/step-checks';

export type SecurityCheck = (client: pg.ClientBase, shape: DatabaseShape) => Promise<StepCheckResult>;

/** Not a member of an extension (the extension's owner decides its objects, not the project). */
const NOT_EXTENSION_MEMBER = (oid: string, catalog: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

async function findings(client: pg.ClientBase, sql: string, params: unknown[]): Promise<Finding[]> {
  const { rows } = await client.query<{ object: string; finding: string; severity: string; fix: string | null }>(sql, params);
  return rows.map((r) => ({ object: r.object, finding: r.finding, severity: severityOf(r.severity), fix: r.fix }));
}

function supabaseOnly(check: (client: pg.ClientBase, shape: DatabaseShape) => Promise<StepCheckResult>): SecurityCheck {
  return (client, shape) => (shape.supabase ? check(client, shape) : Promise.resolve(notApplicable(NOT_SUPABASE)));
}

/** RLS off on a table the API serves: CRITICAL when anon/authenticated hold a privilege on it and it has rows. */
export const rlsDisabled: SecurityCheck = supabaseOnly(async (client, shape) => {
  const found = await findings(
    client,
    `SELECT format('%I.%I', n.nspname, c.relname) AS object,
            'row level security is off on a table the Data API serves' ||
              CASE WHEN api THEN ' (anon/authenticated hold privileges on it)' ELSE '' END ||
              CASE WHEN has_rows THEN ', and it has rows' ELSE '' END AS finding,
            CASE WHEN api AND has_rows THEN 'critical' ELSE 'warning' END AS severity,
            format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY;', n.nspname, c.relname) AS fix
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid,
       LATERAL (SELECT has_table_privilege('anon', c.oid, 'SELECT,INSERT,UPDATE,DELETE')
                    OR has_table_privilege('authenticated', c.oid, 'SELECT,INSERT,UPDATE,DELETE') AS api,
                       greatest(c.reltuples, coalesce(s.n_live_tup, 0)) > 0 AS has_rows) x
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND NOT c.relrowsecurity
        AND n.nspname = ANY ($1) AND ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}
      ORDER BY 1`,
    [shape.exposed],
  );
  return judgeFindings(
    found,
    'exposed tables without row level security',
    `Every table in the exposed schemas (${shape.exposed.join(', ')}) has row level security on.`,
  );
});

/** RLS on and no policy: nobody but the owner and BYPASSRLS roles reads it through the API (WARNING). */
export const rlsNoPolicy: SecurityCheck = supabaseOnly(async (client, shape) => {
  const found = await findings(
    client,
    `SELECT format('%I.%I', n.nspname, c.relname) AS object,
            'row level security is on but the table has no policy: the API returns nothing from it and accepts no write' AS finding,
            'warning' AS severity,
            format('CREATE POLICY %I ON %I.%I FOR SELECT TO authenticated USING (false); -- replace false with who may read', 'read ' || c.relname, n.nspname, c.relname) AS fix
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relrowsecurity
        AND n.nspname = ANY ($1) AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
      ORDER BY 1`,
    [shape.exposed],
  );
  return judgeFindings(found, 'tables with row level security and no policy', 'Every exposed table with row level security has a policy.');
});

/**
 * Permissive policies that let anon (or PUBLIC, which includes anon) INSERT, UPDATE or DELETE,
 * in the exposed schemas and storage (the Storage API serves storage.objects with the anon key).
 * CRITICAL when anon also holds the privilege the policy opens; WARNING when only a grant is missing.
 */
export const anonWritePolicies: SecurityCheck = supabaseOnly(async (client, shape) => {
  const found = await findings(
    client,
    `SELECT format('%I.%I policy %I', n.nspname, c.relname, p.polname) AS object,
            format('anon can %s through this policy (%s)', lower(w.privs), CASE WHEN 0 = ANY (p.polroles) THEN 'granted to PUBLIC' ELSE 'granted to anon' END) ||
              CASE WHEN has_table_privilege('anon', c.oid, w.privs) THEN '' ELSE '; anon lacks the table privilege today' END AS finding,
            CASE WHEN has_table_privilege('anon', c.oid, w.privs) THEN 'critical' ELSE 'warning' END AS severity,
            format('ALTER POLICY %I ON %I.%I TO authenticated;', p.polname, n.nspname, c.relname) AS fix
       FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace,
       LATERAL (SELECT CASE p.polcmd WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'INSERT,UPDATE,DELETE' END AS privs) w
      WHERE p.polpermissive AND p.polcmd IN ('a', 'w', 'd', '*')
        AND (0 = ANY (p.polroles) OR (SELECT oid FROM pg_roles WHERE rolname = 'anon') = ANY (p.polroles))
        AND (n.nspname = ANY ($1) OR n.nspname = 'storage')
      ORDER BY 1`,
    [shape.exposed],
  );
  return judgeFindings(found, 'policies that let anon write', 'No policy lets anon insert, update or delete.');
});

/**
 * Views in exposed schemas that run with their owner's rights (no security_invoker) when the
 * owner is a superuser or BYPASSRLS: they read past every RLS policy. CRITICAL when anon can
 * select from the view, WARNING when only authenticated can.
 */
export const viewsBypassRls: SecurityCheck = supabaseOnly(async (client, shape) => {
  const fix =
    shape.serverVersionNum >= 150000
      ? `format('ALTER VIEW %I.%I SET (security_invoker = true);', n.nspname, c.relname)`
      : `format('REVOKE SELECT ON %I.%I FROM anon, authenticated; -- PostgreSQL < 15 has no security_invoker', n.nspname, c.relname)`;
  const found = await findings(
    client,
    `SELECT format('%I.%I', n.nspname, c.relname) AS object,
            format('the view runs as its owner %I (%s), bypassing row level security, and %s can read it',
                   r.rolname, CASE WHEN r.rolsuper THEN 'superuser' ELSE 'BYPASSRLS' END,
                   CASE WHEN has_table_privilege('anon', c.oid, 'SELECT') THEN 'anon' ELSE 'authenticated' END) AS finding,
            CASE WHEN has_table_privilege('anon', c.oid, 'SELECT') THEN 'critical' ELSE 'warning' END AS severity,
            ${fix} AS fix
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_roles r ON r.oid = c.relowner
      WHERE c.relkind = 'v' AND n.nspname = ANY ($1) AND (r.rolsuper OR r.rolbypassrls)
        AND NOT coalesce(c.reloptions && ARRAY['security_invoker=true', 'security_invoker=on', 'security_invoker=1'], false)
        AND (has_table_privilege('anon', c.oid, 'SELECT') OR has_table_privilege('authenticated', c.oid, 'SELECT'))
        AND ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}
      ORDER BY 1`,
    [shape.exposed],
  );
  return judgeFindings(found, 'views that bypass row level security', 'No exposed view runs with a privileged owner’s rights.');
});

const FUNCTION_NAME = `format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))`;
const ROUTINE = `CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END`;

/** Functions of the project (not the platform's, not an extension's) without a fixed search_path (WARNING). */
export const functionSearchPath: SecurityCheck = supabaseOnly(async (client) => {
  const found = await findings(
    client,
    `SELECT ${FUNCTION_NAME} AS object,
            'the function has no search_path of its own: it resolves names by the caller''s search_path' AS finding,
            'warning' AS severity,
            format('ALTER %s %I.%I(%s) SET search_path = '''';', ${ROUTINE}, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS fix
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
      WHERE p.prokind IN ('f', 'p') AND l.lanname NOT IN ('internal', 'c')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' AND ${notPlatformSchemaSql('n.nspname')}
        AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) AS cfg WHERE cfg LIKE 'search\\_path=%')
        AND ${NOT_EXTENSION_MEMBER('p.oid', 'pg_proc')}
      ORDER BY 1`,
    [],
  );
  return judgeFindings(found, 'functions with a mutable search_path', 'Every function of the project sets its own search_path.');
});

/** SECURITY DEFINER functions the API can call: CRITICAL when anon can execute, WARNING when authenticated can. */
export const definerFunctionsExposed: SecurityCheck = supabaseOnly(async (client, shape) => {
  const found = await findings(
    client,
    `SELECT ${FUNCTION_NAME} AS object,
            format('SECURITY DEFINER (runs as %I) in an exposed schema, callable through the API by %s', r.rolname,
                   CASE WHEN has_function_privilege('anon', p.oid, 'EXECUTE') THEN 'anon' ELSE 'authenticated' END) AS finding,
            CASE WHEN has_function_privilege('anon', p.oid, 'EXECUTE') THEN 'critical' ELSE 'warning' END AS severity,
            format('REVOKE EXECUTE ON %s %I.%I(%s) FROM PUBLIC, anon, authenticated;', ${ROUTINE}, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS fix
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_roles r ON r.oid = p.proowner
      WHERE p.prosecdef AND n.nspname = ANY ($1)
        AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
        AND (has_function_privilege('anon', p.oid, 'EXECUTE') OR has_function_privilege('authenticated', p.oid, 'EXECUTE'))
        AND ${NOT_EXTENSION_MEMBER('p.oid', 'pg_proc')}
      ORDER BY 1`,
    [shape.exposed],
  );
  return judgeFindings(
    found,
    'SECURITY DEFINER functions the API can call',
    'No SECURITY DEFINER function in an exposed schema is callable by anon or authenticated.',
  );
});

/** Extensions installed in public: their functions and types are served by the API as the project's own (WARNING). */
export const extensionsInPublic: SecurityCheck = supabaseOnly(async (client) => {
  const found = await findings(
    client,
    `SELECT format('%I', e.extname) AS object,
            'the extension is installed in public, an exposed schema' AS finding,
            'warning' AS severity,
            CASE WHEN e.extrelocatable THEN format('ALTER EXTENSION %I SET SCHEMA extensions;', e.extname)
                 ELSE format('-- %I cannot be moved: DROP EXTENSION %I; CREATE EXTENSION %I WITH SCHEMA extensions; (drops what depends on it)', e.extname, e.extname, e.extname) END AS fix
       FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
      WHERE n.nspname = 'public'
      ORDER BY 1`,
    [],
  );
  return judgeFindings(found, 'extensions in public', 'No extension is installed in public.');
});

/**
 * Foreign keys whose referencing columns lead no index: each delete or key update on the
 * referenced table scans the referencing one (and locks for longer). Everywhere; on Supabase
 * the platform's schemas are left out (the project does not own them). WARNING.
 */
export const unindexedForeignKeys: SecurityCheck = async (client, shape) => {
  const found = await findings(
    client,
    `SELECT format('%I.%I constraint %I', n.nspname, c.relname, con.conname) AS object,
            format('no index leads with the foreign key''s columns (%s)', cols.list) AS finding,
            'warning' AS severity,
            format('CREATE INDEX CONCURRENTLY ON %I.%I (%s);', n.nspname, c.relname, cols.list) AS fix
       FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace,
       LATERAL (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord) AS list
                  FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) cols
      WHERE con.contype = 'f' AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        AND (NOT $1 OR ${notPlatformSchemaSql('n.nspname')})
        AND ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}
        AND NOT EXISTS (
          SELECT 1 FROM pg_index i
           WHERE i.indrelid = con.conrelid AND i.indpred IS NULL
             AND i.indnkeyatts >= cardinality(con.conkey)
             AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] @> con.conkey)
      ORDER BY 1`,
    [shape.supabase],
  );
  return judgeFindings(found, 'foreign keys without a covering index', 'Every foreign key has an index on its referencing columns.');
};
