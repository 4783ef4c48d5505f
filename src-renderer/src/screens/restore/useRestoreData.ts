// The reads the Restore screen lists from: every good backup of the catalog (all profiles,
// newest first) and the drill history. Both reload when a restore or drill ends.
import { useCallback, useEffect, useState } from 'react';
import type { BackupEntry } from '../../../../src-main/contract/backup';
import type { DrillRecord } from '../../../../src-main/contract/restore';
import { api } from '../../api/client';
import { toShownError, type ShownError } from '../../state/errors';
import { restorableBackups } from './restore-model';

export function useBackupList(refreshKey: number) {
  const [backups, setBackups] = useState<BackupEntry[] | null>(null);
  const [error, setError] = useState<ShownError | null>(null);

  const reload = useCallback(async () => {
    try {
      setBackups(restorableBackups((await api.listBackups({ limit: 500 })).backups));
      setError(null);
    } catch (err) {
      setError(toShownError(err));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload, refreshKey]);

  return { backups, error, reload };
}

export function useDrillHistory(refreshKey: number) {
  const [drills, setDrills] = useState<DrillRecord[] | null>(null);
  const [error, setError] = useState<ShownError | null>(null);

  const reload = useCallback(async () => {
    try {
      setDrills((await api.listDrills({ limit: 500 })).drills);
      setError(null);
    } catch (err) {
      setError(toShownError(err));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload, refreshKey]);

  return { drills, error, reload };
}
