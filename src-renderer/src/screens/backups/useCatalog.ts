// The catalog (listBackups under a profile filter, re-verification per row): a read of the
// core; deletion reloads it.
import { useCallback, useEffect, useState } from 'react';
import type { BackupEntry, BackupVerifyResult } from '@contract/backup';
import { api } from '../../shared/api/client';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { listInput } from './backup-wizard-model';

export type VerifyState = { running: true } | { running: false; result: BackupVerifyResult | null; error: ShownError | null };

export function useCatalog(filter: string, refreshKey: number) {
  const [backups, setBackups] = useState<BackupEntry[] | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [verifications, setVerifications] = useState<Record<string, VerifyState>>({});

  const reload = useCallback(async () => {
    try {
      setBackups((await api.listBackups(listInput(filter))).backups);
      setError(null);
    } catch (err) {
      setError(toShownError(err));
    }
  }, [filter]);

  useEffect(() => {
    setBackups(null);
    void reload();
  }, [reload, refreshKey]);

  const verify = useCallback(
    async (id: string) => {
      setVerifications((all) => ({ ...all, [id]: { running: true } }));
      try {
        const result = await api.verifyBackup({ id });
        setVerifications((all) => ({ ...all, [id]: { running: false, result, error: null } }));
      } catch (err) {
        setVerifications((all) => ({ ...all, [id]: { running: false, result: null, error: toShownError(err) } }));
      }
      // The row's "last verification" comes from the catalog.
      await reload();
    },
    [reload],
  );

  const dismissVerification = useCallback((id: string) => {
    setVerifications((all) => {
      const { [id]: _gone, ...rest } = all;
      return rest;
    });
  }, []);

  return { backups, error, reload, verify, verifications, dismissVerification };
}
