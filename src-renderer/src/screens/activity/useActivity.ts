// The polled snapshot: getActivity every few seconds (the next call is scheduled when the
// previous answers, so a slow server never piles calls up), pausable, interval remembered.
// A failed refresh keeps the last good snapshot and says when it was taken.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ActivitySnapshot } from '@contract/activity';
import { api } from '../../shared/api/client';
import { usePassword } from '../../shared/hooks/usePassword';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { readSetting, writeSetting } from '../../shared/state/storage';
import { ACTIVITY_KEYS, matchesKeys } from '../../shared/keys/bindings';
import { INTERVAL_SETTING, parseInterval, spaceTogglesPause } from './activity-model';

export interface ActivityFeed {
  snapshot: ActivitySnapshot | null;
  error: ShownError | null;
  /** When the shown snapshot was received (local clock). */
  lastSuccessAt: string | null;
  loading: boolean;
  paused: boolean;
  setPaused: (paused: boolean) => void;
  intervalSec: number;
  setIntervalSec: (sec: number) => void;
  /** The profile needs a password the core does not hold; refreshing waits for it. */
  needsPassword: boolean;
  /** The password given here (sent with every call of this screen), if any. */
  password: string | undefined;
  submitPassword: (password: string) => void;
  refresh: () => Promise<void>;
}

export function useActivity(profileId: string | null): ActivityFeed {
  const [snapshot, setSnapshot] = useState<ActivitySnapshot | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [lastSuccessAt, setLastSuccessAt] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [paused, setPaused] = useState(false);
  const [intervalSec, setIntervalState] = useState(() => parseInterval(readSetting(INTERVAL_SETTING)));
  const { password, needsPassword, submitPassword, noteError, passwordWorked, reset: resetPassword } = usePassword();
  // Answers for a profile no longer shown are dropped.
  const current = useRef(profileId);
  current.current = profileId;

  useEffect(() => {
    setSnapshot(null);
    setError(null);
    setLastSuccessAt(null);
    resetPassword();
  }, [profileId, resetPassword]);

  const refresh = useCallback(async () => {
    if (!profileId) return;
    setLoading(true);
    try {
      const next = await api.getActivity({ profileId, ...(password ? { password } : {}) });
      if (current.current !== profileId) return;
      setSnapshot(next);
      setError(null);
      setLastSuccessAt(new Date().toISOString());
      passwordWorked();
    } catch (err) {
      if (current.current !== profileId) return;
      noteError(err);
      setError(toShownError(err));
    } finally {
      if (current.current === profileId) setLoading(false);
    }
  }, [profileId, password, passwordWorked, noteError]);

  useEffect(() => {
    if (!profileId || paused || needsPassword) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    async function tick() {
      await refresh();
      if (!stopped) timer = setTimeout(() => void tick(), intervalSec * 1000);
    }
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [profileId, paused, needsPassword, intervalSec, refresh]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (!matchesKeys(ACTIVITY_KEYS.pause, event) || event.repeat) return;
      if (!spaceTogglesPause(event.target instanceof HTMLElement ? event.target : null)) return;
      // A dialog's own controls take Space; the page behind it does not pause.
      if (document.querySelector('[role="dialog"]')) return;
      event.preventDefault();
      setPaused((p) => !p);
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const setIntervalSec = useCallback((sec: number) => {
    setIntervalState(sec);
    writeSetting(INTERVAL_SETTING, String(sec));
  }, []);

  return { snapshot, error, lastSuccessAt, loading, paused, setPaused, intervalSec, setIntervalSec, needsPassword, password, submitPassword, refresh };
}
