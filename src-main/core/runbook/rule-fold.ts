// How a read step's rows become its verdict: the rule's column folded over every row as the
// cursor delivers them (max, min, sum or the first value), then judged against the
// profile's threshold, unless the first row shows a state the number would misread
// (Rule.unless).
import type { ChecklistStepResult } from '../../contract/runbook';
import type { Rule, Step } from './model';
import { judge, type Threshold, type ThresholdKey } from './thresholds';
import { plural } from '../platform/text/plural';

type Cell = ChecklistStepResult['rows'][number][number];
type Thresholds = (key: ThresholdKey) => Threshold;

/** Folds the rule's column over every row as the cursor delivers them. */
export class RuleFold {
  private index = -1;
  private value: number | null = null;
  private seen = false;
  private overrideIndex = -1;
  /** The override column's text in the first row (null: no row, or SQL NULL). */
  private overrideCell: string | null = null;
  missing = false;

  constructor(private readonly rule: Rule | undefined) {}

  setColumns(columns: string[]): void {
    if (this.rule?.unless) this.overrideIndex = columns.indexOf(this.rule.unless.column);
    if (this.rule?.metric.type !== 'column') return;
    this.index = columns.indexOf(this.rule.metric.column);
    this.missing = this.index < 0;
  }

  add(row: Cell[]): void {
    if (!this.seen && this.overrideIndex >= 0) {
      const cell = row[this.overrideIndex];
      this.overrideCell = cell === null || cell === undefined ? null : String(cell);
    }
    const metric = this.rule?.metric;
    if (metric?.type !== 'column' || this.index < 0) {
      this.seen = true;
      return;
    }
    if (metric.aggregate === 'first' && this.seen) return;
    this.seen = true;
    const cell = row[this.index];
    const n = typeof cell === 'number' ? cell : typeof cell === 'string' && cell.trim() !== '' ? Number(cell) : NaN;
    if (!Number.isFinite(n)) return;
    if (this.value === null || metric.aggregate === 'first') this.value = n;
    else if (metric.aggregate === 'max') this.value = Math.max(this.value, n);
    else if (metric.aggregate === 'min') this.value = Math.min(this.value, n);
    else this.value += n;
  }

  /** The rule's override, when the first row is in its state. */
  overridden(): NonNullable<Rule['unless']> | null {
    const unless = this.rule?.unless;
    return unless && this.overrideCell !== null && this.overrideCell === unless.equals ? unless : null;
  }

  result(rowCount: number): number | null {
    const metric = this.rule?.metric;
    if (!metric) return null;
    if (metric.type === 'rowCount') return rowCount;
    if (rowCount === 0) return metric.empty ?? null;
    return this.value;
  }
}

export function judged(
  step: Step,
  fold: RuleFold,
  rowCount: number,
  thresholds: Thresholds,
): Pick<ChecklistStepResult, 'status' | 'summary' | 'value' | 'warn' | 'critical'> {
  if (!step.rule) return { status: 'ok', summary: `${plural(rowCount, 'row')} to read (no threshold)`, value: null, warn: null, critical: null };
  const threshold = thresholds(step.rule.threshold);
  const limits = { warn: threshold.warn, critical: threshold.critical };
  const override = fold.overridden();
  // The value stays null: the number (e.g. 0 failed attempts) is not what was judged.
  if (override) return { status: override.status, summary: override.summary, value: null, ...limits };
  if (fold.missing && step.rule.metric.type === 'column') {
    return { status: 'unknown', summary: `the result has no column "${step.rule.metric.column}" for the rule to judge`, value: null, ...limits };
  }
  const raw = fold.result(rowCount);
  const value = raw === null ? null : raw * (step.rule.scale ?? 1);
  const verdict = judge(value, threshold, step.rule.noun);
  return { status: verdict.status, summary: verdict.summary, value, ...limits };
}
