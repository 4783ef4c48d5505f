// The one badge of a judged check's three states (issue #19): PASS, WARNING, FAIL. Used by
// restore validation, drill reports and backup verification, so a check whose detail
// reads "warning" is never shown as a pass anywhere.
import { Badge, type MantineSize } from '@mantine/core';
import { VERDICT_LABELS, verdictOf, type CheckVerdict } from '@contract/verdict';

export const VERDICT_COLORS: Record<CheckVerdict, string> = { pass: 'green', warning: 'yellow', fail: 'red' };

/** Fail first, then warnings, then passes: the eye lands on what needs attention. */
export function byVerdict<C extends { ok: boolean; status?: CheckVerdict }>(checks: readonly C[]): C[] {
  const rank: Record<CheckVerdict, number> = { fail: 0, warning: 1, pass: 2 };
  return [...checks].sort((a, b) => rank[verdictOf(a)] - rank[verdictOf(b)]);
}

export function VerdictBadge({ check, size = 'sm' }: { check: { ok: boolean; status?: CheckVerdict }; size?: MantineSize }) {
  const verdict = verdictOf(check);
  return (
    <Badge size={size} color={VERDICT_COLORS[verdict]} variant="filled" c={verdict === 'warning' ? 'dark' : undefined}>
      {VERDICT_LABELS[verdict]}
    </Badge>
  );
}
