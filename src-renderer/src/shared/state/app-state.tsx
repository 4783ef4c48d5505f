// App-wide state: app info, the profile list, the active profile and the current screen.
// Screens read it through useAppState(); nothing here talks to anything but the typed client.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AppInfo, Profile } from '@contract/models';
import { api } from '../api/client';
import { toShownError, type ShownError } from './errors';
import { readSetting, writeSetting } from './storage';
import { SCREENS, type ScreenId } from './screens';

export interface AppState {
  info: AppInfo | null;
  /** Set when the app could not even load its info (server down, token missing). */
  loadError: ShownError | null;
  profiles: Profile[];
  active: Profile | null;
  setActiveId(id: string | null): void;
  reloadProfiles(): Promise<Profile[]>;
  reloadInfo(): Promise<void>;
  screen: ScreenId;
  setScreen(screen: ScreenId): void;
  /** The first-run screen shows until a profile exists or the user picks "add a profile". */
  showFirstRun: boolean;
  dismissFirstRun(): void;
  /** Set by "Add a connection profile" on the first-run screen; the Profiles screen opens an empty form and clears it. */
  newProfilePending: boolean;
  requestNewProfile(): void;
  clearNewProfileRequest(): void;
  /**
   * Opens the Query screen with this SQL in a new editor tab (not run: the console's guards
   * apply when the operator runs it). Used by saved runbooks' steps.
   */
  openInQuery(sql: string, title: string): void;
  /** The SQL waiting for the query console, if any; it re-renders the console when set. */
  queryRequest: QueryRequest | null;
  /** Hands the waiting SQL over once (null when already taken). */
  takeQueryRequest(): QueryRequest | null;
}

export interface QueryRequest {
  sql: string;
  title: string;
}

const AppStateContext = createContext<AppState | null>(null);

/**
 * The first screen's data, asked for when this module is evaluated rather than after React's
 * first render (issue #21, cold start): the answers travel while the frame renders, and the
 * provider's first load takes these promises instead of asking again. Later loads ask anew.
 */
let startupInfo: Promise<AppInfo> | null = api.getAppInfo({});
let startupProfiles: Promise<Profile[]> | null = api.listProfiles({});
/** Their answers once here: the provider's first render starts from them when they came in first (one render, not two). */
let earlyInfo: AppInfo | null = null;
let earlyProfiles: Profile[] | null = null;
// A failure is reported by the provider once it awaits the promise: not an unhandled rejection meanwhile.
startupInfo.then((value) => (earlyInfo = value)).catch(() => undefined);
startupProfiles.then((value) => (earlyProfiles = value)).catch(() => undefined);

function isScreenId(value: string | null): value is ScreenId {
  return SCREENS.some((s) => s.id === value);
}

export function AppStateProvider({ children }: { children: ReactNode }) {
  const [info, setInfo] = useState<AppInfo | null>(() => earlyInfo);
  const [loadError, setLoadError] = useState<ShownError | null>(null);
  const [profiles, setProfiles] = useState<Profile[]>(() => earlyProfiles ?? []);
  const [activeId, setActiveIdState] = useState<string | null>(() => readSetting('active-profile'));
  const [screen, setScreenState] = useState<ScreenId>(() => {
    const saved = readSetting('screen');
    return isScreenId(saved) ? saved : 'profiles';
  });
  const [firstRunDismissed, setFirstRunDismissed] = useState(false);
  const [newProfilePending, setNewProfilePending] = useState(false);
  const [queryRequest, setQueryRequest] = useState<QueryRequest | null>(null);
  // The ref makes the hand-over happen once even if an effect runs twice (StrictMode).
  const queryRequestRef = useRef<QueryRequest | null>(null);

  const setActiveId = useCallback((id: string | null) => {
    setActiveIdState(id);
    writeSetting('active-profile', id);
  }, []);

  const setScreen = useCallback((next: ScreenId) => {
    setScreenState(next);
    writeSetting('screen', next);
  }, []);

  const activeRef = useRef(activeId);
  activeRef.current = activeId;
  const reloadProfiles = useCallback(async () => {
    const startup = startupProfiles;
    startupProfiles = null;
    const list = await (startup ?? api.listProfiles({}));
    setProfiles(list);
    // First run (issue #19): when the sandbox is the only profile, it is the active one.
    const only = list.length === 1 ? list[0]! : null;
    if (only && only.env === 'sandbox' && activeRef.current !== only.id) {
      activeRef.current = only.id;
      setActiveIdState(only.id);
      writeSetting('active-profile', only.id);
    }
    return list;
  }, []);

  const reloadInfo = useCallback(async () => {
    try {
      const startup = startupInfo;
      startupInfo = null;
      setInfo(await (startup ?? api.getAppInfo({})));
      setLoadError(null);
    } catch (err) {
      setLoadError(toShownError(err));
    }
  }, []);

  useEffect(() => {
    void reloadInfo();
    reloadProfiles().catch((err: unknown) => setLoadError(toShownError(err)));
  }, [reloadInfo, reloadProfiles]);

  // The sandbox creates (or refreshes) its profile from another path; keep the list current.
  useEffect(() => {
    return api.onEvent((event) => {
      if (event.type === 'sandbox.changed') void reloadProfiles().catch(() => undefined);
      // An elevation started, ended, expired or was used up (here, in another window or the CLI): the band shows it.
      if (event.type === 'audit.appended' && event.action.startsWith('profile.elevat') && event.outcome !== 'pending')
        void reloadProfiles().catch(() => undefined);
    });
  }, [reloadProfiles]);

  const dismissFirstRun = useCallback(() => setFirstRunDismissed(true), []);
  const requestNewProfile = useCallback(() => setNewProfilePending(true), []);
  const clearNewProfileRequest = useCallback(() => setNewProfilePending(false), []);

  const openInQuery = useCallback(
    (sql: string, title: string) => {
      queryRequestRef.current = { sql, title };
      setQueryRequest(queryRequestRef.current);
      setScreen('query');
    },
    [setScreen],
  );
  const takeQueryRequest = useCallback((): QueryRequest | null => {
    const request = queryRequestRef.current;
    queryRequestRef.current = null;
    if (request) setQueryRequest(null);
    return request;
  }, []);

  const active = useMemo(() => profiles.find((p) => p.id === activeId) ?? null, [profiles, activeId]);

  const value: AppState = {
    info,
    loadError,
    profiles,
    active,
    setActiveId,
    reloadProfiles,
    reloadInfo,
    screen,
    setScreen,
    showFirstRun: info !== null && info.firstRun && profiles.length === 0 && !firstRunDismissed,
    dismissFirstRun,
    newProfilePending,
    requestNewProfile,
    clearNewProfileRequest,
    openInQuery,
    queryRequest,
    takeQueryRequest,
  };
  return <AppStateContext.Provider value={value}>{children}</AppStateContext.Provider>;
}

export function useAppState(): AppState {
  const state = useContext(AppStateContext);
  if (!state) throw new Error('useAppState must be used inside AppStateProvider');
  return state;
}
