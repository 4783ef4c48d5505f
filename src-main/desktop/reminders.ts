// Desktop reminders for the daily checklists: once a minute, ask the core which morning or
// evening checklists are due and not signed off (runbook/calendar.ts decides, in plain
// Node where it is tested) and show each as a system notification once a day. Only the
// Notification calls live here.
import { Notification } from 'electron';
import type { Core } from '../core/app';
import { log } from '../core/platform/kernel/log';
import { dueReminders } from '../core/runbook';

const CHECK_EVERY_MS = 60_000;

/**
 * Starts the reminder clock; `focus` brings the main window up (creating it if needed).
 * Returns the function that stops it, for quit.
 */
export function startChecklistReminders(core: Core, focus: () => void): () => void {
  if (!Notification.isSupported()) return () => undefined;
  const notified = new Set<string>();
  // A notification object that is garbage-collected loses its click handler while the
  // system still shows it: keep each until it is clicked, closed or failed.
  const shown = new Set<Notification>();
  let day = new Date().toDateString();

  function check(): void {
    const now = new Date();
    if (now.toDateString() !== day) {
      day = now.toDateString();
      notified.clear();
    }
    try {
      for (const reminder of dueReminders(core.deps, now, notified)) {
        notified.add(reminder.key);
        const notification = new Notification({ title: reminder.title, body: reminder.body });
        shown.add(notification);
        const release = () => shown.delete(notification);
        notification.once('click', () => {
          release();
          focus();
        });
        notification.once('close', release);
        notification.once('failed', release);
        notification.show();
      }
    } catch (err) {
      // A store hiccup must not stop the clock; the next minute tries again.
      log.warn('checklist reminders: could not check', err);
    }
  }

  const timer = setInterval(check, CHECK_EVERY_MS);
  timer.unref();
  check();
  return function stopChecklistReminders(): void {
    clearInterval(timer);
    shown.clear();
  };
}
