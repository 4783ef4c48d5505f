// Loading the Performance screen's reports: one small hook per call that loads when its
// inputs change, keeps the last good answer when a reload fails, and drops answers that
// arrive after the inputs moved on. The Overview also refreshes itself on a timer (pausable);
// the next refresh is scheduled when the previous one answers, so a slow server never
// piles calls up.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Overview } from '@contract/monitoring';
import { api } from '../../shared/api/client';
import type { PasswordState } from '../../shared/hooks/usePassword';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { OVERVIEW_REFRESH_SEC } from './performance-model';

export interface Loaded<T> {
  data: T | null;
  error: ShownError | null;
  loading: boolean;
  /** When the shown data arrived (local clock). */
  at: string | null;
  reload: () => Promise<void>;
}

/** The fields every monitoring call takes. */
export function profileInput(profileId: string, password: string | undefined): { profileId: string; password?: string } {
  return password ? { profileId, password } : { profileId };
}

/**
 * Calls `load` now and whenever it changes (it is a useCallback over the call's inputs);
 * `enabled` false holds the call (waiting for a password).
 */
export function useLoad<T>(load: () => Promise<T>, enabled: boolean, onError: (err: unknown) => void): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [loading, setLoading] = useState(false);
  const [at, setAt] = useState<string | null>(null);
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const next = await load();
      if (mine !== generation.current) return;
      setData(next);
      setError(null);
      setAt(new Date().toISOString());
    } catch (err) {
      if (mine !== generation.current) return;
      onError(err);
      setError(toShownError(err));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [load, onError]);

  useEffect(() => {
    if (enabled) void reload();
  }, [enabled, reload]);

  return { data, error, loading, at, reload };
}

export interface OverviewFeed extends Loaded<Overview> {
  paused: boolean;
  setPaused: (paused: boolean) => void;
}

export function useOverview(profileId: string, auth: PasswordState): OverviewFeed {
  const { password, needsPassword, noteError } = auth;
  const [paused, setPaused] = useState(false);
  const load = useCallback(() => api.getOverview(profileInput(profileId, password)), [profileId, password]);
  const loaded = useLoad(load, !needsPassword, noteError);
  const { reload, at, error } = loaded;

  // The timer restarts after each answer (good or failed): `at`/`error` change then.
  useEffect(() => {
    if (paused || needsPassword) return;
    const timer = setTimeout(() => void reload(), OVERVIEW_REFRESH_SEC * 1000);
    return () => clearTimeout(timer);
  }, [paused, needsPassword, reload, at, error]);

  return { ...loaded, paused, setPaused };
}
