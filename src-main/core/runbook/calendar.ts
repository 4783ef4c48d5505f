// The maintenance calendar: which procedures with a cadence are done, coming up, due or
// overdue on a profile, from its signed-off runs (table checklist_runs), and the desktop
// reminders derived from it. Times are the machine's local time: "9 AM" means 9 AM where
// the operator sits. `now` is a parameter everywhere so the rules can be tested.
//
// Rules
// - A completion is a signed-off run (its `signed_at`): running a checklist without signing
//   it off is looking, not doing. Runs are matched by what runChecklist records as the
//   checklist: the run name for a checklist ("morning"), the procedure id otherwise.
// - daily (with dueTime HH:MM, default 00:00): done once signed off since local midnight
//   today. Otherwise upcoming before its time, due from its time for 2 hours, overdue after.
//   A daily item never done follows the same clock (upcoming at 8 AM, overdue at 3 PM):
//   "never" says nothing about today. dueAt is today's time.
// - weekly / monthly / quarterly: due again one period after the last completion (calendar
//   periods in local time: 7 days, 1 month, 3 months; the 31st plus one month is the last
//   day of the next month). Done before that; due for a grace of 2 days (weekly), 7 days
//   (monthly), 14 days (quarterly); overdue after. Never done: due now (dueAt = now), since
//   there is no date to count from and it should be done.
// - Reminders (desktop notification): only daily checklists, only in state due or overdue,
//   only on profiles where they matter: production ones, or ones where someone signed off
//   that checklist in the last 14 days (someone does run it there). Once per profile,
//   checklist and local day: the caller keeps the keys it has shown.
import type { CheckStatus, CalendarItem, Cadence, MaintenanceCalendar } from '../../contract/runbook';
import type { CoreDeps } from '../platform/kernel/deps';
import { BUILTIN_RUNBOOK } from './builtin';
import type { Procedure } from './model';

export const DAILY_WINDOW_MS = 2 * 60 * 60 * 1000;
export const GRACE_DAYS: Record<Exclude<Cadence, 'daily'>, number> = { weekly: 2, monthly: 7, quarterly: 14 };
/** A profile counts as "where this checklist is run" after a sign-off this recent. */
export const REMINDER_RECENT_DAYS = 14;

/** The last signed-off run of one checklist or procedure on a profile. */
export interface LastRun {
  checklistId: string;
  id: string;
  status: CheckStatus;
  signedAt: string;
}

function parseDueTime(dueTime: string | undefined): { hours: number; minutes: number } {
  if (dueTime === undefined) return { hours: 0, minutes: 0 };
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(dueTime);
  if (!m) throw new Error(`maintenance calendar: dueTime "${dueTime}" is not HH:MM`);
  return { hours: Number(m[1]), minutes: Number(m[2]) };
}

