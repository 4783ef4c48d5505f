// "Open in console" for any screen: hands SQL to the query console, which opens it in a new
// editor tab of the console bound to the given profile (the active one when none is given).
// The SQL is never run here: the console's guards apply when the operator runs it.
// A module-level slot rather than app state, so screens and the console share it without
// widening AppState; the console takes each intent once.
import { useCallback, useSyncExternalStore } from 'react';
import { useAppState } from './app-state';

export interface ConsoleIntent {
  sql: string;
  /** The profile whose console gets the tab; the active profile's when absent. */
  profileId?: string;
  /** The editor tab's title; "Query N" when absent. */
  title?: string;
}

let pending: ConsoleIntent | null = null;
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Leaves SQL for the console (the latest request wins: the operator asked for that one). */
export function requestConsole(intent: ConsoleIntent): void {
  pending = { ...intent };
  notify();
}

/** The intent waiting for the console, if any (re-renders subscribers when it changes). */
export function useConsoleIntent(): ConsoleIntent | null {
  return useSyncExternalStore(subscribe, () => pending);
}

/** Hands the waiting intent over once; null when already taken. */
export function takeConsoleIntent(): ConsoleIntent | null {
  const intent = pending;
  pending = null;
  if (intent) notify();
  return intent;
}

/**
 * `openInConsole({ sql, profileId?, title? })`: switches to the Query screen, which opens a
 * new tab with that SQL (not run).
 */
export function useOpenInConsole(): (intent: ConsoleIntent) => void {
  const { setScreen } = useAppState();
  return useCallback(
    (intent: ConsoleIntent) => {
      requestConsole(intent);
      setScreen('query');
    },
    [setScreen],
  );
}
