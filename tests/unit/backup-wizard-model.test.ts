// The Backups screen's rules: runbook defaults, what blocks each wizard step, the options
// sent to the core (pg_dumpall takes no filters; parallel jobs only with directories), and
// how versions, sizes, progress and tools read on screen.
import { describe, expect, it } from 'vitest';
import { SUPABASE_DUMP_EXCLUDED_SCHEMAS, type BackupProgressEvent, type ClientTool } from '../../src-main/contract/backup';
import { backupOptionsSchema } from '../../src-main/contract/backup';
import {
  ALL_PROFILES,
  canAdvance,
  DEFAULT_WIZARD,
  defaultCatalogFilter,
  describeProgress,
  fileNameOf,
  firstInvalidStep,
  folderOf,
  formatsFor,
  isAbsoluteFolder,
  listInput,
  manifestPathOf,
  planKey,
  rowCountSummary,
  STEP,
  stepProblems,
  supabasePresetNote,
  toBackupOptions,
  toolLine,
  verificationText,
  withFormat,
  withKind,
} from '../../src-renderer/src/screens/backups/backup-wizard-model';
import { cleanFolderList, groupToolsByMajor, shortVersion } from '../../src-renderer/src/shared/client-tools/client-tools-model';
import { formatBytes } from '../../src-renderer/src/shared/format/numbers';
import { formatClock } from '../../src-renderer/src/shared/format/time';
import { enterAdvances } from '../../src-renderer/src/shared/components/wizard/enter-advances';

const progress = (over: Partial<BackupProgressEvent>): BackupProgressEvent => ({
  type: 'backup.progress',
  jobId: 'j',
  backupId: 'b',
  phase: 'dumping',
  percent: 42.4,
  bytesWritten: 3 * 1024 * 1024,
  elapsedMs: 65_000,
  etaMs: 90_000,
  currentTable: 'public.orders',
  tablesDone: 3,
  tablesTotal: 11,
  ...over,
});

const tool = (name: ClientTool['name'], major: number, path: string): ClientTool => ({
  name,
  major,
  path,
  version: `${name} (PostgreSQL) ${major}.2`,
  source: 'PATH',
});

describe('wizard defaults and options', () => {
  it('starts with the runbook defaults: full, custom format, --no-owner and --no-privileges, marker on', () => {
    const options = backupOptionsSchema.parse(toBackupOptions(DEFAULT_WIZARD, 'p1'));
    expect(options).toMatchObject({
      profileId: 'p1',
      kind: 'full',
      format: 'custom',
      jobs: 1,
      noOwner: true,
      noPrivileges: true,
      supabase: false,
      preOperationMarker: true,
      compression: null,
    });
    expect(options.outDir).toBeUndefined();
    expect(options.password).toBeUndefined();
    expect(firstInvalidStep(DEFAULT_WIZARD)).toBeNull();
  });

  it('sends a chosen folder trimmed, and the password only when given', () => {
    const options = toBackupOptions({ ...DEFAULT_WIZARD, outDir: '  /srv/backups  ' }, 'p1', 'secret');
    expect(options.outDir).toBe('/srv/backups');
    expect(options.password).toBe('secret');
    expect(() => backupOptionsSchema.parse(options)).not.toThrow();
  });

  it('roles force plain SQL and drop every filter pg_dumpall cannot take', () => {
    const state = withKind({ ...DEFAULT_WIZARD, format: 'directory', jobs: 4, includeSchemas: ['public'], supabase: true }, 'roles');
    expect(state.format).toBe('plain');
    expect(state.jobs).toBe(1);
    expect(formatsFor('roles')).toEqual(['plain']);
    const options = toBackupOptions(state, 'p1');
    expect(options).toMatchObject({ kind: 'roles', format: 'plain', jobs: 1, includeSchemas: [], supabase: false });
  });

  it('parallel jobs survive only in the directory format', () => {
    const dir = { ...withFormat(DEFAULT_WIZARD, 'directory'), jobs: 4 };
    expect(toBackupOptions(dir, 'p').jobs).toBe(4);
    expect(withFormat(dir, 'custom').jobs).toBe(1);
    expect(stepProblems({ ...DEFAULT_WIZARD, jobs: 4 }, STEP.format)).toEqual(['Parallel jobs need the directory format.']);
    expect(stepProblems({ ...dir, jobs: 0 }, STEP.format)[0]).toMatch(/from 1 to 32/);
  });

  it('the plan key ignores the password, so typing it does not ask for another plan', () => {
    expect(planKey(toBackupOptions(DEFAULT_WIZARD, 'p', 'a'))).toBe(planKey(toBackupOptions(DEFAULT_WIZARD, 'p')));
    expect(planKey(toBackupOptions(DEFAULT_WIZARD, 'p'))).not.toBe(planKey(toBackupOptions({ ...DEFAULT_WIZARD, outDir: '/x' }, 'p')));
  });
});

