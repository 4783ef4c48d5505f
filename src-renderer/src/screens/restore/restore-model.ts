// The Restore screen's rules, kept pure so they are tested without a browser: the wizard's
// choices and what blocks each step, the options sent to the core, and how contents, plans,
// progress, validation and drills read on screen.
import type { BackupEntry } from '@contract/backup';
import type { Profile } from '@contract/models';
import type {
  BackupContents,
  DrillRecord,
  RestoreOptionsInput,
  RestorePlan,
  RestoreProgressEvent,
  RestoreRecord,
  RestoreStatus,
  ValidationReport,
} from '@contract/restore';
import { verdictOf, withVerdicts, type CheckVerdict } from '@contract/verdict';
import { formatCount, formatBytes } from '../../shared/format/numbers';
import { formatDuration, formatTime, formatClock } from '../../shared/format/time';
import { FORMAT_SHORT, KIND_SHORT } from '../../shared/labels/backup';
import { shortVersion } from '../../shared/client-tools/client-tools-model';

export const RESTORE_STEPS = ['Source', 'Target', 'Options', 'Review', 'Run'] as const;
export const RSTEP = { source: 0, target: 1, options: 2, review: 3, run: 4 } as const;
export const MAX_RESTORE_JOBS = 32;

export type TargetKind = 'profile' | 'new-database' | 'scratch';

export interface RestoreWizardState {
  sourceMode: 'catalog' | 'path';
  backupId: string | null;
  path: string;
  targetKind: TargetKind;
  /** The profile whose database (or server) receives the restore. */
  targetProfileId: string | null;
  newDatabase: string;
  /** Optional: the core names the scratch database when blank. */
  scratchDatabase: string;
  jobs: number;
  noOwner: boolean;
  noPrivileges: boolean;
  clean: boolean;
  preRestoreBackup: boolean;
}

/** The safest defaults: into a new database, without owners and privileges, a backup first. */
export function defaultWizard(activeProfileId: string | null, backupId: string | null): RestoreWizardState {
  return {
    sourceMode: 'catalog',
    backupId,
    path: '',
    targetKind: activeProfileId ? 'new-database' : 'scratch',
    targetProfileId: activeProfileId,
    newDatabase: '',
    scratchDatabase: '',
    jobs: 1,
    noOwner: true,
    noPrivileges: true,
    clean: false,
    preRestoreBackup: true,
  };
}

/** What the core is asked to restore: a catalog id or a typed path. */
export function sourceOf(state: Pick<RestoreWizardState, 'sourceMode' | 'backupId' | 'path'>): string | null {
  if (state.sourceMode === 'catalog') return state.backupId;
  const path = state.path.trim();
  return path === '' ? null : path;
}

