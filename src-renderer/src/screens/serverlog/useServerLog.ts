// The server log as the screen holds it: the newest entries of the chosen file under the
// chosen filters, older pages prepended on demand, and — while following the file the server
// writes now — what comes next every few seconds, read from where the last answer stopped
// (the last entry is read again, since its DETAIL/STATEMENT lines may come later). The next
// poll is scheduled when the previous answers, so a slow server never piles calls up.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LogEntry, LogLevel, ServerLog, ServerLogInput, ServerLogResult, ServerLogUnavailable } from '@contract/serverlog';
import { api } from '../../shared/api/client';
import { usePassword } from '../../shared/hooks/usePassword';
import { toShownError, type ShownError } from '../../shared/state/errors';

export const FOLLOW_INTERVAL_MS = 3000;
/** Entries kept while following; the oldest go first (they can be paged back in). */
export const MAX_KEPT = 5000;
const PAGE = 500;

export interface LogFilters {
  levels: LogLevel[];
  search: string;
  /** null: the file the server writes now. */
  file: string | null;
}

export interface ServerLogFeed {
  entries: LogEntry[];
  log: ServerLogResult | null;
  unavailable: ServerLogUnavailable | null;
  error: ShownError | null;
  loading: boolean;
  /** Older entries exist before the first one shown. */
  hasOlder: boolean;
  follow: boolean;
  setFollow: (on: boolean) => void;
  /** Following is possible: the file shown is the one the server writes now. */
  canFollow: boolean;
  loadOlder: () => Promise<void>;
  reload: () => Promise<void>;
  needsPassword: boolean;
  submitPassword: (password: string) => void;
}

/** Entries read after `after` replace what was held from that offset on (the last entry grows its lines). */
export function mergeFollowed(held: LogEntry[], after: number, fresh: LogEntry[]): LogEntry[] {
  const kept = held.filter((e) => e.offset < after);
  const merged = kept.concat(fresh);
  return merged.length > MAX_KEPT ? merged.slice(merged.length - MAX_KEPT) : merged;
}

export function useServerLog(profileId: string, filters: LogFilters): ServerLogFeed {
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [log, setLog] = useState<ServerLogResult | null>(null);
  const [unavailable, setUnavailable] = useState<ServerLogUnavailable | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [loading, setLoading] = useState(false);
  const [follow, setFollow] = useState(true);
  const [from, setFrom] = useState(0);
  const { password, needsPassword, submitPassword, noteError, passwordWorked } = usePassword();
  // Answers to filters or a file no longer asked for are dropped.
  const generation = useRef(0);
  const resume = useRef<{ file: string; after: number } | null>(null);

  const base = useCallback(
    (): ServerLogInput => ({
      profileId,
      ...(filters.levels.length > 0 ? { levels: filters.levels } : {}),
      ...(filters.search.trim() ? { search: filters.search.trim() } : {}),
      ...(filters.file ? { file: filters.file } : {}),
      ...(password !== undefined ? { password } : {}),
    }),
    [profileId, filters.levels, filters.search, filters.file, password],
  );

  const take = useCallback((answer: ServerLog): answer is ServerLogResult => {
    if (!answer.available) {
      setUnavailable(answer);
      setLog(null);
      setEntries([]);
      resume.current = null;
      return false;
    }
    setUnavailable(null);
    setLog(answer);
    resume.current = { file: answer.file, after: answer.resume };
    return true;
  }, []);

  const call = useCallback(
    async (input: ServerLogInput, gen: number): Promise<ServerLog | null> => {
      try {
        const answer = await api.getServerLog(input);
        if (gen !== generation.current) return null;
        setError(null);
        passwordWorked();
        return answer;
      } catch (err) {
        if (gen !== generation.current) return null;
        setError(toShownError(err));
        noteError(err);
        return null;
      }
    },
    [noteError, passwordWorked],
  );

  const reload = useCallback(async () => {
    const gen = ++generation.current;
    setLoading(true);
    const answer = await call({ ...base(), lines: PAGE }, gen);
    if (gen !== generation.current) return;
    setLoading(false);
    if (answer && take(answer)) {
      setEntries(answer.entries);
      setFrom(answer.from);
    }
  }, [base, call, take]);

  const loadOlder = useCallback(async () => {
    if (!log || from === 0) return;
    const gen = generation.current;
    setLoading(true);
    const answer = await call({ ...base(), file: log.file, lines: PAGE, before: from }, gen);
    if (gen !== generation.current) return;
    setLoading(false);
    if (answer?.available) {
      setEntries((held) => answer.entries.concat(held));
      setFrom(answer.from);
    }
  }, [base, call, from, log]);

  useEffect(() => {
    setEntries([]);
    setLog(null);
    void reload();
  }, [reload]);

  const canFollow = Boolean(log && log.files.find((f) => f.current)?.name === log.file && (filters.file === null || filters.file === log.file));

  useEffect(() => {
    if (!follow || !canFollow || needsPassword) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const gen = generation.current;
    const tick = async () => {
      const at = resume.current;
      if (at) {
        const answer = await call({ ...base(), file: at.file, after: at.after }, gen);
        if (stopped || gen !== generation.current) return;
        if (answer?.available) {
          const current = answer.files.find((f) => f.current);
          if (current && current.name !== at.file && filters.file === null) {
            // The server moved on to a new file: show that one from its end.
            void reload();
            return;
          }
          setLog(answer);
          resume.current = { file: answer.file, after: answer.resume };
          setEntries((held) => mergeFollowed(held, at.after, answer.entries));
        }
      }
      if (!stopped) timer = setTimeout(() => void tick(), FOLLOW_INTERVAL_MS);
    };
    timer = setTimeout(() => void tick(), FOLLOW_INTERVAL_MS);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [follow, canFollow, needsPassword, base, call, reload, filters.file]);

  return {
    entries,
    log,
    unavailable,
    error,
    loading,
    hasOlder: from > 0,
    follow,
    setFollow,
    canFollow,
    loadOlder,
    reload,
    needsPassword,
    submitPassword,
  };
}
