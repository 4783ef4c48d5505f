// The Fleet screen's pure parts: colours and words for the rows' states, ages, and keeping the
// rows in the core's order as a refresh replaces them one by one.
import { compareFleetRows, type FleetChecklist, type FleetRow, type FleetView } from '@contract/fleet-screen';
import type { CheckStatus } from '@contract/runbook';

export const STATUS_COLORS: Record<CheckStatus, string> = { ok: 'green', warning: 'yellow', critical: 'red', unknown: 'gray' };
export const STATUS_LABELS: Record<CheckStatus, string> = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' };
export const CHECKLIST_COLORS: Record<FleetChecklist['state'], string> = { done: 'green', upcoming: 'gray', due: 'yellow', overdue: 'red' };

/** "40 s", "12 min", "5 h", "3 days": an age or a duration in the largest unit that fits. */
export function ageText(ms: number): string {
  const minute = 60_000;
  const hour = 60 * minute;
  const day = 24 * hour;
  if (ms < minute) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (ms < hour) return `${Math.round(ms / minute)} min`;
  if (ms < 2 * day) return `${Math.round(ms / hour)} h`;
  return `${Math.round(ms / day)} days`;
}

/** How long ago an instant was, against the view's clock: "12 min ago". */
export function agoText(iso: string | null, nowMs: number): string {
  if (iso === null) return '—';
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : `${ageText(nowMs - at)} ago`;
}

/** The connection cell in words: how the last try to reach the server went. */
export function connectionText(row: FleetRow): string {
  const c = row.connection;
  if (c.state === 'never') return 'Never checked from here';
  if (c.state === 'ok') return 'Answered';
  return c.message ?? c.code ?? 'failed';
}

/** The row's new state in place, the list re-ordered worst first (the core's order). */
export function replaceRow(view: FleetView, row: FleetRow): FleetView {
  const known = view.rows.some((r) => r.profileId === row.profileId);
  // A profile not in the view (another tag, or added meanwhile) stays out until the next read.
  if (!known) return view;
  return { ...view, rows: view.rows.map((r) => (r.profileId === row.profileId ? row : r)).sort(compareFleetRows) };
}

export interface RefreshProgress {
  done: number;
  total: number;
}

/** "Refreshing 3 of 12…", or the button's own words when idle. */
export function refreshLabel(progress: RefreshProgress | null, shown: number): string {
  if (progress !== null) return `Refreshing ${progress.done} of ${progress.total}…`;
  return shown === 1 ? 'Refresh 1 profile' : `Refresh ${shown} profiles`;
}