/** Catalog backups a restore can start from: good ones, newest first. */
export function restorableBackups(backups: BackupEntry[]): BackupEntry[] {
  return backups.filter((b) => b.status === 'ok' && b.kind !== 'roles').sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** The active profile's latest good backup, else none (the user picks or types a path). */
export function defaultBackupId(backups: BackupEntry[], activeProfileId: string | null): string | null {
  if (!activeProfileId) return null;
  return restorableBackups(backups).find((b) => b.profileId === activeProfileId)?.id ?? null;
}

export function backupLabel(entry: BackupEntry): string {
  return `${entry.profileName} · ${KIND_SHORT[entry.kind]} · ${FORMAT_SHORT[entry.format]} · ${formatTime(entry.startedAt)} · ${formatBytes(entry.bytes)}`;
}

const UTF8 = new TextEncoder();
const RESERVED_DATABASES = ['postgres', 'template0', 'template1'];

/** Why a new database name will not do, or null. The core quotes it, so any other text is fine. */
export function databaseNameProblem(name: string): string | null {
  if (name.trim() === '') return 'Give the new database a name.';
  if (name !== name.trim()) return 'The name starts or ends with a space: remove it.';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'The name contains a control character.';
  if (UTF8.encode(name).length > 63) return 'PostgreSQL names are at most 63 bytes.';
  if (RESERVED_DATABASES.includes(name.toLowerCase())) return `${name} is a system database: choose another name.`;
  return null;
}

export interface SourceCheck {
  /** The source's inspection: pending, done or failed. */
  inspected: 'pending' | 'ok' | 'error' | null;
}

/** What keeps the user on this step; empty when Next may go on. */
export function stepProblems(state: RestoreWizardState, step: number, check: SourceCheck): string[] {
  const problems: string[] = [];
  if (step === RSTEP.source) {
    const source = sourceOf(state);
    if (!source) problems.push(state.sourceMode === 'catalog' ? 'Pick a backup from the catalog.' : 'Type the path of a dump file or directory.');
    else if (check.inspected === 'pending' || check.inspected === null) problems.push('Wait until the backup has been read.');
    else if (check.inspected === 'error') problems.push('This backup cannot be read: choose another one.');
  }
  if (step === RSTEP.target) {
    if (state.targetKind !== 'scratch' && !state.targetProfileId) problems.push('Choose the profile to restore into.');
    if (state.targetKind === 'new-database') {
      const problem = databaseNameProblem(state.newDatabase);
      if (problem) problems.push(problem);
    }
    if (state.targetKind === 'scratch' && state.scratchDatabase.trim() !== '') {
      const problem = databaseNameProblem(state.scratchDatabase);
      if (problem) problems.push(problem);
    }
  }
  if (step === RSTEP.options) {
    if (!Number.isInteger(state.jobs) || state.jobs < 1 || state.jobs > MAX_RESTORE_JOBS)
      problems.push(`Parallel jobs must be a whole number from 1 to ${MAX_RESTORE_JOBS}.`);
  }
  return problems;
}

export function canAdvance(state: RestoreWizardState, step: number, check: SourceCheck): boolean {
  return step < RSTEP.review && stepProblems(state, step, check).length === 0;
}

/** pg_restore runs parallel jobs; a plain script goes through psql in one transaction. */
export function jobsApply(contents: Pick<BackupContents, 'format'> | null): boolean {
  return contents !== null && contents.format !== 'plain';
}

/** The production pre-restore backup applies only to a production profile's database. */
export function preBackupApplies(state: Pick<RestoreWizardState, 'targetKind'>, target: Pick<Profile, 'env'> | null): boolean {
  return state.targetKind !== 'scratch' && target?.env === 'production';
}

/** The wizard's choices as planRestore/startRestore input. */
export function toRestoreOptions(
  state: RestoreWizardState,
  contents: Pick<BackupContents, 'format'> | null,
  extra: { confirmName?: string; password?: string } = {},
): RestoreOptionsInput | null {
  const source = sourceOf(state);
  if (!source) return null;
  let target: RestoreOptionsInput['target'];
  if (state.targetKind === 'scratch') {
    const name = state.scratchDatabase.trim();
    target = name ? { kind: 'scratch', database: name } : { kind: 'scratch' };
  } else {
    if (!state.targetProfileId) return null;
    target =
      state.targetKind === 'profile'
        ? { kind: 'profile', profileId: state.targetProfileId }
        : { kind: 'new-database', profileId: state.targetProfileId, database: state.newDatabase };
  }
  return {
    source,
    target,
    jobs: jobsApply(contents) ? state.jobs : 1,
    noOwner: state.noOwner,
    noPrivileges: state.noPrivileges,
    clean: state.targetKind === 'profile' ? state.clean : false,
    preRestoreBackup: state.preRestoreBackup,
    ...(extra.confirmName ? { confirmName: extra.confirmName } : {}),
    ...(extra.password ? { password: extra.password } : {}),
  };
}

/** Identifies a plan request: the same options (password and typed name aside) give the same plan. */
export function planKey(options: RestoreOptionsInput): string {
  const { password: _password, confirmName: _confirm, ...rest } = options;
  return JSON.stringify(rest, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) : value,
  );
}

/** "from PostgreSQL 15.4, dumped by pg_dump 15.18". */
export function versionsLine(contents: Pick<BackupContents, 'serverVersion' | 'pgDumpVersion'>): string {
  const server = contents.serverVersion ? `PostgreSQL ${shortVersion(contents.serverVersion)}` : 'an unknown server version';
  const dump = contents.pgDumpVersion ? `pg_dump ${shortVersion(contents.pgDumpVersion)}` : 'an unknown pg_dump';
  return `From ${server}, dumped by ${dump}`;
}

