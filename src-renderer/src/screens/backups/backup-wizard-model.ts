// The Backups screen's rules, kept pure so they are tested without a browser: the wizard's
// choices and what blocks each step, the options sent to the core, and how plans, progress,
// catalog rows read on screen. The kind and format labels are in shared/labels/backup, the
// client tools report in shared/client-tools (the Restore screen shows them too).
import {
  SUPABASE_DUMP_EXCLUDED_SCHEMAS,
  type BackupEntry,
  type BackupFormat,
  type BackupKind,
  type BackupOptionsInput,
  type BackupPlan,
  type BackupProgressEvent,
  type BackupStatus,
} from '@contract/backup';
import { shortVersion } from '../../shared/client-tools/client-tools-model';
import { formatBytes } from '../../shared/format/numbers';
import { formatClock, formatDuration, formatTime } from '../../shared/format/time';

export const WIZARD_STEPS = ['What', 'Format', 'Options', 'Destination', 'Review', 'Run'] as const;
export const STEP = { what: 0, format: 1, options: 2, destination: 3, review: 4, run: 5 } as const;
export const MAX_JOBS = 32;

export interface WizardState {
  kind: BackupKind;
  format: BackupFormat;
  jobs: number;
  noOwner: boolean;
  noPrivileges: boolean;
  includeSchemas: string[];
  excludeSchemas: string[];
  includeTables: string[];
  excludeTables: string[];
  supabase: boolean;
  /** null: pg_dump's own default. */
  compression: number | null;
  preOperationMarker: boolean;
  /** Blank: the app's backups folder. */
  outDir: string;
  /** An offsite destination's name: the dump is streamed there and no local file is kept. */
  offsite: string | null;
}

/** The runbook's defaults: a full custom-format dump without owners and privileges. */
export const DEFAULT_WIZARD: WizardState = {
  kind: 'full',
  format: 'custom',
  jobs: 1,
  noOwner: true,
  noPrivileges: true,
  includeSchemas: [],
  excludeSchemas: [],
  includeTables: [],
  excludeTables: [],
  supabase: false,
  compression: null,
  preOperationMarker: true,
  outDir: '',
  offsite: null,
};

/** Roles come from pg_dumpall, which writes plain SQL only. */
export function formatsFor(kind: BackupKind): BackupFormat[] {
  return kind === 'roles' ? ['plain'] : ['custom', 'plain', 'directory'];
}

export function withKind(state: WizardState, kind: BackupKind): WizardState {
  if (kind !== 'roles') return { ...state, kind };
  return { ...state, kind, format: 'plain', jobs: 1 };
}

export function withFormat(state: WizardState, format: BackupFormat): WizardState {
  return { ...state, format, jobs: format === 'directory' ? state.jobs : 1 };
}

function overlap(a: string[], b: string[]): string[] {
  return a.filter((x) => b.includes(x));
}

/** Absolute on Linux/macOS ("/…"), Windows ("C:\…") or a share ("\\server\…"). */
export function isAbsoluteFolder(folder: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(folder);
}

/** What keeps the user on this step; empty when Next may go on. */
export function stepProblems(state: WizardState, step: number): string[] {
  const problems: string[] = [];
  if (step === STEP.format) {
    if (state.kind === 'roles' && state.format !== 'plain') problems.push('Roles are dumped by pg_dumpall, which writes plain SQL only.');
    if (!Number.isInteger(state.jobs) || state.jobs < 1 || state.jobs > MAX_JOBS) problems.push(`Parallel jobs must be a whole number from 1 to ${MAX_JOBS}.`);
    else if (state.jobs > 1 && state.format !== 'directory') problems.push('Parallel jobs need the directory format.');
  }
  if (step === STEP.options) {
    if (state.compression !== null && (!Number.isInteger(state.compression) || state.compression < 0 || state.compression > 9)) {
      problems.push('Compression must be a level from 0 to 9, or left empty for pg_dump’s default.');
    } else if (state.compression !== null && (state.format === 'plain' || state.kind === 'roles')) {
      // The core refuses it too: a plain script stays readable by psql and checkable.
      problems.push('Compression applies to the custom and directory formats; a plain SQL backup stays uncompressed.');
    }
    const schemas = overlap(state.includeSchemas, state.excludeSchemas);
    if (schemas.length > 0) problems.push(`Schema ${schemas.join(', ')} is both included and excluded.`);
    const tables = overlap(state.includeTables, state.excludeTables);
    if (tables.length > 0) problems.push(`Table ${tables.join(', ')} is both included and excluded.`);
    if (state.supabase) {
      const managed = state.includeSchemas.filter((s) => SUPABASE_DUMP_EXCLUDED_SCHEMAS.includes(s));
      if (managed.length > 0) problems.push(`The Supabase preset leaves out ${managed.join(', ')}, which is also listed to include: remove one of the two.`);
      // The core refuses it too: the restore picks parts of the archive for its target.
      if (state.format === 'plain' && state.kind !== 'roles') problems.push('A Supabase backup is an archive: choose the custom or directory format.');
    }
  }
  if (step === STEP.destination) {
    const folder = state.outDir.trim();
    if (state.offsite !== null) {
      // The core refuses it too (INVALID_INPUT): a folder of files cannot be one streamed object.
      if (state.format === 'directory') problems.push('A directory-format backup cannot be written offsite: choose custom or plain at the Format step.');
    } else if (folder !== '' && !isAbsoluteFolder(folder)) problems.push('The destination must be a full folder path, such as /var/backups/postgres.');
  }
  return problems;
}

export function canAdvance(state: WizardState, step: number): boolean {
  return step < STEP.review && stepProblems(state, step).length === 0;
}

