// A profile's own alert thresholds: the defaults of thresholds.ts with the profile's
// overrides (table threshold_overrides, migration 6) on top. Only warn and critical can be
// changed; the metric, unit and direction are the step's meaning and stay as shipped. A
// change is checked whole (every key, every ordering) before anything is written, and
// written in one transaction: a bad value anywhere changes nothing.
import { OpsError } from '../../contract/errors';
import type { ThresholdSetting } from '../../contract/runbook';
import type { CoreDeps } from '../platform/kernel/deps';
import { DEFAULT_THRESHOLDS, formatValue, type Threshold, type ThresholdKey } from './thresholds';

interface OverrideRow {
  key: string;
  warn: number;
  critical: number | null;
}

export interface ThresholdValue {
  key: string;
  warn: number;
  critical: number | null;
}

export interface ThresholdChangeInput {
  values: readonly ThresholdValue[];
  reset: readonly string[];
}

/** What one call changed, for the audit summary. */
export interface ThresholdChange {
  key: ThresholdKey;
  before: { warn: number; critical: number | null };
  /** Null: put back to the default. */
  after: { warn: number; critical: number | null } | null;
}

const KEYS = Object.keys(DEFAULT_THRESHOLDS) as ThresholdKey[];

export function isThresholdKey(key: string): key is ThresholdKey {
  return Object.prototype.hasOwnProperty.call(DEFAULT_THRESHOLDS, key);
}

function readOverrides(deps: Pick<CoreDeps, 'store'>, profileId: string): Map<string, OverrideRow> {
  const rows = deps.store.db.prepare('SELECT key, warn, critical FROM threshold_overrides WHERE profile_id = ?').all(profileId) as OverrideRow[];
  return new Map(rows.map((r) => [r.key, r]));
}

function merged(key: ThresholdKey, override: OverrideRow | undefined): Threshold {
  const base: Threshold = DEFAULT_THRESHOLDS[key];
  return override ? { ...base, warn: override.warn, critical: override.critical } : base;
}

/**
 * The thresholds a checklist run on this profile judges by: the defaults, overridden by the
 * profile's own values. Read once, so a run judges every step by the same table even if
 * someone edits it meanwhile. A key saved by an older version and since removed is ignored.
 */
export function profileThresholds(deps: Pick<CoreDeps, 'store'>, profileId: string): (key: ThresholdKey) => Threshold {
  const overrides = readOverrides(deps, profileId);
  const table = new Map(KEYS.map((key) => [key, merged(key, overrides.get(key))]));
  return function thresholdOf(key: ThresholdKey): Threshold {
    return table.get(key) ?? DEFAULT_THRESHOLDS[key];
  };
}

/** Every threshold as the profile uses it, in the table's order (the runbook's five first). */
export function thresholdSettings(deps: Pick<CoreDeps, 'store'>, profileId: string): ThresholdSetting[] {
  const overrides = readOverrides(deps, profileId);
  return KEYS.map((key) => {
    const base: Threshold = DEFAULT_THRESHOLDS[key];
    const own = overrides.get(key);
    return {
      key,
      metric: base.metric,
      unit: base.unit,
      direction: base.direction,
      warn: own?.warn ?? base.warn,
      critical: own ? own.critical : base.critical,
      defaultWarn: base.warn,
      defaultCritical: base.critical,
      action: base.action,
      source: base.source,
      rationale: base.rationale ?? null,
      overridden: own !== undefined,
    };
  });
}

function invalid(message: string, field: string, fieldMessage: string): OpsError {
  return new OpsError('INVALID_INPUT', message, { fields: [{ field, message: fieldMessage }] });
}