describe('what blocks a step', () => {
  it('a schema or table both included and excluded', () => {
    const problems = stepProblems(
      { ...DEFAULT_WIZARD, includeSchemas: ['public', 'sales'], excludeSchemas: ['sales'], includeTables: ['public.a'], excludeTables: ['public.a'] },
      STEP.options,
    );
    expect(problems).toEqual(['Schema sales is both included and excluded.', 'Table public.a is both included and excluded.']);
    expect(canAdvance({ ...DEFAULT_WIZARD, includeSchemas: ['x'], excludeSchemas: ['x'] }, STEP.options)).toBe(false);
  });

  it('the Supabase preset with a managed schema listed to include', () => {
    expect(stepProblems({ ...DEFAULT_WIZARD, supabase: true, includeSchemas: ['public', 'realtime'] }, STEP.options)[0]).toMatch(/leaves out realtime/);
    // auth and storage stay in: their rows travel with the app.
    expect(stepProblems({ ...DEFAULT_WIZARD, supabase: true, includeSchemas: ['public', 'auth'] }, STEP.options)).toEqual([]);
    expect(stepProblems({ ...DEFAULT_WIZARD, supabase: true, includeSchemas: ['public'] }, STEP.options)).toEqual([]);
  });

  it('a compression level out of range', () => {
    expect(stepProblems({ ...DEFAULT_WIZARD, compression: 12 }, STEP.options)).toHaveLength(1);
    expect(stepProblems({ ...DEFAULT_WIZARD, compression: 0 }, STEP.options)).toEqual([]);
    expect(stepProblems({ ...withFormat(DEFAULT_WIZARD, 'plain'), compression: 6 }, STEP.options)[0]).toMatch(/custom and directory/);
  });

  it('a relative destination folder; empty means the app’s folder', () => {
    expect(stepProblems({ ...DEFAULT_WIZARD, outDir: 'backups' }, STEP.destination)[0]).toMatch(/full folder path/);
    expect(firstInvalidStep({ ...DEFAULT_WIZARD, outDir: 'backups' })).toBe(STEP.destination);
    expect(stepProblems({ ...DEFAULT_WIZARD, outDir: '' }, STEP.destination)).toEqual([]);
    for (const ok of ['/var/backups', 'C:\\Backups', 'D:/pg', '\\\\nas\\pg']) expect(isAbsoluteFolder(ok)).toBe(true);
    expect(isAbsoluteFolder('./x')).toBe(false);
  });

  it('offsite: no directory format (a folder cannot be one streamed object), and no local folder sent', () => {
    const offsite = { ...DEFAULT_WIZARD, offsite: 'lab-s3', outDir: '/var/backups' };
    expect(stepProblems(offsite, STEP.destination)).toEqual([]);
    expect(toBackupOptions(offsite, 'p1').outDir).toBeUndefined();
    expect(stepProblems({ ...offsite, format: 'directory' }, STEP.destination)).toEqual([
      'A directory-format backup cannot be written offsite: choose custom or plain at the Format step.',
    ]);
    expect(firstInvalidStep({ ...offsite, format: 'directory' })).toBe(STEP.destination);
    // A relative folder left over from before does not block an offsite backup.
    expect(stepProblems({ ...offsite, outDir: 'relative' }, STEP.destination)).toEqual([]);
  });

  it('Review and Run are never "advanced" by the step rules', () => {
    expect(canAdvance(DEFAULT_WIZARD, STEP.review)).toBe(false);
    expect(canAdvance(DEFAULT_WIZARD, STEP.run)).toBe(false);
  });

  it('Enter belongs to buttons, open lists and tags being typed', () => {
    const base = { tagName: 'INPUT', value: '', isTagsInput: false, expanded: false, multiline: false };
    expect(enterAdvances(base)).toBe(true);
    expect(enterAdvances({ ...base, tagName: 'BUTTON' })).toBe(false);
    expect(enterAdvances({ ...base, tagName: 'TEXTAREA' })).toBe(false);
    expect(enterAdvances({ ...base, expanded: true })).toBe(false);
    expect(enterAdvances({ ...base, isTagsInput: true, value: 'sales' })).toBe(false);
    expect(enterAdvances({ ...base, isTagsInput: true, value: '' })).toBe(true);
  });
});