/** A table's row count as the contents know it. */
export function rowsText(table: BackupContents['tables'][number]): { rows: string; how: string } {
  if (table.rows === null) return { rows: '—', how: 'not recorded' };
  return { rows: formatCount(table.rows), how: table.exact === true ? 'exact' : table.exact === false ? 'estimate' : 'unknown' };
}

/** "TABLE 12 · INDEX 20 · …", biggest first. */
export function objectsLine(objects: Record<string, number>): string {
  const entries = Object.entries(objects).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? 'none recorded' : entries.map(([type, n]) => `${type} ${formatCount(n)}`).join(' · ');
}

/** What the target holds before the restore, in words. */
export function targetStateText(plan: Pick<RestorePlan, 'target' | 'conflicts'>): string {
  if (!plan.target.exists) return 'A new database, created by the restore.';
  if (plan.conflicts.length > 0)
    return `Not empty: ${plan.conflicts.length} object${plan.conflicts.length === 1 ? '' : 's'} of the dump already exist${plan.conflicts.length === 1 ? 's' : ''} there.`;
  return plan.target.empty ? 'Exists and is empty.' : 'Exists and holds objects, none of which the dump creates.';
}

export function conflictName(conflict: RestorePlan['conflicts'][number]): string {
  return conflict.schema ? `${conflict.schema}.${conflict.name}` : conflict.name;
}

export const PHASE_HEADLINES: Record<RestoreProgressEvent['phase'], string> = {
  preparing: 'Preparing the target…',
  'pre-backup': 'Backing up the target first…',
  restoring: 'Restoring…',
  validating: 'Validating the restored database…',
  'cleaning-up': 'Cleaning up…',
  done: 'Finishing…',
};

export interface RestoreProgressView {
  percent: number | null;
  headline: string;
  items: string;
  elapsed: string;
  eta: string;
  current: string;
}

export function describeRestoreProgress(event: RestoreProgressEvent): RestoreProgressView {
  const percent = event.percent === null ? null : Math.max(0, Math.min(100, event.percent));
  const headline = event.phase === 'restoring' && event.current ? `Restoring ${event.current}` : PHASE_HEADLINES[event.phase];
  let items = '—';
  if (event.total > 0)
    items =
      event.unit === 'items' ? `${formatCount(event.done)} of ${formatCount(event.total)} items` : `${formatBytes(event.done)} of ${formatBytes(event.total)}`;
  let eta = formatClock(event.etaMs);
  if (event.etaMs === null) eta = event.phase === 'restoring' ? 'estimating…' : '—';
  return { percent, headline, items, elapsed: formatClock(event.elapsedMs), eta, current: event.current ?? '—' };
}

export const STATUS_COLORS: Record<RestoreStatus, string> = { ok: 'green', failed: 'red', cancelled: 'gray', running: 'blue' };
export const STATUS_LABELS: Record<RestoreStatus, string> = { ok: 'OK', failed: 'FAILED', cancelled: 'CANCELLED', running: 'RUNNING' };

/** The report's headline: OK, OK WITH WARNINGS or FAILED (three states, issue #19). */
export function validationHeadline(report: Pick<ValidationReport, 'ok' | 'status' | 'checks'>): string {
  const verdict = withVerdicts(report).status;
  return verdict === 'fail' ? 'Validation FAILED' : verdict === 'warning' ? 'Validation OK, with warnings' : 'Validation OK';
}

export function validationSummary(report: Pick<ValidationReport, 'ok' | 'status' | 'checks'>): string {
  if (report.checks.length === 0) return 'No checks ran.';
  const count = (v: CheckVerdict): number => report.checks.filter((c) => verdictOf(c) === v).length;
  const warned = count('warning');
  const failed = count('fail');
  const parts = [`${count('pass')} of ${report.checks.length} checks passed`];
  if (warned > 0) parts.push(`${warned} with a warning`);
  if (failed > 0) parts.push(`${failed} failed`);
  return `${validationHeadline(report)}: ${parts.join(', ')}`;
}

