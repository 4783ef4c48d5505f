// Issue #14 §4, without a server: where the inspect step finds psql meta-commands in a plain
// script (psql's lexing rules: quotes, comments, dollar quotes, COPY data), pg_dump's own
// \restrict/\unrestrict pair accepted, the plan's reason, which psql versions can lock
// meta-commands out, and the feed's \unrestrict guard across chunk boundaries.
import { describe, expect, it } from 'vitest';
import { PlainScanner } from '../../src-main/core/restore/dump-reader';
import { metaCommandReason, psqlCanRestrict } from '../../src-main/core/restore/meta-commands';
import { UnrestrictGuard } from '../../src-main/core/restore/script-feed';

function scan(lines: string[]): { total: number; lines: Array<{ line: number; text: string }>; rows: Record<string, number> } {
  const scanner = new PlainScanner();
  for (const l of lines) scanner.line(l);
  const r = scanner.result();
  return { ...r.metaCommands, rows: Object.fromEntries(r.rows) };
}

const HEAD = ['--', '-- PostgreSQL database dump', '--', '', '\\restrict K3y', '', 'SET standard_conforming_strings = on;'];
const TAIL = ['', '--', '-- PostgreSQL database dump complete', '--', '', '\\unrestrict K3y', ''];

describe('meta-command lines in a plain script', () => {
  it('lists every line psql would run a meta-command on, with its number', () => {
    const body = [
      'CREATE TABLE public.t (a text);',
      '\\! id > pwned.txt',
      '\\o /tmp/out.txt',
      "\\copy (SELECT 1) TO '/tmp/copy.txt'",
      '\\set x `id`',
      'SELECT 1; \\! id',
      'SELECT 2 \\g /tmp/g.txt',
      '\\unrestrict guessed',
      '  \\connect other',
      'SELECT 1 \\; SELECT 2;',
    ];
    const result = scan([...HEAD, ...body, ...TAIL]);
    expect(result.lines.map((l) => l.line)).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(result.lines[0]).toEqual({ line: 9, text: '\\! id > pwned.txt' });
    expect(result.total).toBe(9);
  });

  it('accepts pg_dump output: its own pair, backslashes in COPY data, strings, comments, dollar quotes', () => {
    const body = [
      'CREATE FUNCTION public.f(x text) RETURNS text',
      '    LANGUAGE sql',
      "    AS $$ SELECT regexp_replace(x, '\\s+', ' ') $$;",
      "COMMENT ON TABLE public.t IS 'C:\\temp\\';",
      "SELECT E'a\\' \\! still a string';",
      'SELECT 1 AS "\\! ident";',
      '/* \\! in a comment',
      '   \\! still in it */',
      '-- \\! a line comment',
      'CREATE FUNCTION public.g() RETURNS text LANGUAGE plpgsql AS $body$',
      'BEGIN',
      "  RETURN '\\o';  -- $notit$",
      '\\! inside the body',
      'END $body$;',
      'COPY public.t (a, b) FROM stdin;',
      '\\N\t1',
      '\\\\! id > pwnedx.txt\t2',
      '\\\\.\t3',
      '\\t tab\t5',
      '\\\\unrestrict abc\t7',
      '\\.',
    ];
    const result = scan([...HEAD, ...body, ...TAIL]);
    expect(result.lines).toEqual([]);
    expect(result.total).toBe(0);
    expect(result.rows).toEqual({ 'public.t': 5 });
  });

  it('does not let a COPY line inside a dollar quote hide what follows', () => {
    const result = scan([...HEAD, 'SELECT $$', 'COPY public.t (a) FROM stdin;', '$$;', '\\! id', '\\.', ...TAIL]);
    expect(result.lines.map((l) => l.text)).toEqual(['\\! id', '\\.']);
  });

  it('follows psql into COPY data only where the statement really ends (lower case, several lines, BEGIN ATOMIC)', () => {
    const multi = scan([...HEAD, 'copy public.t (a)', 'from stdin;', '\\N', '\\.', ...TAIL]);
    expect(multi.total).toBe(0);
    const atomic = scan([
      ...HEAD,
      'CREATE FUNCTION public.h() RETURNS int LANGUAGE sql BEGIN ATOMIC',
      '  SELECT 1;',
      '  COPY public.t FROM stdin;',
      'END;',
      '\\! id',
      ...TAIL,
    ]);
    expect(atomic.lines.map((l) => l.text)).toEqual(['\\! id']);
  });

  it('counts a pair that is not first and last, a second pair and \\connect (pg_dump --create)', () => {
    const created = scan([
      ...HEAD,
      '\\unrestrict K3y',
      "CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8';",
      '\\connect shop',
      '\\restrict K3y',
      'SELECT 1;',
      ...TAIL,
    ]);
    expect(created.lines.map((l) => l.text)).toEqual(['\\unrestrict K3y', '\\connect shop', '\\restrict K3y']);
    const late = scan([...HEAD, 'SELECT 1;', '\\unrestrict K3y', '\\! id', 'SELECT 2;']);
    expect(late.lines.map((l) => l.text)).toEqual(['\\restrict K3y', '\\unrestrict K3y', '\\! id']);
    const wrongKey = scan([...HEAD, 'SELECT 1;', '', '\\unrestrict Other']);
    expect(wrongKey.lines.map((l) => l.text)).toEqual(['\\restrict K3y', '\\unrestrict Other']);
  });

  it('clips long lines and keeps the first 100 of many', () => {
    const many = scan([...HEAD, ...Array.from({ length: 150 }, (_, i) => `\\echo ${'x'.repeat(i === 0 ? 500 : 3)}`), ...TAIL]);
    expect(many.total).toBe(150);
    expect(many.lines).toHaveLength(100);
    expect(many.lines[0]!.text.length).toBeLessThanOrEqual(160);
    expect(many.lines[0]!.text.endsWith('…')).toBe(true);
  });
});