describe('how things read', () => {
  it('versions: "pg_dump 15.18 for server 15.4"', () => {
    expect(shortVersion('pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)')).toBe('15.18');
    expect(shortVersion('15.4 (Debian 15.4-1.pgdg120+1)')).toBe('15.4');
    expect(shortVersion('17devel')).toBe('17');
    expect(toolLine({ tool: tool('pg_dump', 15, '/usr/bin/pg_dump'), serverVersion: '15.4 (Debian 15.4-1)' })).toBe('pg_dump 15.2 for server 15.4');
  });

  it('sizes like pg_size_pretty, durations like a clock', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(2048)).toBe('2.0 kB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GB');
    expect(formatClock(null)).toBe('—');
    expect(formatClock(42_400)).toBe('42 s');
    expect(formatClock(185_000)).toBe('3 min 05 s');
    expect(formatClock(3_720_000)).toBe('1 h 02 min');
  });

  it('progress: table, tables done, bytes, elapsed and ETA', () => {
    const view = describeProgress(progress({}));
    expect(view).toEqual({
      percent: 42.4,
      headline: 'Dumping public.orders',
      tables: '3 of 11 tables',
      bytes: '3.0 MB',
      elapsed: '1 min 05 s',
      eta: '1 min 30 s',
    });
    expect(describeProgress(progress({ etaMs: null })).eta).toBe('estimating…');
    expect(describeProgress(progress({ phase: 'verifying', etaMs: null })).headline).toMatch(/^Verifying/);
    expect(describeProgress(progress({ percent: 130 })).percent).toBe(100);
    expect(describeProgress(progress({ percent: null, phase: 'preparing' })).percent).toBeNull();
  });

  it('file names, folders and manifests of file and directory backups', () => {
    expect(fileNameOf('/home/dba/backups/shop_full_20250101-030000.dump')).toBe('shop_full_20250101-030000.dump');
    expect(fileNameOf('C:\\b\\shop_full_20250101-030000\\')).toBe('shop_full_20250101-030000');
    expect(folderOf('/home/dba/backups/x.dump')).toBe('/home/dba/backups');
    expect(folderOf('/x.dump')).toBe('/');
    expect(manifestPathOf('/b/shop_full_1/')).toBe('/b/shop_full_1.manifest.json');
  });

  it('last verification and row count flags', () => {
    expect(verificationText({ verifiedAt: null, verifiedOk: null, status: 'failed', finishedAt: '2025-01-01T03:00:00Z' })).toBe('never');
    expect(verificationText({ verifiedAt: null, verifiedOk: null, status: 'ok', finishedAt: '2025-01-01T03:00:00Z' })).toMatch(/^OK at creation \d{4}-/);
    expect(verificationText({ verifiedAt: '2025-01-01T03:00:00Z', verifiedOk: false, status: 'ok', finishedAt: '2025-01-01T03:00:00Z' })).toMatch(
      /^FAILED \d{4}-/,
    );
    expect(rowCountSummary([{ exact: true }, { exact: true }])).toBe('2 tables, all counted exactly');
    expect(rowCountSummary([{ exact: true }, { exact: false }])).toBe('2 tables: 1 counted exactly, 1 estimated by the planner');
  });

  it('client tools grouped by major, newest first, pg_dump first', () => {
    const groups = groupToolsByMajor({
      tools: [tool('psql', 15, '/a/psql'), tool('pg_dump', 17, '/b/pg_dump'), tool('pg_restore', 15, '/a/pg_restore'), tool('pg_dump', 15, '/a/pg_dump')],
    });
    expect(groups.map((g) => g.major)).toEqual([17, 15]);
    expect(groups[1]?.tools.map((t) => t.name)).toEqual(['pg_dump', 'pg_restore', 'psql']);
  });

  it('extra folders are trimmed and de-duplicated', () => {
    expect(cleanFolderList([' /opt/pg/bin ', '', '/opt/pg/bin', '/usr/local/bin'])).toEqual(['/opt/pg/bin', '/usr/local/bin']);
  });

  it('the catalog filter defaults to the active profile, else all', () => {
    expect(defaultCatalogFilter('p1')).toBe('p1');
    expect(defaultCatalogFilter(null)).toBe(ALL_PROFILES);
    expect(listInput(ALL_PROFILES)).toEqual({ limit: 500 });
    expect(listInput('p1')).toEqual({ profileId: 'p1', limit: 500 });
  });

  it('the Supabase preset names every schema it leaves out', () => {
    for (const schema of SUPABASE_DUMP_EXCLUDED_SCHEMAS) expect(supabasePresetNote()).toContain(schema);
  });
});
