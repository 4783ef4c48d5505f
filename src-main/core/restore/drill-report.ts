// A restore drill as a report a person can file with the DR evidence: Markdown (kept in the
// record) or a self-contained HTML page. The timings are set against the runbook's
// objectives; everything that came from a server, a file name or an error message is
// escaped for its format (a table name holding "<script>" or "|" must stay text).
import { RECOVERY_OBJECTIVES, type DrillRecord } from '../../contract/restore';
import { escapeHtml, htmlReportPage } from '../platform/text/html-report';
import { VERDICT_LABELS, verdictOf, type CheckVerdict } from '../../contract/verdict';

export type DrillReportFormat = 'markdown' | 'html';

/** A drill record before its report is written, plus the notes the report lists. */
export type DrillReportInput = Omit<DrillRecord, 'report'> & { notes: string[] };

type Cell = string | number | boolean | null;

/** 950 ms, 12.3 s, 4 min 05 s, 2 h 00 min, 3 d 4 h. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'unknown';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < 1_000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(abs / 1000);
  if (totalSeconds < 3_600) return `${sign}${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  const totalMinutes = Math.round(abs / 60_000);
  if (totalMinutes < 48 * 60) return `${sign}${Math.floor(totalMinutes / 60)} h ${String(totalMinutes % 60).padStart(2, '0')} min`;
  const hours = Math.round(abs / 3_600_000);
  return `${sign}${Math.floor(hours / 24)} d ${hours % 24} h`;
}

interface ObjectiveRow {
  objective: string;
  target: string;
  measured: string;
  verdict: string;
}

/**
 * A drill that did not end ok proved no recovery at all: its objectives are not met, even
 * when the backup was young enough or the tool happened to finish in time.
 */
function verdictFor(status: DrillRecord['status'] | undefined): (measured: number | null, target: number) => string {
  return (measured, target) => {
    if (status === 'failed') return 'MISSED (the drill failed)';
    if (status === 'cancelled') return 'not measured (cancelled)';
    if (measured === null) return 'not measured';
    return measured <= target ? 'met' : 'MISSED';
  };
}

/** Both scenarios of the runbook's Disaster Recovery section, stricter first. */
export function objectiveRows(d: Pick<DrillRecord, 'restoreMs' | 'backupAgeMs'> & { status?: DrillRecord['status'] }): ObjectiveRow[] {
  const { corruption, platformFailure } = RECOVERY_OBJECTIVES;
  const verdict = verdictFor(d.status);
  return [
    {
      objective: 'RTO, data corruption (restore time)',
      target: formatDuration(corruption.rtoMs),
      measured: formatDuration(d.restoreMs),
      verdict: verdict(d.restoreMs, corruption.rtoMs),
    },
    {
      objective: 'RTO, platform failure (restore time)',
      target: formatDuration(platformFailure.rtoMs),
      measured: formatDuration(d.restoreMs),
      verdict: verdict(d.restoreMs, platformFailure.rtoMs),
    },
    {
      objective: 'RPO, data corruption (backup age)',
      target: formatDuration(corruption.rpoMs),
      measured: formatDuration(d.backupAgeMs),
      verdict: verdict(d.backupAgeMs, corruption.rpoMs),
    },
    {
      objective: 'RPO, platform failure (backup age)',
      target: formatDuration(platformFailure.rpoMs),
      measured: formatDuration(d.backupAgeMs),
      verdict: verdict(d.backupAgeMs, platformFailure.rpoMs),
    },
  ];
}

function title(d: DrillReportInput): string {
  return `Restore drill — ${d.profileName ?? baseName(d.backupPath)}`;
}

function baseName(p: string): string {
  const parts = p.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? p;
}

function cellText(cell: Cell): string {
  return cell === null ? 'NULL' : String(cell);
}

function validationSummary(d: DrillReportInput): string {
  if (!d.validation) return 'not run';
  const n = d.validation.checks.length;
  const count = (v: CheckVerdict): number => d.validation!.checks.filter((c) => verdictOf(c) === v).length;
  if (!d.validation.ok) return `FAILED (${count('fail')} of ${n} checks)`;
  const warned = count('warning');
  return warned > 0 ? `passed with ${warned} warning(s) (${n} checks)` : `passed (${n} checks)`;
}

function facts(d: DrillReportInput): Array<[string, string]> {
  return [
    ['Status', d.status.toUpperCase()],
    ['Profile', d.profileName ?? 'none (a dump file)'],
    ['Backup', d.backupPath],
    ['Catalog id', d.backupId ?? 'not in the catalog'],
    ['Backup taken', d.backupCreatedAt ?? 'unknown'],
    ['Drill started', d.startedAt],
    ['Drill finished', d.finishedAt ?? 'still running'],
    ['Restore time', formatDuration(d.restoreMs)],
    ['Whole drill', `${formatDuration(d.totalMs)} (scratch cluster start, restore, validation, cleanup)`],
    ['Backup age at drill time', formatDuration(d.backupAgeMs)],
    ['Scratch PostgreSQL', d.scratchVersion ?? 'not started'],
    ['Validation', validationSummary(d)],
  ];
}

