// Runs the feature rules of a jump against the connected database (issue #23). Each rule runs
// under its own savepoint, so one that fails (a catalog the role may not read, a timeout) is
// reported as unchecked and the others still run, inside the run's read-only transaction.
import type pg from 'pg';
import type { StepCheckResult } from '../platform/kernel/step-checks';
import { FEATURE_RULES, type FeatureRule } from './feature-rules';
import { latestReleasedMajor, releaseOf } from './releases';

/**
 * The major to plan for: the newest released one; on the newest already, the next one when the
 * table knows it (a beta), else null.
 */
export function targetMajorFor(current: number): number | null {
  const latest = latestReleasedMajor();
  if (current < latest) return latest;
  return releaseOf(Math.floor(current) + 1) ? Math.floor(current) + 1 : null;
}

/** The rules of the changes a jump crosses: those of majors in (current, target]. */
export function rulesForJump(current: number, target: number, rules: readonly FeatureRule[] = FEATURE_RULES): FeatureRule[] {
  return rules.filter((r) => r.major > current && r.major <= target);
}

export interface RuleOutcome {
  rule: FeatureRule;
  objects: string[];
  /** Set when the rule could not be checked (its guard said no, or its query failed). */
  skipped?: string;
}

const SAVEPOINT = 'ops_upgrade_rule';

async function runRule(client: pg.ClientBase, rule: FeatureRule): Promise<RuleOutcome> {
  await client.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    if (rule.guard) {
      const g = await client.query<{ ok: boolean }>(rule.guard);
      if (!g.rows[0]?.ok) {
        await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
        return { rule, objects: [], skipped: 'the role cannot read what this rule needs' };
      }
    }
    const r = await client.query<{ object: string }>(rule.sql, rule.params ?? []);
    await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return { rule, objects: r.rows.map((row) => row.object) };
  } catch (err) {
    // A failed statement aborts the transaction up to the savepoint; undo it so the next rule runs.
    await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return { rule, objects: [], skipped: err instanceof Error ? err.message : String(err) };
  }
}

export async function runRules(client: pg.ClientBase, rules: readonly FeatureRule[]): Promise<RuleOutcome[]> {
  const out: RuleOutcome[] = [];
  for (const rule of rules) out.push(await runRule(client, rule));
  return out;
}

export interface FeatureJudgeInput {
  current: number;
  target: number;
  outcomes: RuleOutcome[];
  supabase: boolean;
  /** Rules left to the platform (server scope on Supabase): counted in the summary only. */
  platformRules: number;
  targetIsBeta: boolean;
}

/** Only rules that found something become rows; unchecked rules get one row each so nothing is silently skipped. */
export function judgeFeatures(input: FeatureJudgeInput): StepCheckResult {
  const columns = ['Changes in', 'Change', 'Found here', 'What to do'];
  const rows: StepCheckResult['rows'] = [];
  const fired = input.outcomes.filter((o) => o.objects.length > 0);
  const skipped = input.outcomes.filter((o) => o.skipped);
  for (const o of fired) for (const obj of o.objects) rows.push([o.rule.major, o.rule.change, obj, o.rule.action]);
  for (const o of skipped) rows.push([o.rule.major, o.rule.change, `not checked: ${o.skipped}`, 'Check by hand with the release notes.']);
  const beta = input.targetIsBeta ? ` (${input.target} is in beta: its notes may still change)` : '';
  const jump = `${input.current} → ${input.target}${beta}`;
  const checked = input.outcomes.length - skipped.length;
  const platform =
    input.platformRules > 0
      ? `; ${input.platformRules} server-level change${input.platformRules === 1 ? '' : 's'} left to Supabase, which runs the upgrade`
      : '';
  const notChecked = skipped.length ? `; ${skipped.length} not checked` : '';
  const summary = fired.length
    ? `${fired.length} change${fired.length === 1 ? ' across ' + jump + ' touches' : 's across ' + jump + ' touch'} this database (${rows.length - skipped.length} object${rows.length - skipped.length === 1 ? '' : 's'})${notChecked}${platform}.`
    : `None of the ${checked} checked change${checked === 1 ? '' : 's'} across ${jump} touches this database${notChecked}${platform}.`;
  return { status: fired.length ? 'warning' : 'ok', summary, value: fired.length, warn: 1, critical: null, columns, rows };
}