/** Failed checks first, then warnings, so the eye lands on what needs attention. */
export function orderedChecks(report: Pick<ValidationReport, 'checks'>): ValidationReport['checks'] {
  const rank: Record<CheckVerdict, number> = { fail: 0, warning: 1, pass: 2 };
  return [...report.checks].sort((a, b) => rank[verdictOf(a)] - rank[verdictOf(b)]);
}

/** The profile the core creates after a scratch restore: named after the database, env sandbox. */
export function findRestoredProfile(profiles: Profile[], record: Pick<RestoreRecord, 'targetKind' | 'database' | 'status'>): Profile | null {
  if (record.targetKind !== 'scratch' || record.status !== 'ok') return null;
  return (
    profiles.find((p) => p.name === record.database) ??
    profiles.find((p) => p.env === 'sandbox' && p.database === record.database && p.name !== 'sandbox') ??
    null
  );
}

export interface ObjectiveView {
  label: string;
  color: string;
}

export function objectiveBadge(met: boolean | null): ObjectiveView {
  if (met === null) return { label: 'unknown', color: 'gray' };
  return met ? { label: 'met', color: 'green' } : { label: 'not met', color: 'red' };
}

/** "12.4 s of 2 h" */
export function againstTarget(ms: number | null, targetMs: number): string {
  return `${ms === null ? '—' : formatDuration(ms)} (target ${formatTarget(targetMs)})`;
}

export function formatTarget(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return formatDuration(ms);
}

export interface TrendBar {
  id: string;
  at: string;
  restoreMs: number;
  /** 0–100, relative to the slowest drill shown. */
  height: number;
  overTarget: boolean;
}

export interface ProfileTrend {
  profile: string;
  bars: TrendBar[];
  latestMs: number | null;
  /** Latest against the mean of the earlier ones: how the restore time moves. */
  direction: 'faster' | 'slower' | 'steady' | null;
}

const TREND_LENGTH = 20;

/** Restore times per profile, oldest to newest, the last 20 timed drills each. */
export function drillTrends(drills: DrillRecord[]): ProfileTrend[] {
  const byProfile = new Map<string, DrillRecord[]>();
  for (const d of drills) {
    if (d.restoreMs === null || d.status !== 'ok') continue;
    const key = d.profileName ?? 'files outside the catalog';
    byProfile.set(key, [...(byProfile.get(key) ?? []), d]);
  }
  return [...byProfile.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([profile, list]) => {
      const shown = [...list].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(-TREND_LENGTH);
      const max = Math.max(...shown.map((d) => d.restoreMs ?? 0), 1);
      const bars = shown.map((d) => ({
        id: d.id,
        at: d.startedAt,
        restoreMs: d.restoreMs ?? 0,
        height: Math.max(4, Math.round(((d.restoreMs ?? 0) / max) * 100)),
        overTarget: (d.restoreMs ?? 0) > d.rtoTargetMs,
      }));
      const latest = bars.at(-1)?.restoreMs ?? null;
      let direction: ProfileTrend['direction'] = null;
      if (bars.length >= 2 && latest !== null) {
        const earlier = bars.slice(0, -1);
        const mean = earlier.reduce((sum, b) => sum + b.restoreMs, 0) / earlier.length;
        direction = latest > mean * 1.1 ? 'slower' : latest < mean * 0.9 ? 'faster' : 'steady';
      }
      return { profile, bars, latestMs: latest, direction };
    });
}

/** Newest first, optionally one profile's. */
export function drillHistory(drills: DrillRecord[], profileId: string | null): DrillRecord[] {
  return drills.filter((d) => profileId === null || d.profileId === profileId).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** "3 h 12 min" for a backup's age. */
export function ageText(ms: number | null): string {
  return ms === null ? '—' : formatClock(ms);
}

/** Drill input: a chosen backup, else the latest of the profile. */
export function drillInput(
  choice: string,
  profileId: string | null,
  jobId: string,
): { source?: string; profileId?: string; jobs: number; jobId: string } | null {
  if (choice === LATEST) return profileId ? { profileId, jobs: 2, jobId } : null;
  // A chosen backup names its own profile in the catalog: the core takes it from there.
  return { source: choice, jobs: 2, jobId };
}

export const LATEST = '__latest__';