// ── Markdown ──────────────────────────────────────────────────────────────────────────

/** Inline text: Markdown punctuation escaped, line breaks kept as breaks. */
function mdText(text: string): string {
  return text.replace(/([\\`*_[\]<>#|])/g, '\\$1').replace(/\r?\n/g, '  \n');
}

/** A table cell: pipes escaped, no line breaks (they would end the row). */
function mdCell(text: string): string {
  return mdText(text).replace(/ {2}\n/g, '<br>');
}

function mdTable(columns: string[], rows: string[][]): string[] {
  return [`| ${columns.map(mdCell).join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)];
}

export function drillMarkdown(d: DrillReportInput): string {
  const out = [`# ${mdText(title(d))}`, '', ...facts(d).map(([k, v]) => `- **${k}:** ${mdText(v)}`)];
  if (d.error) out.push('', '## Error', '', mdText(d.error));
  out.push(
    '',
    '## Recovery objectives',
    '',
    ...mdTable(
      ['Objective', 'Target', 'Measured', 'Result'],
      objectiveRows(d).map((r) => [r.objective, r.target, r.measured, r.verdict]),
    ),
  );
  out.push('', '## Validation', '');
  if (d.validation)
    out.push(
      ...mdTable(
        ['Check', 'Result', 'Detail'],
        d.validation.checks.map((c) => [c.name, VERDICT_LABELS[verdictOf(c)], c.detail]),
      ),
    );
  else out.push('_Not run: the restore did not complete._');
  out.push('', '## prepare_disaster_recovery()', '');
  if (d.disasterRecovery) {
    out.push(
      ...mdTable(
        d.disasterRecovery.columns,
        d.disasterRecovery.rows.map((r) => r.map(cellText)),
      ),
    );
    if (d.disasterRecovery.rows.length === 0) out.push('', '_No rows._');
  } else out.push('_Not available (see the notes)._');
  if (d.notes.length > 0) out.push('', '## Notes', '', ...d.notes.map((n) => `- ${mdText(n)}`));
  return `${out.join('\n')}\n`;
}

// ── HTML ──────────────────────────────────────────────────────────────────────────────

const COLOURS: Record<string, string> = {
  ok: '#2b8a3e',
  met: '#2b8a3e',
  pass: '#2b8a3e',
  warning: '#e67700',
  failed: '#c92a2a',
  missed: '#c92a2a',
  fail: '#c92a2a',
  cancelled: '#868e96',
  running: '#1971c2',
};

function badge(text: string): string {
  return `<span class="status" style="background:${COLOURS[text.toLowerCase()] ?? '#495057'}">${escapeHtml(text.toUpperCase())}</span>`;
}

function htmlTable(columns: string[], rows: string[][], badgeColumn: number | null = null): string {
  const head = `<tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td>${i === badgeColumn ? badge(c) : escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

export function drillHtml(d: DrillReportInput): string {
  const sections = [
    `<h1>${escapeHtml(title(d))}</h1>`,
    `<ul>\n${facts(d)
      .map(([k, v]) => `<li><strong>${escapeHtml(k)}:</strong> ${k === 'Status' ? badge(d.status) : escapeHtml(v)}</li>`)
      .join('\n')}\n</ul>`,
  ];
  if (d.error) sections.push('<h2>Error</h2>', `<p class="pre">${escapeHtml(d.error)}</p>`);
  sections.push(
    '<h2>Recovery objectives</h2>',
    htmlTable(
      ['Objective', 'Target', 'Measured', 'Result'],
      objectiveRows(d).map((r) => [r.objective, r.target, r.measured, r.verdict]),
      3,
    ),
  );
  sections.push('<h2>Validation</h2>');
  sections.push(
    d.validation
      ? htmlTable(
          ['Check', 'Result', 'Detail'],
          d.validation.checks.map((c) => [c.name, verdictOf(c), c.detail]),
          1,
        )
      : '<p class="dim">Not run: the restore did not complete.</p>',
  );
  sections.push('<h2>prepare_disaster_recovery()</h2>');
  sections.push(
    d.disasterRecovery
      ? htmlTable(
          d.disasterRecovery.columns,
          d.disasterRecovery.rows.map((r) => r.map(cellText)),
        )
      : '<p class="dim">Not available (see the notes).</p>',
  );
  if (d.notes.length > 0) sections.push('<h2>Notes</h2>', `<ul>\n${d.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}\n</ul>`);
  return htmlReportPage(title(d), sections.join('\n'), ['.pre { white-space: pre-wrap; font-family: ui-monospace, monospace; }']);
}

/** drill-shop-2025-01-31T09-02-11Z.md */
export function drillReportFilename(d: Pick<DrillRecord, 'profileName' | 'backupPath' | 'startedAt'>, format: DrillReportFormat): string {
  const safe = (s: string) =>
    s
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 60) || 'backup';
  const when = d.startedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `drill-${safe(d.profileName ?? baseName(d.backupPath))}-${when}.${format === 'markdown' ? 'md' : 'html'}`;
}
