// A security finding and how a check turns its findings into a step result. Every security
// check answers the same four columns — the object (quoted as SQL quotes it), what is wrong,
// its severity, and the fix as SQL (shown, never run) — so the security audit can merge
// them and a report can compare audits by (check, object).
import type { StepCheckResult } from '../platform/kernel/step-checks';

export type Severity = 'warning' | 'critical';

export interface Finding {
  /** The object as SQL names it (format('%I.%I')): unambiguous for names with quotes or spaces. */
  object: string;
  finding: string;
  severity: Severity;
  /** SQL that removes the finding, identifiers quoted; null when only a person can decide. */
  fix: string | null;
}

export const FINDING_COLUMNS = ['object', 'finding', 'severity', 'fix'];

export function severityOf(value: unknown): Severity {
  return value === 'critical' ? 'critical' : 'warning';
}

/** OK with `clean` when nothing was found; otherwise the worst severity, with counts. */
export function judgeFindings(findings: readonly Finding[], what: string, clean: string): StepCheckResult {
  const critical = findings.filter((f) => f.severity === 'critical').length;
  const status = findings.length === 0 ? 'ok' : critical > 0 ? 'critical' : 'warning';
  const summary =
    findings.length === 0
      ? clean
      : `${findings.length} ${what}${critical > 0 ? ` (${critical} critical)` : ''}: ${findings
          .map((f) => f.object)
          .slice(0, 5)
          .join(', ')}${findings.length > 5 ? ', …' : ''}`;
  return {
    status,
    summary,
    value: findings.length,
    warn: 1,
    critical: null,
    columns: FINDING_COLUMNS,
    rows: findings.map((f) => [f.object, f.finding, f.severity, f.fix]),
  };
}

export function notApplicable(summary: string): StepCheckResult {
  return { status: 'not_applicable', summary, value: null, warn: null, critical: null, columns: [], rows: [] };
}

export function unknown(summary: string): StepCheckResult {
  return { status: 'unknown', summary, value: null, warn: null, critical: null, columns: [], rows: [] };
}
