// Migration 16. Backups written straight to an offsite destination; storage snapshot and directory-format copies offsite. (Issue #18 fills this in before it lands.)
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/016-offsite-direct.test.ts.
import type { Migration } from './migration';

export const migration016: Migration = {
  version: 16,
  name: 'offsite direct copies',
  sql: `
      SELECT 1;
    `,
};
