// The server log's pure parts: log_line_prefix read into a regex (the default, a rich one with
// %q, padding), entries grouped with their DETAIL/STATEMENT lines and byte offsets that survive
// a chunk cut inside a multibyte character, csvlog and jsonlog records, the filters, and what
// the explanation says for each reason the log cannot be read.
import { describe, expect, it } from 'vitest';
import { levelsFrom } from '../../src-main/contract/serverlog';
import { unavailability, type LogAccessRow } from '../../src-main/core/serverlog/access';
import { entryMatches, groupLines, parseCsvRecord, splitLines } from '../../src-main/core/serverlog/parse';
import { parseStderrLine, prefixRegex } from '../../src-main/core/serverlog/prefix';

describe('log_line_prefix', () => {
  it('reads the default prefix', () => {
    const line = parseStderrLine('2026-12-06 17:34:54.123 UTC [4242] ERROR:  division by zero', prefixRegex('%m [%p] '));
    expect(line).toMatchObject({ time: '2026-12-06 17:34:54.123 UTC', pid: 4242, level: 'ERROR', message: 'division by zero' });
  });

  it('reads user, database, application and SQLSTATE, with %q leaving them out for background processes', () => {
    const re = prefixRegex('%t [%p]: [%l-1] %q%u@%d app=%a %e ');
    expect(parseStderrLine('2026-12-06 17:34:54 CET [77]: [3-1] alice@shop app=psql 22012 ERROR:  division by zero', re)).toMatchObject({
      time: '2026-12-06 17:34:54 CET',
      pid: 77,
      user: 'alice',
      database: 'shop',
      application: 'psql',
      sqlstate: '22012',
      level: 'ERROR',
    });
    expect(parseStderrLine('2026-12-06 17:34:54 CET [78]: [1-1] LOG:  checkpoint starting: time', re)).toMatchObject({ pid: 78, user: null, level: 'LOG' });
  });

  it('pads and still finds the level; a line of another prefix falls back to its level; a statement line is none', () => {
    expect(parseStderrLine('12  postgres LOG:  x', prefixRegex('%-4p%10u '))).toMatchObject({ pid: 12, user: 'postgres', level: 'LOG' });
    expect(parseStderrLine('2026-12-06 17:34:54.1 UTC [9] WARNING:  w', prefixRegex('%n|'))).toMatchObject({
      level: 'WARNING',
      pid: 9,
      time: '2026-12-06 17:34:54.1 UTC',
    });
    expect(parseStderrLine('\tFROM orders', prefixRegex('%m [%p] '))).toBeNull();
  });
});

