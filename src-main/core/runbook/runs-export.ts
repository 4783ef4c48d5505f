// A signed-off checklist run as a report a person can file or mail: Markdown or a
// self-contained HTML page. Everything that came from the server or the operator is
// escaped for its format (a cell holding "<script>" or "|" must stay text).
import {
  stepStatusLabel,
  type ChecklistRunRecord,
  type ChecklistStepDecision,
  type ChecklistStepResult,
  type StepDecision,
  type StepStatus,
} from '../../contract/runbook';
import { escapeHtml, htmlReportPage } from '../platform/text/html-report';
import type { FindingRef, FindingsDiff } from './runs-diff';

export type ExportFormat = 'markdown' | 'html';

const DECISION_LABELS: Record<StepDecision, string> = { done: 'Done', skipped: 'Skipped', escalated: 'Escalated' };

type Cell = ChecklistStepResult['rows'][number][number];

function cellText(cell: Cell): string {
  return cell === null ? 'NULL' : String(cell);
}

function decisionLine(decision: ChecklistStepDecision | undefined): string {
  if (!decision) return 'no decision';
  return decision.reason ? `${DECISION_LABELS[decision.decision]} (reason: ${decision.reason})` : DECISION_LABELS[decision.decision];
}

function decisionsOf(run: ChecklistRunRecord): Map<string, ChecklistStepDecision> {
  return new Map(run.stepDecisions.map((d) => [d.stepId, d]));
}

/** A name safe on every file system: checklist-morning-shop-2025-01-31T09-02-11Z.md */
export function exportFilename(run: ChecklistRunRecord, format: ExportFormat): string {
  const safe = (s: string) =>
    s
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 60) || 'run';
  const when = run.signedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `checklist-${safe(run.checklistId)}-${safe(run.profileName)}-${when}.${format === 'markdown' ? 'md' : 'html'}`;
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

function mdTable(step: ChecklistStepResult): string[] {
  if (step.columns.length === 0) return [];
  const lines = [`| ${step.columns.map(mdCell).join(' | ')} |`, `| ${step.columns.map(() => '---').join(' | ')} |`];
  for (const row of step.rows) lines.push(`| ${row.map((c) => mdCell(cellText(c))).join(' | ')} |`);
  if (step.rowCount > step.rows.length) lines.push('', `_First ${step.rows.length} of ${step.rowCount} rows._`);
  else if (step.rows.length === 0) lines.push('', '_No rows._');
  return lines;
}

function diffIntro(diff: FindingsDiff): string {
  return diff.previous === null
    ? 'No earlier signed-off run of this checklist on this profile: every finding is new.'
    : `Compared with the run signed off ${diff.previous.signedAt}, by check and object.`;
}

const findingLabel = (f: FindingRef) => `${f.check}: ${f.object} (${f.severity})${f.finding ? ` — ${f.finding}` : ''}`;

function mdDiff(diff: FindingsDiff): string[] {
  const list = (items: FindingRef[]) => (items.length === 0 ? ['_None._'] : items.map((f) => `- ${mdText(findingLabel(f))}`));
  return [
    '',
    '## New since the last audit',
    '',
    mdText(diffIntro(diff)),
    '',
    ...list(diff.added),
    '',
    '## Resolved since the last audit',
    '',
    ...list(diff.resolved),
  ];
}

function htmlDiff(diff: FindingsDiff): string {
  const list = (items: FindingRef[]) =>
    items.length === 0 ? '<p class="dim">None.</p>' : `<ul>\n${items.map((f) => `<li>${escapeHtml(findingLabel(f))}</li>`).join('\n')}\n</ul>`;
  return `<h2>New since the last audit</h2>\n<p>${escapeHtml(diffIntro(diff))}</p>\n${list(diff.added)}\n<h2>Resolved since the last audit</h2>\n${list(diff.resolved)}\n`;
}

