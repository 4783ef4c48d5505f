// Migration 10. Where a backup is, as a destination location (platform/destinations): the
// `path` column named a local file only; `location` names the destination too, so a later
// destination (object storage) fits the same catalog. Rows written before hold local
// backups: their location is `file://` + path. `path` stays (the contract shows it).
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/010-backup-location.test.ts.
import type { Migration } from './migration';

export const migration010: Migration = {
  version: 10,
  name: 'backup location',
  sql: `
      -- Nullable (SQLite adds a NOT NULL column only with a default): the app writes it for
      -- every new row and reads a missing one as the local path.
      ALTER TABLE backups ADD COLUMN location TEXT;
      UPDATE backups SET location = 'file://' || path;
    `,
};
