// The server's version judged against PostgreSQL's versioning policy and the app's release
// table (releases.ts): minors behind the latest, months until end of life (WARNING within 12,
// CRITICAL once past), pre-release builds, and a table too old to trust. Pure: the check feeds
// it `server_version` and the run's date, the unit tests feed it fixed ones.
import type { StepCheckResult } from '../platform/kernel/step-checks';
import { RELEASES, RELEASES_AS_OF, STALE_AFTER_DAYS, type MajorRelease } from './releases';

export interface ServerVersion {
  /** 16 for 16.2; 9.6 for 9.6.24 (before 10 the major had two parts). */
  major: number;
  /** null for a pre-release build (beta, rc, devel), which has no minor. */
  minor: number | null;
  /** 'beta3', 'rc1', 'devel'… or null for a release. */
  prerelease: string | null;
  text: string;
}

/** Parses `SHOW server_version` ("16.2", "16.2 (Debian 16.2-1.pgdg120+2)", "19beta3", "18devel", "9.6.24"). */
export function parseServerVersion(text: string): ServerVersion | null {
  const m = /^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(devel|alpha\d*|beta\d*|rc\d*)?/i.exec(text);
  if (!m) return null;
  const first = Number(m[1]);
  const prerelease = m[4] ? m[4].toLowerCase() : null;
  const clean = text.trim().split(/\s/)[0] ?? text.trim();
  if (first >= 10) return { major: first, minor: prerelease ? null : Number(m[2] ?? 0), prerelease, text: clean };
  // 9.6.24: major 9.6, minor 24.
  if (m[2] === undefined) return null;
  return { major: Number(`${first}.${m[2]}`), minor: prerelease ? null : Number(m[3] ?? 0), prerelease, text: clean };
}

const DAY_MS = 86_400_000;
const MONTH_DAYS = 365.25 / 12;

