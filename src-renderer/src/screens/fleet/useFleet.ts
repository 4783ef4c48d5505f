// The Fleet screen's data: the rows from the local store (getFleet; re-read every 30 s so ages
// and checklist states move on), and a refresh that runs the overview on every profile shown
// and replaces each row as its `fleet.refresh` event arrives.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FleetRefreshResult, FleetView } from '@contract/fleet-screen';
import { api } from '../../shared/api/client';
import { randomId } from '../../shared/ids';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { replaceRow, type RefreshProgress } from './fleet-model';

const REREAD_MS = 30_000;

export interface FleetFeed {
  view: FleetView | null;
  error: ShownError | null;
  progress: RefreshProgress | null;
  /** The last refresh's outcome, for the line under the toolbar. */
  lastRefresh: Pick<FleetRefreshResult, 'refreshed' | 'failed' | 'cancelled' | 'durationMs'> | null;
  refresh(): Promise<void>;
  /** Stops the running refresh: profiles not done yet keep their rows. */
  cancel(): Promise<void>;
  reload(): Promise<void>;
}

export function useFleet(tag: string | null): FleetFeed {
  const [view, setView] = useState<FleetView | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [progress, setProgress] = useState<RefreshProgress | null>(null);
  const [lastRefresh, setLastRefresh] = useState<FleetFeed['lastRefresh']>(null);
  const refreshing = useRef(false);
  const refreshIdRef = useRef<string | null>(null);
  const tagRef = useRef(tag);
  tagRef.current = tag;

  const reload = useCallback(async () => {
    try {
      const next = await api.getFleet({ tag });
      // An answer for a filter the user has left since is dropped.
      if (tagRef.current === tag) setView(next);
      setError(null);
    } catch (err) {
      setError(toShownError(err));
    }
  }, [tag]);

  useEffect(() => {
    void reload();
    const timer = window.setInterval(() => {
      // A refresh in flight updates the rows itself; a re-read meanwhile would flicker them back.
      if (!refreshing.current) void reload();
    }, REREAD_MS);
    return () => window.clearInterval(timer);
  }, [reload]);

  const refresh = useCallback(async () => {
    if (refreshing.current) return;
    refreshing.current = true;
    const refreshId = randomId();
    refreshIdRef.current = refreshId;
    const unsubscribe = api.onEvent((event) => {
      if (event.type !== 'fleet.refresh' || event.refreshId !== refreshId) return;
      setProgress({ done: event.done, total: event.total });
      if (event.phase === 'target') {
        const row = event.row;
        setView((current) => (current ? replaceRow(current, row) : current));
      }
    });
    try {
      await api.eventsReady().catch(() => undefined);
      setProgress({ done: 0, total: view?.rows.length ?? 0 });
      const result = await api.refreshFleet({ tag, refreshId });
      if (tagRef.current === tag) setView(result);
      setLastRefresh({ refreshed: result.refreshed, failed: result.failed, cancelled: result.cancelled, durationMs: result.durationMs });
      setError(null);
    } catch (err) {
      setError(toShownError(err));
    } finally {
      unsubscribe();
      refreshing.current = false;
      refreshIdRef.current = null;
      setProgress(null);
    }
  }, [tag, view?.rows.length]);

  const cancel = useCallback(async () => {
    const refreshId = refreshIdRef.current;
    if (refreshId === null) return;
    try {
      await api.cancelFleetRefresh({ refreshId });
    } catch (err) {
      setError(toShownError(err));
    }
  }, []);

  return { view, error, progress, lastRefresh, refresh, cancel, reload };
}
