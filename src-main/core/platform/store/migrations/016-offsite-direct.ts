// Migration 16. Backups written straight to an offsite destination: their copy row says so
// (`direct` 1), since the backup's local path never held the dump (restore stages the copy).
// Copies made before are copies of a local backup (0).
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/016-offsite-direct.test.ts.
import type { Migration } from './migration';

export const migration016: Migration = {
  version: 16,
  name: 'offsite direct copies',
  sql: `
      ALTER TABLE backup_copies ADD COLUMN direct INTEGER NOT NULL DEFAULT 0 CHECK (direct IN (0, 1));
    `,
};
