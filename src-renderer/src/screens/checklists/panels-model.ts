// Pure helpers behind the thresholds editor, the maintenance calendar and the navigation's
// "due" dot: unit conversions for editing, what a Save must send, relative times.
import type { CalendarItem, MaintenanceCalendar, ThresholdSetting, ThresholdUnitName } from '@contract/runbook';

const GiB = 1024 ** 3;

/** What the editor shows next to a number: bytes are edited in GB (1024³, as pg_size_pretty). */
export const UNIT_LABEL: Record<ThresholdUnitName, string> = { bytes: 'GB', seconds: 's', hours: 'h', percent: '%', count: 'count' };

/** A stored value in the unit the operator edits. */
export function toDisplay(value: number, unit: ThresholdUnitName): number {
  if (unit !== 'bytes') return value;
  // Two decimals are enough for GB and keep 8 GiB from showing as 8.000000001.
  return Math.round((value / GiB) * 100) / 100;
}

/** An edited value back in the stored unit (whole bytes). */
export function fromDisplay(value: number, unit: ThresholdUnitName): number {
  return unit === 'bytes' ? Math.round(value * GiB) : value;
}

/** A stored value as the editor shows it and reads it back. */
function roundTrip(value: number | null, unit: ThresholdUnitName): number | null {
  return value === null ? null : fromDisplay(toDisplay(value, unit), unit);
}

/** An edited row as typed: the fields hold what the inputs hold ('' when empty). */
export interface ThresholdDraft {
  warn: number | string;
  critical: number | string;
}

export function draftOf(warn: number, critical: number | null, unit: ThresholdUnitName): ThresholdDraft {
  return { warn: toDisplay(warn, unit), critical: critical === null ? '' : toDisplay(critical, unit) };
}

function numberOf(value: number | string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : null;
}

export interface ParsedDraft {
  warn: number;
  critical: number | null;
}

/** The draft in stored units, or the words for what is wrong with it (by field). */
export function parseDraft(draft: ThresholdDraft, unit: ThresholdUnitName): { value: ParsedDraft } | { errors: Partial<Record<'warn' | 'critical', string>> } {
  const warn = numberOf(draft.warn);
  const emptyCritical = typeof draft.critical === 'string' && draft.critical.trim() === '';
  const critical = emptyCritical ? null : numberOf(draft.critical);
  const errors: Partial<Record<'warn' | 'critical', string>> = {};
  if (warn === null) errors.warn = 'Enter a number';
  else if (warn < 0) errors.warn = 'Must be 0 or more';
  if (!emptyCritical && critical === null) errors.critical = 'Enter a number, or leave empty for never critical';
  else if (critical !== null && critical < 0) errors.critical = 'Must be 0 or more';
  if (warn === null || errors.warn || errors.critical) return { errors };
  return { value: { warn: fromDisplay(warn, unit), critical: critical === null ? null : fromDisplay(critical, unit) } };
}

export interface ThresholdChanges {
  values: Array<{ key: string; warn: number; critical: number | null }>;
  reset: string[];
  /** Per key, what must be fixed before anything can be saved. */
  errors: Record<string, Partial<Record<'warn' | 'critical', string>>>;
}

/**
 * Only the rows whose draft differs from what the profile uses now. A row edited back to
 * the defaults is a reset (the override goes), not an override equal to the default.
 */
export function changesOf(settings: ThresholdSetting[], drafts: Record<string, ThresholdDraft>): ThresholdChanges {
  const out: ThresholdChanges = { values: [], reset: [], errors: {} };
  for (const s of settings) {
    const draft = drafts[s.key];
    if (!draft) continue;
    const parsed = parseDraft(draft, s.unit);
    if ('errors' in parsed) {
      out.errors[s.key] = parsed.errors;
      continue;
    }
    const { warn, critical } = parsed.value;
    // Compared as the editor shows them: 100 MB reads back from "0.1 GB" as 107,374,182
    // bytes, and an untouched row must not count as a change.
    if (warn === roundTrip(s.warn, s.unit) && critical === roundTrip(s.critical, s.unit)) continue;
    if (warn === roundTrip(s.defaultWarn, s.unit) && critical === roundTrip(s.defaultCritical, s.unit)) out.reset.push(s.key);
    else out.values.push({ key: s.key, warn, critical });
  }
  return out;
}

/** INVALID_INPUT field paths of a setThresholds call ("values.0.critical") → the row key and field. */
export function rowFieldOf(field: string, sent: ThresholdChanges['values']): { key: string; field: 'warn' | 'critical' | null } | null {
  const match = /^values\.(\d+)(?:\.(warn|critical))?/.exec(field);
  if (!match) return null;
  const row = sent[Number(match[1])];
  if (!row) return null;
  return { key: row.key, field: (match[2] as 'warn' | 'critical' | undefined) ?? null };
}

/** "in 3 h", "5 min ago", "2 days ago": how far an instant is from now. */
export function relativeTime(iso: string, nowMs: number): string {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return iso;
  const diff = at - nowMs;
  const abs = Math.abs(diff);
  const minute = 60_000;
  const hour = 60 * minute;
  const day = 24 * hour;
  let text: string;
  if (abs < minute) return diff >= 0 ? 'in less than a minute' : 'just now';
  if (abs < hour) text = `${Math.round(abs / minute)} min`;
  else if (abs < 2 * day) text = `${Math.round(abs / hour)} h`;
  else text = `${Math.round(abs / day)} days`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

export const CALENDAR_STATE_COLOR: Record<CalendarItem['state'], string> = { done: 'green', upcoming: 'gray', due: 'yellow', overdue: 'red' };

export const CADENCE_LABEL: Record<CalendarItem['cadence'], string> = { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly', quarterly: 'Quarterly' };

/** The daily checklists (morning, evening) the operator still owes: what the navigation's dot counts. */
export function dueChecklists(calendar: MaintenanceCalendar): CalendarItem[] {
  return calendar.items.filter((i) => (i.checklist === 'morning' || i.checklist === 'evening') && (i.state === 'due' || i.state === 'overdue'));
}