function localMidnight(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

function addDays(date: Date, days: number): Date {
  const d = new Date(date.getTime());
  d.setDate(d.getDate() + days);
  return d;
}

/** Calendar months in local time, clamped to the month's last day (Jan 31 + 1 → Feb 28/29). */
export function addMonths(date: Date, months: number): Date {
  const firstOfTarget = new Date(
    date.getFullYear(),
    date.getMonth() + months,
    1,
    date.getHours(),
    date.getMinutes(),
    date.getSeconds(),
    date.getMilliseconds(),
  );
  const lastDay = new Date(firstOfTarget.getFullYear(), firstOfTarget.getMonth() + 1, 0).getDate();
  firstOfTarget.setDate(Math.min(date.getDate(), lastDay));
  return firstOfTarget;
}

function nextAfter(last: Date, cadence: Exclude<Cadence, 'daily'>): Date {
  if (cadence === 'weekly') return addDays(last, 7);
  return addMonths(last, cadence === 'monthly' ? 1 : 3);
}

/** The name checklist_runs records for this procedure (see runChecklist). */
export function runName(procedure: Procedure): string {
  return procedure.checklist ?? procedure.id;
}

function lastRunOf(procedure: Procedure, runs: readonly LastRun[]): LastRun | null {
  let last: LastRun | null = null;
  for (const r of runs) {
    if (r.checklistId !== runName(procedure) && r.checklistId !== procedure.id) continue;
    if (last === null || Date.parse(r.signedAt) > Date.parse(last.signedAt)) last = r;
  }
  return last;
}

function dailyState(procedure: Procedure, last: Date | null, now: Date): Pick<CalendarItem, 'state' | 'dueAt'> {
  const { hours, minutes } = parseDueTime(procedure.dueTime);
  const midnight = localMidnight(now);
  const dueAt = new Date(midnight.getFullYear(), midnight.getMonth(), midnight.getDate(), hours, minutes);
  const iso = dueAt.toISOString();
  if (last !== null && last.getTime() >= midnight.getTime()) return { state: 'done', dueAt: iso };
  if (now.getTime() < dueAt.getTime()) return { state: 'upcoming', dueAt: iso };
  if (now.getTime() < dueAt.getTime() + DAILY_WINDOW_MS) return { state: 'due', dueAt: iso };
  return { state: 'overdue', dueAt: iso };
}

function periodicState(cadence: Exclude<Cadence, 'daily'>, last: Date | null, now: Date): Pick<CalendarItem, 'state' | 'dueAt'> {
  if (last === null) return { state: 'due', dueAt: now.toISOString() };
  const next = nextAfter(last, cadence);
  const iso = next.toISOString();
  if (now.getTime() < next.getTime()) return { state: 'done', dueAt: iso };
  if (now.getTime() < addDays(next, GRACE_DAYS[cadence]).getTime()) return { state: 'due', dueAt: iso };
  return { state: 'overdue', dueAt: iso };
}

/** One item per procedure with a cadence, in the procedures' order. Pure. */
export function calendarItems(procedures: readonly Procedure[], runs: readonly LastRun[], now: Date): CalendarItem[] {
  return procedures.flatMap((procedure) => {
    const cadence = procedure.cadence;
    if (cadence === undefined) return [];
    const last = lastRunOf(procedure, runs);
    const lastAt = last === null ? null : new Date(last.signedAt);
    const timing = cadence === 'daily' ? dailyState(procedure, lastAt, now) : periodicState(cadence, lastAt, now);
    const item: CalendarItem = {
      procedureId: procedure.id,
      checklist: procedure.checklist ?? null,
      title: procedure.title,
      cadence,
      dueTime: cadence === 'daily' ? (procedure.dueTime ?? '00:00') : null,
      lastDoneAt: last?.signedAt ?? null,
      lastStatus: last?.status ?? null,
      lastRunId: last?.id ?? null,
      ...timing,
    };
    return [item];
  });
}

/** The newest signed-off run of each checklist on the profile (SQLite returns the max row's columns). */
function lastRuns(deps: Pick<CoreDeps, 'store'>, profileId: string): LastRun[] {
  return deps.store.db
    .prepare('SELECT checklist_id AS checklistId, id, status, max(signed_at) AS signedAt FROM checklist_runs WHERE profile_id = ? GROUP BY checklist_id')
    .all(profileId) as LastRun[];
}

function calendarProcedures(): Procedure[] {
  return BUILTIN_RUNBOOK.procedures.filter((p) => p.cadence !== undefined);
}

export function maintenanceCalendar(deps: Pick<CoreDeps, 'store'>, profileId: string, now = new Date()): MaintenanceCalendar {
  return { profileId, now: now.toISOString(), items: calendarItems(calendarProcedures(), lastRuns(deps, profileId), now) };
}

export interface ChecklistReminder {
  /** profileId|checklist|local date: show each once. */
  key: string;
  profileId: string;
  profileName: string;
  checklist: string;
  state: 'due' | 'overdue';
  dueAt: string;
  /** "Morning checklist due on shop-prod" */
  title: string;
  /** "Due at 09:00, not signed off yet." */
  body: string;
}

function localDate(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function ranRecently(deps: Pick<CoreDeps, 'store'>, profileId: string, checklist: string, now: Date): boolean {
  const since = new Date(now.getTime() - REMINDER_RECENT_DAYS * 24 * 60 * 60 * 1000).toISOString();
  return (
    deps.store.db
      .prepare('SELECT 1 FROM checklist_runs WHERE profile_id = ? AND checklist_id = ? AND signed_at >= ? LIMIT 1')
      .get(profileId, checklist, since) !== undefined
  );
}

function reminderText(checklist: string, profileName: string, state: 'due' | 'overdue', dueTime: string): Pick<ChecklistReminder, 'title' | 'body'> {
  const name = `${checklist.charAt(0).toUpperCase()}${checklist.slice(1)} checklist`;
  return {
    title: `${name} ${state} on ${profileName}`,
    body: state === 'due' ? `Due at ${dueTime}, not signed off yet.` : `Was due at ${dueTime} and is not signed off yet.`,
  };
}

/** The daily-checklist reminders to show now, leaving out those already shown (by key). */
export function dueReminders(deps: Pick<CoreDeps, 'store' | 'profiles'>, now: Date, alreadyNotified: ReadonlySet<string>): ChecklistReminder[] {
  const daily = calendarProcedures().filter((p) => p.cadence === 'daily' && p.checklist !== undefined);
  const reminders: ChecklistReminder[] = [];
  for (const profile of deps.profiles.list()) {
    const items = calendarItems(daily, lastRuns(deps, profile.id), now);
    for (const item of items) {
      if (item.checklist === null || (item.state !== 'due' && item.state !== 'overdue')) continue;
      const key = `${profile.id}|${item.checklist}|${localDate(now)}`;
      if (alreadyNotified.has(key)) continue;
      if (profile.env !== 'production' && !ranRecently(deps, profile.id, item.checklist, now)) continue;
      reminders.push({
        key,
        profileId: profile.id,
        profileName: profile.name,
        checklist: item.checklist,
        state: item.state,
        dueAt: item.dueAt,
        ...reminderText(item.checklist, profile.name, item.state, item.dueTime ?? '00:00'),
      });
    }
  }
  return reminders;
}