export function toMarkdown(run: ChecklistRunRecord, diff: FindingsDiff | null = null): string {
  const decisions = decisionsOf(run);
  const out = [
    `# ${mdText(run.title)}`,
    '',
    `- **Profile:** ${mdText(run.profileName)}`,
    `- **Overall status:** ${run.status.toUpperCase()}`,
    `- **Checks ran:** ${run.startedAt}`,
    `- **Signed off:** ${run.signedAt} by ${mdText(run.actor)}`,
    `- **Decisions:** ${run.decisions.done} done, ${run.decisions.skipped} skipped, ${run.decisions.escalated} escalated`,
  ];
  if (run.note) out.push('', '## Note', '', mdText(run.note));
  if (diff !== null) out.push(...mdDiff(diff));
  out.push('', '## Steps');
  for (const step of run.result.steps) {
    const d = decisions.get(step.id);
    out.push(
      '',
      `### ${stepStatusLabel(step.status)} — ${mdText(step.title)}`,
      '',
      `- **Result:** ${mdText(step.summary)}`,
      `- **Decision:** ${mdText(decisionLine(d))}`,
    );
    if (d?.note) out.push(`- **Note:** ${mdText(d.note)}`);
    const table = mdTable(step);
    if (table.length > 0) out.push('', ...table);
  }
  return `${out.join('\n')}\n`;
}

// ── HTML ──────────────────────────────────────────────────────────────────────────────

// Not applicable is the light grey of "does not concern this database", apart from UNKNOWN's dark grey.
const STATUS_COLOURS: Record<StepStatus, string> = {
  ok: '#2b8a3e',
  warning: '#e67700',
  critical: '#c92a2a',
  unknown: '#495057',
  skipped: '#868e96',
  manual: '#1971c2',
  not_applicable: '#adb5bd',
};

function badge(status: StepStatus): string {
  return `<span class="status" style="background:${STATUS_COLOURS[status]}">${escapeHtml(stepStatusLabel(status))}</span>`;
}

function htmlTable(step: ChecklistStepResult): string {
  if (step.columns.length === 0) return '';
  const head = `<tr>${step.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = step.rows.map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(cellText(c))}</td>`).join('')}</tr>`).join('\n');
  const more =
    step.rowCount > step.rows.length
      ? `<p class="dim">First ${step.rows.length} of ${step.rowCount} rows.</p>`
      : step.rows.length === 0
        ? '<p class="dim">No rows.</p>'
        : '';
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>${more}`;
}

function htmlStep(step: ChecklistStepResult, decision: ChecklistStepDecision | undefined): string {
  const note = decision?.note ? `<p><strong>Note:</strong> ${escapeHtml(decision.note)}</p>` : '';
  return [
    `<section>`,
    `<h3>${badge(step.status)} ${escapeHtml(step.title)}</h3>`,
    `<p><strong>Result:</strong> ${escapeHtml(step.summary)}</p>`,
    `<p><strong>Decision:</strong> ${escapeHtml(decisionLine(decision))}</p>`,
    note,
    htmlTable(step),
    `</section>`,
  ]
    .filter(Boolean)
    .join('\n');
}

export function toHtml(run: ChecklistRunRecord, diff: FindingsDiff | null = null): string {
  const decisions = decisionsOf(run);
  const title = `${run.title} — ${run.profileName}`;
  const body = `<h1>${escapeHtml(run.title)}</h1>
<ul>
<li><strong>Profile:</strong> ${escapeHtml(run.profileName)}</li>
<li><strong>Overall status:</strong> ${badge(run.status)}</li>
<li><strong>Checks ran:</strong> ${escapeHtml(run.startedAt)}</li>
<li><strong>Signed off:</strong> ${escapeHtml(run.signedAt)} by ${escapeHtml(run.actor)}</li>
<li><strong>Decisions:</strong> ${run.decisions.done} done, ${run.decisions.skipped} skipped, ${run.decisions.escalated} escalated</li>
</ul>
${run.note ? `<h2>Note</h2>\n<p class="note">${escapeHtml(run.note)}</p>\n` : ''}${diff !== null ? htmlDiff(diff) : ''}<h2>Steps</h2>
${run.result.steps.map((s) => htmlStep(s, decisions.get(s.id))).join('\n')}`;
  return htmlReportPage(title, body, ['.note { white-space: pre-wrap; }']);
}

/** `diff`: what changed since the previous signed-off run, for a run that lists findings (runs-diff.ts). */
export function exportRun(
  run: ChecklistRunRecord,
  format: ExportFormat,
  diff: FindingsDiff | null = null,
): { content: string; filename: string; format: ExportFormat } {
  return { content: format === 'markdown' ? toMarkdown(run, diff) : toHtml(run, diff), filename: exportFilename(run, format), format };
}
