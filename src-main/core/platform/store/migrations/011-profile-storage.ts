// Migration 11. Supabase Storage (S3) connection on a profile; its secret kind. (Issue #18 fills this in before it lands.)
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/011-profile-storage.test.ts.
import type { Migration } from './migration';

export const migration011: Migration = {
  version: 11,
  name: 'profile storage connection',
  sql: `
      SELECT 1;
    `,
};
