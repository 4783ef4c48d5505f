// The editor's tabs for one profile: loaded from the local store, saved as the user types
// (debounced, and flushed when the console goes away or the window closes), so drafts
// survive restarts. A profile that never had tabs starts with one, holding the script the
// first console kept in localStorage, so nothing typed before tabs existed is lost.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EditorTab } from '@contract/models';
import { api } from '../../shared/api/client';
import { loadScript } from './query-tools';

export const SAVE_DELAY_MS = 400;
/** The contract's limit per profile. */
export const MAX_EDITOR_TABS = 50;

export interface EditorTabsState {
  /** False until the saved tabs are read; keep the editor read-only until then. */
  ready: boolean;
  tabs: EditorTab[];
  activeId: string;
  active: EditorTab;
  /** The last load or save failure, for an alert; cleared by the next successful save. */
  error: unknown;
  /** Replaces the active tab's text (what the editor's onChange calls). */
  setSql: (sql: string) => void;
  /** Opens a tab after the others and activates it; returns its id (null at the limit). */
  newTab: (sql?: string, title?: string) => string | null;
  /** Closes a tab; the last one is never closed, only emptied. */
  closeTab: (id: string) => void;
  renameTab: (id: string, title: string) => void;
  switchTab: (id: string) => void;
  /** Saves now whatever is pending. */
  flush: () => Promise<void>;
}

interface Snapshot {
  /** Whose tabs these are: a save always goes to the profile the tabs were read for. */
  profileId: string;
  tabs: EditorTab[];
  activeId: string;
}

function newId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `t-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** "Query N" with N one past the highest in use, so titles never repeat within a profile. */
export function nextTitle(tabs: EditorTab[]): string {
  const used = tabs
    .map((t) => /^Query (\d+)$/.exec(t.title)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  return `Query ${used.length === 0 ? 1 : Math.max(...used) + 1}`;
}

function firstSnapshot(profileId: string): Snapshot {
  const tab: EditorTab = { id: newId(), title: 'Query 1', sql: loadScript(profileId) };
  return { profileId, tabs: [tab], activeId: tab.id };
}

/** After closing `id`: the tab to its right, else to its left. */
function neighbourOf(tabs: EditorTab[], id: string): string | null {
  const index = tabs.findIndex((t) => t.id === id);
  return tabs[index + 1]?.id ?? tabs[index - 1]?.id ?? null;
}

export function useEditorTabs(profileId: string): EditorTabsState {
  const [snapshot, setSnapshot] = useState<Snapshot>(() => firstSnapshot(profileId));
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const latest = useRef(snapshot);
  const readyRef = useRef(false);
  const dirty = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Saves run one after another, each with the state of when it was asked for, so an older
  // save can never land after a newer one.
  const chain = useRef<Promise<void>>(Promise.resolve());

  const flush = useCallback((): Promise<void> => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    if (!dirty.current) return chain.current;
    dirty.current = false;
    const { profileId: owner, tabs, activeId } = latest.current;
    chain.current = chain.current.then(async () => {
      try {
        await api.saveEditorTabs({ profileId: owner, tabs, activeId });
        setError(null);
      } catch (err) {
        if (latest.current.profileId === owner) dirty.current = true;
        setError(err);
      }
    });
    return chain.current;
  }, []);

  const update = useCallback(
    (change: (current: Snapshot) => Snapshot) => {
      // Until the saved tabs are read, a change would be overwritten by them: ignore it.
      if (!readyRef.current) return;
      const next = change(latest.current);
      if (next === latest.current) return;
      latest.current = next;
      dirty.current = true;
      setSnapshot(next);
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = setTimeout(() => void flush(), SAVE_DELAY_MS);
    },
    [flush],
  );

  useEffect(() => {
    let cancelled = false;
    if (latest.current.profileId !== profileId) {
      // Same console, another profile: start over from that profile's tabs.
      latest.current = firstSnapshot(profileId);
      dirty.current = false;
      setSnapshot(latest.current);
    }
    readyRef.current = false;
    setReady(false);
    api
      .getEditorTabs({ profileId })
      .then((saved) => {
        if (cancelled) return;
        if (saved.tabs.length > 0) {
          latest.current = { profileId, tabs: saved.tabs, activeId: saved.activeId ?? saved.tabs[0]!.id };
          setSnapshot(latest.current);
        } else {
          // First visit with tabs: the old per-profile script goes into the store.
          dirty.current = true;
          void flush();
        }
      })
      .then(
        () => {
          if (cancelled) return;
          readyRef.current = true;
          setReady(true);
        },
        // Not ready, so nothing is saved: a save now would replace the stored tabs, which
        // could not be read, with the empty default. The editor stays read-only and says why.
        (err: unknown) => {
          if (!cancelled) setError(err);
        },
      );
    return () => {
      cancelled = true;
    };
  }, [profileId, flush]);

  // Leaving the console and closing the window must not lose the last keystrokes.
  useEffect(() => {
    const onUnload = () => void flush();
    window.addEventListener('beforeunload', onUnload);
    return () => {
      window.removeEventListener('beforeunload', onUnload);
      void flush();
    };
  }, [flush]);

  const setSql = useCallback(
    (sql: string) =>
      update((s) => {
        const current = s.tabs.find((t) => t.id === s.activeId);
        if (!current || current.sql === sql) return s;
        return { ...s, tabs: s.tabs.map((t) => (t.id === s.activeId ? { ...t, sql } : t)) };
      }),
    [update],
  );

  const newTab = useCallback(
    (sql = '', title?: string): string | null => {
      if (!readyRef.current || latest.current.tabs.length >= MAX_EDITOR_TABS) return null;
      const tab: EditorTab = { id: newId(), title: title ?? nextTitle(latest.current.tabs), sql };
      update((s) => ({ ...s, tabs: [...s.tabs, tab], activeId: tab.id }));
      return tab.id;
    },
    [update],
  );

  const closeTab = useCallback(
    (id: string) =>
      update((s) => {
        if (!s.tabs.some((t) => t.id === id)) return s;
        if (s.tabs.length === 1) return { ...s, tabs: s.tabs.map((t) => ({ ...t, sql: '' })) };
        const activeId = s.activeId === id ? (neighbourOf(s.tabs, id) ?? s.activeId) : s.activeId;
        return { ...s, tabs: s.tabs.filter((t) => t.id !== id), activeId };
      }),
    [update],
  );

  const renameTab = useCallback(
    (id: string, title: string) =>
      update((s) => {
        const clean = title.trim().slice(0, 200);
        const tab = s.tabs.find((t) => t.id === id);
        if (!tab || clean === '' || clean === tab.title) return s;
        return { ...s, tabs: s.tabs.map((t) => (t.id === id ? { ...t, title: clean } : t)) };
      }),
    [update],
  );

  const switchTab = useCallback((id: string) => update((s) => (s.activeId === id || !s.tabs.some((t) => t.id === id) ? s : { ...s, activeId: id })), [update]);

  const active = useMemo(() => snapshot.tabs.find((t) => t.id === snapshot.activeId) ?? snapshot.tabs[0]!, [snapshot]);

  return { ready, tabs: snapshot.tabs, activeId: active.id, active, error, setSql, newTab, closeTab, renameTab, switchTab, flush };
}
