// The roles a GRANT line names (core/backup/role-grants.ts), as the restore's roles warning
// reads them from a plain script: grantees and the GRANTED BY grantor, never the clause
// itself taken for a role's name.
import { describe, expect, it } from 'vitest';
import { grantLineRoles } from '../../src-main/core/backup/role-grants';
import { PlainScanner } from '../../src-main/core/restore/dump-reader';

describe('grantLineRoles', () => {
  it.each([
    // pg_dumpall --roles-only, PostgreSQL 16 and later: quoted, options, then the grantor.
    ['GRANT "pg_monitor" TO "ops" WITH INHERIT TRUE GRANTED BY "postgres";', ['ops'], 'postgres'],
    ['GRANT "app" TO "Odd ""Role""" WITH ADMIN OPTION, INHERIT FALSE, SET TRUE GRANTED BY "supabase_admin";', ['Odd "Role"'], 'supabase_admin'],
    // Before 16: bare names.
    ['GRANT pg_read_all_stats TO ops GRANTED BY postgres;', ['ops'], 'postgres'],
    ['GRANT staff TO alice, "Bob" WITH ADMIN OPTION GRANTED BY admin;', ['alice', 'Bob'], 'admin'],
    // pg_dump's privileges: no grantor; PUBLIC is nobody to create.
    ['GRANT SELECT ON TABLE public.orders TO anon, authenticated;', ['anon', 'authenticated'], null],
    ['GRANT ALL ON FUNCTION public.f(a integer, b text) TO service_role WITH GRANT OPTION;', ['service_role'], null],
    ['GRANT USAGE ON SCHEMA public TO PUBLIC;', [], null],
    // A quoted "TO" is a name, not the keyword.
    ['GRANT SELECT ON TABLE public."TO" TO reporting;', ['reporting'], null],
    ['GRANT SELECT ON TABLE public.t TO GROUP staff;', ['staff'], null],
  ])('%s', (line, grantees, grantor) => {
    expect(grantLineRoles(line)).toEqual({ grantees, grantor });
  });

  it('ignores what is not one complete GRANT statement', () => {
    expect(grantLineRoles('GRANT SELECT ON TABLE public.t')).toBeNull();
    expect(grantLineRoles('REVOKE ALL ON SCHEMA public FROM PUBLIC;')).toBeNull();
  });
});

describe('the plain-script scan', () => {
  it('lists grantees and grantors of a roles dump, never "x GRANTED BY y"', () => {
    const scanner = new PlainScanner();
    for (const line of [
      '--',
      '-- PostgreSQL database cluster dump',
      '--',
      'CREATE ROLE "ops";',
      'GRANT "pg_monitor" TO "ops" WITH INHERIT TRUE GRANTED BY "postgres";',
      'GRANT reporting TO analyst GRANTED BY admin;',
    ])
      scanner.line(line);
    expect(scanner.result().grantees.sort()).toEqual(['admin', 'analyst', 'ops', 'postgres']);
  });
});
