// One read the screen lists from (the backup catalog, the drill history), read again whenever
// refreshKey changes (a job ended). A failed read keeps the last value and shows the error.
import { useCallback, useEffect, useState } from 'react';
import { toShownError, type ShownError } from '../../state/errors';

/** `read` must be stable (a module-level function). */
export function useRefreshedRead<T>(read: () => Promise<T>, refreshKey: number) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<ShownError | null>(null);

  const reload = useCallback(async () => {
    try {
      setValue(await read());
      setError(null);
    } catch (err) {
      setError(toShownError(err));
    }
  }, [read]);

  useEffect(() => {
    void reload();
  }, [reload, refreshKey]);

  return { value, error, reload };
}
