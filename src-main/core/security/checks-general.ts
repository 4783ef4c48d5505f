// The security checks that apply to every PostgreSQL: who holds superuser, BYPASSRLS or
// CREATEROLE beyond the expected set, login roles' password expiry and hash method,
// privileges granted to PUBLIC, and the settings a role can read. Roles are cluster-wide:
// the findings are the same from every database of the server.
import type pg from 'pg';
import { notPlatformSchemaSql } from '../../contract/platform-schemas';
import { judgeFindings, severityOf, unknown, type Finding } from './finding';
import { SUPABASE_PLATFORM_ROLES, type DatabaseShape } from './shape';
import type { SecurityCheck } from './checks-supabase';

async function findings(client: pg.ClientBase, sql: string, params: unknown[]): Promise<Finding[]> {
  const { rows } = await client.query<{ object: string; finding: string; severity: string; fix: string | null }>(sql, params);
  return rows.map((r) => ({ object: r.object, finding: r.finding, severity: severityOf(r.severity), fix: r.fix }));
}

/** The roles expected to hold these attributes: the bootstrap superuser; on Supabase the platform's roles too. */
function expectedRoles(shape: DatabaseShape): string[] {
  return shape.supabase ? [...SUPABASE_PLATFORM_ROLES] : [];
}

/** Superuser beyond the expected set is CRITICAL; BYPASSRLS or CREATEROLE beyond it, WARNING. */
export const privilegedRoles: SecurityCheck = async (client, shape) => {
  const found = await findings(
    client,
    `SELECT format('%I', r.rolname) AS object,
            'holds ' || array_to_string(attrs.held, ', ') || CASE WHEN r.rolcanlogin THEN ' and can log in' ELSE '' END AS finding,
            CASE WHEN r.rolsuper THEN 'critical' ELSE 'warning' END AS severity,
            format('ALTER ROLE %I %s;', r.rolname, array_to_string(attrs.revoke, ' ')) AS fix
       FROM pg_roles r,
       LATERAL (SELECT array_remove(ARRAY[CASE WHEN r.rolsuper THEN 'SUPERUSER' END, CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END,
                                          CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END], NULL) AS held,
                       array_remove(ARRAY[CASE WHEN r.rolsuper THEN 'NOSUPERUSER' END, CASE WHEN r.rolbypassrls THEN 'NOBYPASSRLS' END,
                                          CASE WHEN r.rolcreaterole THEN 'NOCREATEROLE' END], NULL) AS revoke) attrs
      WHERE (r.rolsuper OR r.rolbypassrls OR r.rolcreaterole)
        AND r.oid <> 10 AND r.rolname NOT LIKE 'pg\\_%' AND r.rolname <> ALL ($1)
      ORDER BY 1`,
    [expectedRoles(shape)],
  );
  return judgeFindings(found, 'roles with privileges beyond the expected set', 'Only the expected roles hold SUPERUSER, BYPASSRLS or CREATEROLE.');
};

/** Login roles (other than the expected ones) whose password never expires (WARNING). */
export const passwordExpiry: SecurityCheck = async (client, shape) => {
  const found = await findings(
    client,
    `SELECT format('%I', r.rolname) AS object,
            'can log in and its password never expires (no VALID UNTIL)' AS finding,
            'warning' AS severity,
            format('ALTER ROLE %I VALID UNTIL %L;', r.rolname, (now() + interval '1 year')::date::text) AS fix
       FROM pg_roles r
      WHERE r.rolcanlogin AND r.rolvaliduntil IS NULL AND r.oid <> 10 AND r.rolname NOT LIKE 'pg\\_%' AND r.rolname <> ALL ($1)
      ORDER BY 1`,
    [expectedRoles(shape)],
  );
  return judgeFindings(found, 'login roles without a password expiry', 'Every login role of the project has a password expiry.');
};

/** Login roles whose stored password is an md5 hash, not SCRAM (WARNING). Needs pg_authid: UNKNOWN without it. */
export const passwordHashes: SecurityCheck = async (client, shape) => {
  const { rows } = await client.query<{ readable: boolean }>(`SELECT has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS readable`);
  if (!rows[0]!.readable) {
    return unknown(
      `Not checked: password hashes are in pg_authid, which only a superuser can read, and ${shape.user} is not one. Run this audit with a superuser profile to check them.`,
    );
  }
  const found = await findings(
    client,
    `SELECT format('%I', a.rolname) AS object,
            'its password is stored as an md5 hash (SCRAM-SHA-256 is available)' AS finding,
            'warning' AS severity,
            format('SET password_encryption = ''scram-sha-256''; ALTER ROLE %I PASSWORD ''new password here'';', a.rolname) AS fix
       FROM pg_authid a
      WHERE a.rolcanlogin AND a.rolpassword LIKE 'md5%'
      ORDER BY 1`,
    [],
  );
  return judgeFindings(found, 'login roles with md5 passwords', 'No login role has an md5 password hash.');
};

/**
 * What PUBLIC (every role, present and future) may do: CREATE on a schema (anyone can plant a
 * function or table that shadows another), EXECUTE on a SECURITY DEFINER function (anyone runs
 * it as its owner). Platform schemas on Supabase are left out. WARNING.
 */
export const publicPrivileges: SecurityCheck = async (client, shape) => {
  const found = await findings(
    client,
    `SELECT format('schema %I', n.nspname) AS object,
            'PUBLIC may CREATE objects in the schema' AS finding,
            'warning' AS severity,
            format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC;', n.nspname) AS fix
       FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) acl
      WHERE acl.grantee = 0 AND acl.privilege_type = 'CREATE' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
     UNION ALL
     SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
            format('SECURITY DEFINER (runs as %I) and PUBLIC may execute it', pg_get_userbyid(p.proowner)),
            'warning',
            format('REVOKE EXECUTE ON %s %I.%I(%s) FROM PUBLIC;', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                   n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) acl
      WHERE p.prosecdef AND acl.grantee = 0 AND acl.privilege_type = 'EXECUTE'
        AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
        AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
        AND (NOT $1 OR ${notPlatformSchemaSql('n.nspname')})
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
      ORDER BY 1`,
    [shape.supabase],
  );
  return judgeFindings(found, 'privileges granted to PUBLIC', 'PUBLIC may not create in any schema nor run a SECURITY DEFINER function.');
};

/** ssl off, or new passwords hashed with md5 (WARNING). */
export const insecureSettings: SecurityCheck = async (client) => {
  const found = await findings(
    client,
    `SELECT 'setting ssl' AS object, 'ssl is off: passwords and data cross the network in clear text' AS finding, 'warning' AS severity,
            '-- set ssl_cert_file and ssl_key_file first, then: ALTER SYSTEM SET ssl = on; SELECT pg_reload_conf();' AS fix
      WHERE current_setting('ssl') = 'off'
     UNION ALL
     SELECT 'setting password_encryption', 'new passwords are hashed with md5', 'warning',
            'ALTER SYSTEM SET password_encryption = ''scram-sha-256''; SELECT pg_reload_conf();'
      WHERE current_setting('password_encryption') = 'md5'`,
    [],
  );
  return judgeFindings(found, 'insecure settings', 'ssl is on and passwords are hashed with SCRAM-SHA-256.');
};