describe('entries from bytes', () => {
  const text = [
    '2026-12-06 10:00:00.000 UTC [1] LOG:  database system is ready',
    '2026-12-06 10:00:01.000 UTC [2] ERROR:  relation "nope" does not exist at character 15',
    '2026-12-06 10:00:01.000 UTC [2] STATEMENT:  SELECT * FROM nope',
    '\tWHERE ünïcode = 1',
    '2026-12-06 10:00:02.000 UTC [3] FATAL:  password authentication failed for user "x"',
    '2026-12-06 10:00:03.000 UTC [4] LOG:  partial line being writ',
  ].join('\n');
  const buf = Buffer.from(text, 'utf8');

  it('groups continuation lines into their entry, keeps byte offsets, and leaves an unfinished last line for later', () => {
    const { lines, end } = splitLines(buf, 0);
    const { entries, orphans } = groupLines(lines, 'stderr', prefixRegex('%m [%p] '));
    expect(orphans).toEqual([]);
    expect(entries.map((e) => e.level)).toEqual(['LOG', 'ERROR', 'FATAL']);
    expect(entries[1]!.extra).toEqual(['STATEMENT:  SELECT * FROM nope', '\tWHERE ünïcode = 1']);
    for (const e of entries) expect(buf.toString('utf8', e.offset, e.offset + 10)).toBe('2026-12-06');
    expect(end).toBe(buf.lastIndexOf(0x0a) + 1);
    expect(splitLines(buf, 0, true).lines).toHaveLength(6);
  });

  it('a chunk starting mid-file drops its partial first line and returns lines before the first entry as orphans', () => {
    const cut = buf.indexOf('ünïcode') + 1; // inside the two-byte ü
    const { lines } = splitLines(buf.subarray(cut), cut);
    const { entries, orphans } = groupLines(lines, 'stderr', prefixRegex('%m [%p] '));
    expect(orphans).toEqual([]);
    expect(entries[0]!.level).toBe('FATAL');
    const mid = buf.indexOf('STATEMENT') - 5;
    const g = groupLines(splitLines(buf.subarray(mid), mid).lines, 'stderr', prefixRegex('%m [%p] '));
    expect(g.orphans.map((o) => o.text)).toEqual(['\tWHERE ünïcode = 1']);
  });

  it('reads csvlog records with quoted newlines and jsonlog lines', () => {
    const csv = Buffer.from(
      '2026-12-06 10:00:01.000 UTC,"alice","shop",42,"127.0.0.1:5000",abc.1,1,"SELECT",2026-12-06 10:00:00 UTC,3/4,0,ERROR,22012,"division by zero",,,,,,"SELECT 1/0\nFROM x",,,"psql","client backend",,0\n',
    );
    const [entry] = groupLines(splitLines(csv, 0).lines, 'csvlog', /$^/).entries;
    expect(entry).toMatchObject({
      level: 'ERROR',
      pid: 42,
      user: 'alice',
      database: 'shop',
      sqlstate: '22012',
      message: 'division by zero',
      application: 'psql',
    });
    expect(entry!.extra).toEqual(['STATEMENT:  SELECT 1/0\nFROM x']);
    expect(parseCsvRecord('a,"b,""c""",,d')).toEqual(['a', 'b,"c"', '', 'd']);
    const json = Buffer.from('{"timestamp":"2026-12-06 10:00:01.000 UTC","user":"bob","pid":7,"error_severity":"WARNING","message":"careful","detail":"d"}\n');
    expect(groupLines(splitLines(json, 0).lines, 'jsonlog', /$^/).entries[0]).toMatchObject({
      level: 'WARNING',
      pid: 7,
      user: 'bob',
      message: 'careful',
      extra: ['DETAIL:  d'],
    });
  });

  it('filters by level and searches the whole entry, case-insensitively', () => {
    const { entries } = groupLines(splitLines(buf, 0).lines, 'stderr', prefixRegex('%m [%p] '));
    const levels = new Set(levelsFrom('ERROR'));
    expect(entries.filter((e) => entryMatches(e, levels, null)).map((e) => e.level)).toEqual(['ERROR', 'FATAL']);
    expect(entries.filter((e) => entryMatches(e, null, 'from NOPE')).map((e) => e.pid)).toEqual([2]);
    expect(entries.filter((e) => entryMatches(e, new Set(['LOG']), 'password'))).toEqual([]);
  });
});

describe('why the log cannot be read', () => {
  const row: LogAccessRow = {
    role: 'watcher',
    superuser: false,
    logging_collector: 'on',
    log_destination: 'stderr',
    log_directory: 'log',
    log_line_prefix: '%m [%p] ',
    data_directory: '/var/lib/postgresql/data',
    can_list: true,
    can_read: true,
    can_current: true,
    server_files: false,
    supabase: false,
  };
  const local = { name: 'p', host: '127.0.0.1' };

  it('is readable with the privileges, and names what is missing otherwise', () => {
    expect(unavailability(row, local)).toBeNull();
    expect(unavailability({ ...row, logging_collector: 'off' }, local)).toMatchObject({
      reason: 'not-collected',
      fixSql: expect.stringMatching(/^ALTER SYSTEM SET logging_collector = on;/),
    });
    expect(unavailability({ ...row, log_destination: 'syslog' }, local)).toMatchObject({
      reason: 'no-file-destination',
      fixSql: expect.stringContaining("'stderr,syslog'"),
    });
    const denied = unavailability({ ...row, can_read: false, can_list: false, can_current: false, log_directory: null }, local);
    expect(denied?.reason).toBe('no-privilege');
    expect(denied?.fixSql).toBe(
      'GRANT pg_monitor TO "watcher";  -- pg_ls_logdir() and the log settings\nGRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text, bigint, bigint) TO "watcher";',
    );
    expect(unavailability({ ...row, log_directory: '/var/log/postgresql' }, local)?.fixSql).toBe(
      'GRANT pg_read_server_files TO "watcher";  -- log_directory is outside the data directory',
    );
  });

  it('on Supabase points at the Logs Explorer of the project', () => {
    const s = unavailability(row, { name: 'prod', host: 'db.abcdefgh.supabase.co' });
    expect(s).toMatchObject({ reason: 'supabase', link: 'https://supabase.com/dashboard/project/abcdefgh/logs/postgres-logs' });
    expect(unavailability({ ...row, supabase: true }, local)?.reason).toBe('supabase');
  });
});