/** Every step up to this one is valid: where Review may be reached from. */
export function firstInvalidStep(state: WizardState): number | null {
  for (let step = STEP.what; step < STEP.review; step += 1) if (stepProblems(state, step).length > 0) return step;
  return null;
}

/** The wizard's choices as planBackup/startBackup input. pg_dumpall takes no filters. */
export function toBackupOptions(state: WizardState, profileId: string, password?: string): BackupOptionsInput {
  const roles = state.kind === 'roles';
  // Offsite: no folder (nothing is written locally), the plan names the file all the same.
  const folder = state.offsite === null ? state.outDir.trim() : '';
  return {
    profileId,
    kind: state.kind,
    format: roles ? 'plain' : state.format,
    jobs: state.format === 'directory' && !roles ? state.jobs : 1,
    compression: state.compression,
    noOwner: state.noOwner,
    noPrivileges: state.noPrivileges,
    includeSchemas: roles ? [] : state.includeSchemas,
    excludeSchemas: roles ? [] : state.excludeSchemas,
    includeTables: roles ? [] : state.includeTables,
    excludeTables: roles ? [] : state.excludeTables,
    supabase: roles ? false : state.supabase,
    preOperationMarker: state.preOperationMarker,
    ...(folder ? { outDir: folder } : {}),
    ...(password ? { password } : {}),
  };
}

/** Identifies a plan request: the same options (password aside) give the same plan. */
export function planKey(options: BackupOptionsInput): string {
  const { password: _password, ...rest } = options;
  return JSON.stringify(rest, Object.keys(rest).sort());
}

/** "pg_dump 15.18 for server 15.4". */
export function toolLine(plan: Pick<BackupPlan, 'tool' | 'serverVersion'>): string {
  return `${plan.tool.name} ${shortVersion(plan.tool.version)} for server ${shortVersion(plan.serverVersion)}`;
}

export interface ProgressView {
  /** 0–100, or null while the sizes are not known (the bar then runs indeterminate). */
  percent: number | null;
  headline: string;
  tables: string;
  bytes: string;
  elapsed: string;
  eta: string;
}

export function describeProgress(event: BackupProgressEvent): ProgressView {
  const percent = event.percent === null ? null : Math.max(0, Math.min(100, event.percent));
  let headline: string;
  if (event.phase === 'preparing') headline = 'Preparing: collecting table sizes and starting pg_dump…';
  else if (event.phase === 'verifying') headline = 'Verifying the archive and computing its checksum…';
  else if (event.phase === 'done') headline = 'Finishing…';
  else headline = event.currentTable ? `Dumping ${event.currentTable}` : 'Dumping…';
  let eta = formatClock(event.etaMs);
  if (event.etaMs === null) eta = event.phase === 'dumping' ? 'estimating…' : '—';
  return {
    percent,
    headline,
    tables: `${event.tablesDone} of ${event.tablesTotal} tables`,
    bytes: formatBytes(event.bytesWritten),
    elapsed: formatClock(event.elapsedMs),
    eta,
  };
}

/** The last part of a path, with either separator; a directory backup has no extension. */
export function fileNameOf(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
}

export function folderOf(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (cut < 0) return '';
  return cut === 0 ? trimmed.slice(0, 1) : trimmed.slice(0, cut);
}

/** The manifest the core writes beside every good backup. */
export function manifestPathOf(path: string): string {
  return `${path.replace(/[\\/]+$/, '')}.manifest.json`;
}

export const STATUS_COLORS: Record<BackupStatus, string> = { ok: 'green', failed: 'red', cancelled: 'gray', running: 'blue' };
export const STATUS_LABELS: Record<BackupStatus, string> = { ok: 'OK', failed: 'FAILED', cancelled: 'CANCELLED', running: 'RUNNING' };

/** A good backup was verified when it was made (its .partial is renamed only after that). */
export function verificationText(entry: Pick<BackupEntry, 'verifiedAt' | 'verifiedOk' | 'status' | 'finishedAt'>): string {
  if (!entry.verifiedAt) return entry.status === 'ok' && entry.finishedAt ? `OK at creation ${formatTime(entry.finishedAt)}` : 'never';
  return `${entry.verifiedOk ? 'OK' : 'FAILED'} ${formatTime(entry.verifiedAt)}`;
}

export function durationText(entry: Pick<BackupEntry, 'durationMs'>): string {
  return formatDuration(entry.durationMs);
}

/** A manifest's row counts: how many are exact count(*) and how many estimates. */
export function rowCountSummary(tables: Array<{ exact: boolean }>): string {
  const exact = tables.filter((t) => t.exact).length;
  const estimated = tables.length - exact;
  if (tables.length === 0) return 'no tables';
  if (estimated === 0) return `${exact} tables, all counted exactly`;
  return `${tables.length} tables: ${exact} counted exactly, ${estimated} estimated by the planner`;
}

export const ALL_PROFILES = '__all__';

/** The catalog shows the active profile's backups, or all when none is active. */
export function defaultCatalogFilter(activeProfileId: string | null): string {
  return activeProfileId ?? ALL_PROFILES;
}

export function listInput(filter: string): { profileId?: string; limit: number } {
  return filter === ALL_PROFILES ? { limit: 500 } : { profileId: filter, limit: 500 };
}

/** What the Supabase preset means, shown beside its checkbox. */
export function supabasePresetNote(): string {
  return `Supabase’s own backup procedure: keeps the grants to the API roles, the auth and storage rows (users, identities, buckets, objects) and what you added on their tables (triggers, policies); leaves out the platform’s schemas ${SUPABASE_DUMP_EXCLUDED_SCHEMAS.join(', ')}, its migration bookkeeping, event triggers and realtime publication. Custom or directory format.`;
}
