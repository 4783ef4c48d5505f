// Three states for every judged check (issue #19): pass, warning, fail. A check that reads
// "warning" in its detail is never shown as PASS. `ok` stays beside `status` in results and
// CLI JSON (cli.md fixes those fields) and means "not failed": a warning is worth reading
// but does not fail a restore, a drill or a verification, so exit codes are unchanged.
export type CheckVerdict = 'pass' | 'warning' | 'fail';

export const VERDICT_LABELS: Record<CheckVerdict, string> = { pass: 'PASS', warning: 'WARNING', fail: 'FAIL' };

/** Four-letter tags for plain-text lists (CLI), keeping the check names aligned. */
export const VERDICT_TAGS: Record<CheckVerdict, string> = { pass: 'OK  ', warning: 'WARN', fail: 'FAIL' };

const RANK: Record<CheckVerdict, number> = { pass: 0, warning: 1, fail: 2 };

/** The worst of the verdicts; pass for none. */
export function worstVerdict(verdicts: Iterable<CheckVerdict>): CheckVerdict {
  let worst: CheckVerdict = 'pass';
  for (const v of verdicts) if (RANK[v] > RANK[worst]) worst = v;
  return worst;
}

/** A check's verdict; records stored before `status` existed read ok → pass, else fail. */
export function verdictOf(check: { ok: boolean; status?: CheckVerdict | undefined }): CheckVerdict {
  return check.status ?? (check.ok ? 'pass' : 'fail');
}

/** A check with its three-state verdict and the `ok` derived from it. */
export function judged(name: string, status: CheckVerdict, detail: string): { name: string; ok: boolean; status: CheckVerdict; detail: string } {
  return { name, ok: status !== 'fail', status, detail };
}

type StoredCheck = { name: string; ok: boolean; status?: CheckVerdict; detail: string };

/** A report kept before `status` existed, read back with every verdict filled in. */
export function withVerdicts<C extends StoredCheck>(report: {
  ok: boolean;
  status?: CheckVerdict;
  checks: C[];
}): { ok: boolean; status: CheckVerdict; checks: Array<C & { status: CheckVerdict }> } {
  const checks = report.checks.map((c) => ({ ...c, status: verdictOf(c) }));
  return { ...report, checks, status: report.status ?? (report.ok ? worstVerdict(checks.map((c) => c.status)) : 'fail') };
}