/** Every problem with one value, as INVALID_INPUT naming its field. */
function checkValue(value: ThresholdValue, index: number): ThresholdKey {
  const at = `values.${index}`;
  if (!isThresholdKey(value.key)) {
    throw invalid(`There is no threshold "${value.key}". Thresholds: ${KEYS.join(', ')}.`, `${at}.key`, `unknown threshold; one of ${KEYS.join(', ')}`);
  }
  const t: Threshold = DEFAULT_THRESHOLDS[value.key];
  if (t.unit === 'percent') {
    for (const [name, v] of [
      ['warn', value.warn],
      ['critical', value.critical],
    ] as const) {
      if (v !== null && v > 100) throw invalid(`${t.metric}: a percentage cannot exceed 100 (got ${v} for ${name}).`, `${at}.${name}`, 'at most 100');
    }
  }
  if (value.critical !== null) {
    const ordered = t.direction === 'above' ? value.critical >= value.warn : value.critical <= value.warn;
    if (!ordered) {
      const rule = t.direction === 'above' ? 'at or above' : 'at or below';
      throw invalid(
        `${t.metric}: the critical level must be ${rule} the warning level, since ${t.direction === 'above' ? 'higher' : 'lower'} values are worse (warning ${formatValue(value.warn, t.unit)}, critical ${formatValue(value.critical, t.unit)}).`,
        `${at}.critical`,
        `must be ${rule} warn (${value.warn})`,
      );
    }
  }
  return value.key;
}

/** Checks everything before anything is written; the same key twice is a mistake, not a merge. */
function checkInput(input: ThresholdChangeInput): { values: Array<ThresholdValue & { key: ThresholdKey }>; reset: ThresholdKey[] } {
  const seen = new Set<string>();
  const values = input.values.map((v, i) => {
    const key = checkValue(v, i);
    if (seen.has(key)) throw invalid(`Threshold "${key}" is given twice; give each threshold once.`, `values.${i}.key`, 'given twice');
    seen.add(key);
    return { ...v, key };
  });
  const reset = input.reset.map((key, i) => {
    if (!isThresholdKey(key))
      throw invalid(`There is no threshold "${key}" to reset. Thresholds: ${KEYS.join(', ')}.`, `reset.${i}`, `unknown threshold; one of ${KEYS.join(', ')}`);
    if (seen.has(key)) throw invalid(`Threshold "${key}" is both set and reset; do one or the other.`, `reset.${i}`, 'also in values');
    return key;
  });
  return { values, reset };
}

/**
 * Applies new values and resets for one profile, in one transaction. A value equal to the
 * default is kept as an override (the operator chose it; a later change of our default
 * should not move it). Returns what actually changed.
 */
export function applyThresholds(deps: Pick<CoreDeps, 'store'>, profileId: string, input: ThresholdChangeInput, now = new Date()): ThresholdChange[] {
  const checked = checkInput(input);
  const db = deps.store.db;
  const upsert = db.prepare(
    `INSERT INTO threshold_overrides (profile_id, key, warn, critical, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (profile_id, key) DO UPDATE SET warn = excluded.warn, critical = excluded.critical, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare('DELETE FROM threshold_overrides WHERE profile_id = ? AND key = ?');
  return db.transaction((): ThresholdChange[] => {
    const current = profileThresholds(deps, profileId);
    const overrides = readOverrides(deps, profileId);
    const changes: ThresholdChange[] = [];
    for (const v of checked.values) {
      const before = current(v.key);
      upsert.run(profileId, v.key, v.warn, v.critical, now.toISOString());
      if (before.warn !== v.warn || before.critical !== v.critical) {
        changes.push({ key: v.key, before: { warn: before.warn, critical: before.critical }, after: { warn: v.warn, critical: v.critical } });
      }
    }
    for (const key of checked.reset) {
      if (!overrides.has(key)) continue;
      const before = current(key);
      remove.run(profileId, key);
      changes.push({ key, before: { warn: before.warn, critical: before.critical }, after: null });
    }
    return changes;
  })();
}

function shown(value: number | null, key: ThresholdKey): string {
  return value === null ? 'none' : formatValue(value, DEFAULT_THRESHOLDS[key].unit).replace(/ /g, '');
}

/** "connections warn 60→70, critical 80→90; lowStock reset to default". */
export function describeChanges(changes: readonly ThresholdChange[]): string {
  if (changes.length === 0) return 'no change';
  return changes
    .map((c) => {
      if (c.after === null) return `${c.key} reset to default`;
      const parts: string[] = [];
      if (c.before.warn !== c.after.warn) parts.push(`warn ${shown(c.before.warn, c.key)}→${shown(c.after.warn, c.key)}`);
      if (c.before.critical !== c.after.critical) parts.push(`critical ${shown(c.before.critical, c.key)}→${shown(c.after.critical, c.key)}`);
      return `${c.key} ${parts.join(', ')}`;
    })
    .join('; ');
}
