// Migration 12. named S3-compatible offsite destinations, their secrets and the copies of backups on them. (Issue #18 fills this in before it lands.)
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/012-offsite-destinations.test.ts.
import type { Migration } from './migration';

export const migration012: Migration = {
  version: 12,
  name: 'offsite destinations',
  sql: `
      SELECT 1;
    `,
};
