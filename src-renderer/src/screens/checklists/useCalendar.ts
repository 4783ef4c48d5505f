// The active profile's maintenance calendar, kept current: read on mount, every minute
// (a daily item turns due at its time without anything else happening) and right after a
// sign-off anywhere in the app (the core pushes its audit entry).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MaintenanceCalendar } from '@contract/runbook';
import { api } from '../../shared/api/client';
import { toShownError, type ShownError } from '../../shared/state/errors';

export const CALENDAR_POLL_MS = 60_000;

export interface CalendarState {
  calendar: MaintenanceCalendar | null;
  error: ShownError | null;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useCalendar(profileId: string | null, refreshKey = 0): CalendarState {
  const [calendar, setCalendar] = useState<MaintenanceCalendar | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [loading, setLoading] = useState(false);
  // Answers can arrive out of order (poll + sign-off); only the newest request may land.
  const sequence = useRef(0);

  const reload = useCallback(async () => {
    if (!profileId) return;
    const mine = ++sequence.current;
    setLoading(true);
    try {
      const next = await api.getMaintenanceCalendar({ profileId });
      if (mine !== sequence.current) return;
      setCalendar(next);
      setError(null);
    } catch (err) {
      if (mine === sequence.current) setError(toShownError(err));
    } finally {
      if (mine === sequence.current) setLoading(false);
    }
  }, [profileId]);

  useEffect(() => {
    setCalendar(null);
    setError(null);
  }, [profileId]);

  useEffect(() => {
    if (!profileId) return;
    void reload();
    const timer = setInterval(() => void reload(), CALENDAR_POLL_MS);
    const unsubscribe = api.onEvent((event) => {
      if (event.type === 'audit.appended' && event.action === 'checklist.signoff') void reload();
    });
    return () => {
      clearInterval(timer);
      unsubscribe();
      // A late answer for the previous profile must not show under the next one.
      sequence.current++;
    };
  }, [profileId, reload, refreshKey]);

  return { calendar, error, loading, reload };
}
