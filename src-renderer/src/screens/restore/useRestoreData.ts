// The reads the Restore screen lists from: every good backup of the catalog (all profiles,
// newest first) and the drill history. Both reload when a restore or drill ends.
import type { BackupEntry } from '@contract/backup';
import type { DrillRecord } from '@contract/restore';
import { api } from '../../shared/api/client';
import { useRefreshedRead } from '../../shared/components/jobs/useRefreshedRead';
import { restorableBackups } from './restore-model';

async function readBackups(): Promise<BackupEntry[]> {
  return restorableBackups((await api.listBackups({ limit: 500 })).backups);
}

async function readDrills(): Promise<DrillRecord[]> {
  return (await api.listDrills({ limit: 500 })).drills;
}

export function useBackupList(refreshKey: number) {
  const { value, error, reload } = useRefreshedRead(readBackups, refreshKey);
  return { backups: value, error, reload };
}

export function useDrillHistory(refreshKey: number) {
  const { value, error, reload } = useRefreshedRead(readDrills, refreshKey);
  return { drills: value, error, reload };
}
