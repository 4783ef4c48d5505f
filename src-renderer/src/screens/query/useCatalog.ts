// Autocomplete's catalog for the profile: loaded when the console opens and on demand.
import { useCallback, useEffect, useState } from 'react';
import type { QueryCatalog } from '@contract/models';
import { api, OpsError } from '../../shared/api/client';
import { toShownError, type ShownError } from '../../shared/state/errors';

export function useCatalog(profileId: string): { catalog: QueryCatalog | null; loading: boolean; refresh: () => void; error: ShownError | null } {
  const [catalog, setCatalog] = useState<QueryCatalog | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const refresh = useCallback(() => {
    setLoading(true);
    api
      .getQueryCatalog({ profileId })
      .then(
        (loaded) => {
          setCatalog(loaded);
          setError(null);
        },
        // Autocomplete is a help, not a gate: a profile that needs a typed password simply
        // has none until the first run; other failures are shown next to Refresh.
        (err: unknown) => setError(err instanceof OpsError && err.code === 'PASSWORD_REQUIRED' ? null : toShownError(err)),
      )
      .finally(() => setLoading(false));
  }, [profileId]);
  useEffect(() => refresh(), [refresh]);
  return { catalog, loading, refresh, error };
}