function dateOf(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

/** Whole months from `now` to `iso` (negative once past), rounded toward zero. */
export function monthsUntil(iso: string, now: Date): number {
  return Math.trunc((dateOf(iso).getTime() - now.getTime()) / DAY_MS / MONTH_DAYS);
}

export function tableAgeDays(now: Date, asOf: string = RELEASES_AS_OF): number {
  return Math.floor((now.getTime() - dateOf(asOf).getTime()) / DAY_MS);
}

type Row = StepCheckResult['rows'][number];
type Status = StepCheckResult['status'];

const RANK: Record<string, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

function worse(a: Status, b: Status): Status {
  return (RANK[b] ?? 0) > (RANK[a] ?? 0) ? b : a;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export interface PolicyOptions {
  releases?: readonly MajorRelease[];
  asOf?: string;
}

/** The version step's whole result: one row per fact, the summary naming the worst of them. */
export function judgeVersion(versionText: string, now: Date, options: PolicyOptions = {}): StepCheckResult {
  const releases = options.releases ?? RELEASES;
  const asOf = options.asOf ?? RELEASES_AS_OF;
  const columns = ['Item', 'Value', 'Judgement'];
  const rows: Row[] = [];
  const age = tableAgeDays(now, asOf);
  const stale = age > STALE_AFTER_DAYS;
  const tableRow: Row = [
    'Release table',
    `as of ${asOf}`,
    stale
      ? `may be stale: ${Math.floor(age / MONTH_DAYS)} months old — newer minors or majors may exist; update Ops Console or check postgresql.org/support/versioning`
      : `${plural(Math.max(0, Math.floor(age / MONTH_DAYS)), 'month')} old`,
  ];
  const result = (status: Status, summary: string, value: number | null = null): StepCheckResult => {
    let finalStatus = status;
    let finalSummary = summary;
    if (stale && status !== 'unknown') {
      finalStatus = worse(status, 'warning');
      finalSummary += ` (release table as of ${asOf} may be stale)`;
    }
    return { status: finalStatus, summary: finalSummary, value, warn: 12, critical: 0, columns, rows: [...rows, tableRow] };
  };

  const v = parseServerVersion(versionText);
  if (!v) {
    rows.push(['Server version', versionText, 'not a PostgreSQL version string this check can read']);
    return result('unknown', `Cannot read the server version "${versionText}".`);
  }
  rows.push(['Server version', v.text, v.prerelease ? `pre-release build (${v.prerelease})` : `major ${v.major}, minor ${v.minor}`]);
  const known = releases.find((r) => r.major === v.major);
  const latest = Math.max(...releases.filter((r) => r.stage === 'released').map((r) => r.major));
  const oldest = Math.min(...releases.map((r) => r.major));
  const latestRow = releases.find((r) => r.major === latest);
  const newestText = latestRow ? `${latest}.${latestRow.latestMinor ?? 0}` : String(latest);

  if (!known) {
    if (v.major < oldest) {
      rows.push(
        ['End of life', `before ${releases.find((r) => r.major === oldest)?.endOfLife ?? '?'}`, 'unsupported: no security fixes'],
        ['Latest major', newestText, `upgrade to ${latest}`],
      );
      return result('critical', `PostgreSQL ${v.major} is past end of life (no fixes, security included); upgrade to ${latest}.`);
    }
    rows.push(['Known majors', releases.map((r) => r.major).join(', '), `the table does not know ${v.major}`]);
    return result('unknown', `The app's release table (as of ${asOf}) does not know PostgreSQL ${v.major}; update Ops Console.`);
  }

  if (v.prerelease) {
    rows.push([
      'Release stage',
      known.stage === 'beta' ? (known.note ?? 'beta') : `${v.major} has been released`,
      'pre-release builds are for testing, not production',
    ]);
    const hint = known.stage === 'released' ? ` Move to ${v.major}.${known.latestMinor}.` : ' Move to the final release when it ships.';
    return result('warning', `PostgreSQL ${v.text} is a pre-release build: not supported for production, no minor releases.${hint}`);
  }

  if (known.stage === 'beta' || known.endOfLife === null || known.latestMinor === null) {
    rows.push(['Release stage', known.note ?? 'beta', `the server runs a release of ${v.major}: the table is older than it`]);
    return result('unknown', `The release table (as of ${asOf}) knows ${v.major} only as a beta; update Ops Console to judge ${v.text}.`);
  }

  let status: Status = 'ok';
  const findings: string[] = [];
  const minor = v.minor ?? 0;
  const behind = known.latestMinor - minor;
  if (behind > 0) {
    status = worse(status, 'warning');
    findings.push(`${plural(behind, 'minor release')} behind ${v.major}.${known.latestMinor}`);
    rows.push([
      `Latest minor of ${v.major}`,
      `${v.major}.${known.latestMinor}`,
      `${plural(behind, 'minor release')} behind: install ${v.major}.${known.latestMinor} (new binaries and a restart; no dump/restore)`,
    ]);
  } else if (behind < 0) {
    rows.push([`Latest minor of ${v.major}`, `${v.major}.${known.latestMinor}`, `the server is newer (${v.text}): the table is older than this release`]);
  } else {
    rows.push([`Latest minor of ${v.major}`, `${v.major}.${known.latestMinor}`, 'up to date']);
  }

  const months = monthsUntil(known.endOfLife, now);
  const past = dateOf(known.endOfLife).getTime() <= now.getTime();
  if (past) {
    status = worse(status, 'critical');
    findings.push(`past end of life since ${known.endOfLife}`);
    rows.push(['End of life', known.endOfLife, `passed ${plural(Math.abs(months), 'month')} ago: no fixes, security included`]);
  } else if (months < 12) {
    status = worse(status, 'warning');
    findings.push(`end of life ${known.endOfLife} (${plural(months, 'month')} left)`);
    rows.push(['End of life', known.endOfLife, `${plural(months, 'month')} left (under 12): plan the major upgrade now`]);
  } else {
    rows.push(['End of life', known.endOfLife, `${plural(months, 'month')} left`]);
  }

  if (v.major < latest) rows.push(['Latest major', newestText, `${plural(latest - v.major, 'major version')} behind`]);
  else rows.push(['Latest major', newestText, 'this is the latest major']);
  const upcoming = releases.find((r) => r.stage === 'beta' && r.major > v.major);
  if (upcoming) rows.push(['Next major', `${upcoming.major} (beta)`, upcoming.note ?? 'in beta']);

  const summary =
    findings.length > 0
      ? `PostgreSQL ${v.text}: ${findings.join('; ')}.`
      : `PostgreSQL ${v.text} is the latest ${v.major}.x; supported until ${known.endOfLife} (${plural(months, 'month')}).`;
  return result(status, summary, months);
}
