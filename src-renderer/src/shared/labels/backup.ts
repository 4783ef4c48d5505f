// How a backup's kind and format read: the Backups screen (wizard, catalog) and the Restore
// screen (its source list) show the same words.
import type { BackupFormat, BackupKind } from '@contract/backup';

export const KIND_LABELS: Record<BackupKind, string> = {
  full: 'Full (schema and data)',
  schema: 'Schema only',
  data: 'Data only',
  roles: 'Roles (pg_dumpall)',
};

/** The catalog's narrow columns. */
export const KIND_SHORT: Record<BackupKind, string> = { full: 'Full', schema: 'Schema', data: 'Data', roles: 'Roles' };
export const FORMAT_SHORT: Record<BackupFormat, string> = { custom: 'custom', plain: 'plain SQL', directory: 'directory' };

export const FORMAT_LABELS: Record<BackupFormat, string> = {
  custom: 'Custom (pg_restore)',
  plain: 'Plain SQL (psql)',
  directory: 'Directory (parallel)',
};
