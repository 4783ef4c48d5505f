// The client tools report, a read of the core; saving the extra folders answers with the new one.
import { useCallback, useEffect, useState } from 'react';
import type { ClientToolsReport } from '@contract/backup';
import { api } from '../api/client';
import { toShownError, type ShownError } from '../state/errors';

export function useClientTools() {
  const [report, setReport] = useState<ClientToolsReport | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [loading, setLoading] = useState(false);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setReport(await api.listClientTools({}));
      setError(null);
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  /** Saves the extra folders; the answer is the new report. Throws so the editor can show field errors. */
  const savePaths = useCallback(async (paths: string[]) => {
    const next = await api.setClientToolPaths({ paths });
    setReport(next);
    setError(null);
    return next;
  }, []);

  return { report, error, loading, reload, savePaths };
}