describe('the plan reason', () => {
  it('names the first lines, what meta-commands do, and the refusal', () => {
    const reason = metaCommandReason({
      total: 5,
      lines: [
        { line: 12, text: '\\! id > pwned.txt' },
        { line: 13, text: '\\o out' },
        { line: 14, text: '\\w f' },
        { line: 15, text: '\\i f' },
      ],
    });
    expect(reason).toMatch(/^line 12: \\! id > pwned\.txt; line 13: \\o out; line 14: \\w f \(and 2 more\) — psql meta-commands run programs/);
    expect(reason).toMatch(/this script is refused\.$/);
    expect(metaCommandReason({ total: 1, lines: [{ line: 3, text: '\\connect shop' }] })).toMatch(/pg_dump --create/);
  });
});

describe('psql versions that know \\restrict', () => {
  it('are the August 2025 minors and later', () => {
    for (const v of ['psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)', '13.22', '14.19', '15.14', '16.10', '17.6', '18.0', '19devel'])
      expect(psqlCanRestrict(v), v).toBe(true);
    for (const v of ['psql (PostgreSQL) 15.13', '13.21', '14.18', '16.9', '17.5', '12.22', '9.6.24']) expect(psqlCanRestrict(v), v).toBe(false);
  });
});

describe('the feed guard against \\unrestrict', () => {
  const check = (chunks: string[]): boolean => {
    const guard = new UnrestrictGuard();
    return chunks.some((c) => guard.check(Buffer.from(c, 'latin1')));
  };

  it('stops at an \\unrestrict psql could run, also cut by a chunk boundary', () => {
    expect(check(['SELECT 1;\n\\unrestrict `id`\n'])).toBe(true);
    expect(check(['SELECT 1; \\unre', 'strict x\n'])).toBe(true);
    expect(check(['x'.repeat(1000) + '\\\\\\', 'unrestrict x\n'])).toBe(true);
  });

  it('lets COPY data with an escaped backslash through', () => {
    expect(check(['COPY t FROM stdin;\n\\\\unrestrict abc\t7\n\\.\n'])).toBe(false);
    expect(check(['x'.repeat(1000) + '\\', '\\unrestrict abc\n'])).toBe(false);
  });
});
