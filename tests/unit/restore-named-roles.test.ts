// The roles a dump's statements name, read by PostgreSQL's parser (restore/named-roles.ts),
// and the hint a restore that failed on a missing role ends with (restore-process.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { PlainScanner } from '../../src-main/core/restore/dump-reader';
import { loadRoleParser, namedRolesOfScript, rolesInStatement } from '../../src-main/core/restore/named-roles';
import { missingRoleHint, RestoreStderr } from '../../src-main/core/restore/restore-process';

beforeAll(async () => {
  await loadRoleParser();
});

describe('rolesInStatement', () => {
  it('reads grantees, grantors, policies, default privileges and memberships; never PUBLIC or pg_*', () => {
    expect(rolesInStatement('GRANT SELECT ON TABLE public.t TO authenticated, "Mixed Case", PUBLIC, pg_monitor;')).toEqual(['authenticated', 'Mixed Case']);
    expect(rolesInStatement('REVOKE ALL ON SCHEMA s FROM anon GRANTED BY boss;').sort()).toEqual(['anon', 'boss']);
    expect(rolesInStatement('CREATE POLICY p ON public.t FOR SELECT TO anon, authenticated USING (true);')).toEqual(['anon', 'authenticated']);
    expect(rolesInStatement('ALTER POLICY p ON public.t TO service_role;')).toEqual(['service_role']);
    expect(rolesInStatement('ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON TABLES TO service_role;').sort()).toEqual([
      'service_role',
      'supabase_admin',
    ]);
    expect(rolesInStatement('GRANT authenticator TO app_user GRANTED BY admin;').sort()).toEqual(['admin', 'app_user', 'authenticator']);
    expect(rolesInStatement('GRANT SELECT ON t TO CURRENT_USER;')).toEqual([]);
    expect(rolesInStatement('GRANT not valid sql')).toEqual([]);
  });
});

describe("statements cut out by psql's lexer", () => {
  it('keeps GRANT/POLICY statements only, and a semicolon in a quote or a dollar quote never splits one', () => {
    const script = [
      '--',
      '-- Name: f(); Type: FUNCTION; Schema: public; Owner: postgres',
      '--',
      "CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $$ SELECT 'x'; GRANT SELECT ON t TO hidden_a; $$;",
      "COMMENT ON TABLE t IS 'GRANT SELECT ON t TO hidden_b;';",
      'CREATE POLICY p ON public.t',
      '  TO reader',
      "  USING ((a <> 'y; GRANT ALL ON t TO hidden_c'::text));",
      'GRANT SELECT ON TABLE public.t TO writer; GRANT SELECT ON TABLE public.t TO "Other";',
      '\\unrestrict KEY GRANT SELECT ON t TO hidden_d;',
    ].join('\n');
    expect(namedRolesOfScript(script)).toEqual(['Other', 'reader', 'writer']);
  });

  it('a plain scan skips COPY data', () => {
    const scanner = new PlainScanner();
    for (const line of ['COPY public.t (a) FROM stdin;', 'GRANT SELECT ON t TO in_data;', '\\.', 'GRANT SELECT ON public.t TO real_one;']) scanner.line(line);
    expect(scanner.result().namedRoles).toEqual(['real_one']);
  });
});

describe('a restore that failed on a missing role', () => {
  it("names the roles from the server's 42704 lines, with the fix for each tool", () => {
    const stderr = new RestoreStderr();
    stderr.add('pg_restore: error: could not execute query: ERROR:  role "authenticated" does not exist', 'problem');
    stderr.add('psql:<stdin>:12: ERROR:  42704: role "Say ""hi""" does not exist', 'problem');
    stderr.add('pg_restore: error: could not execute query: ERROR:  relation "x" does not exist', 'problem');
    expect(stderr.missingRoles()).toEqual(['authenticated', 'Say "hi"']);
    const hint = missingRoleHint(['authenticated'], 'pg_restore');
    expect(hint).toContain('CREATE ROLE "authenticated" NOLOGIN;');
    expect(hint).toContain('--no-owner/--no-privileges');
    expect(missingRoleHint(['a', 'b'], 'psql')).toContain('CREATE ROLE "a" NOLOGIN; CREATE ROLE "b" NOLOGIN;');
  });
});
