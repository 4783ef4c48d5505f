// Migration 14. Audit outcomes of their own for guard refusals and user cancels. (Issue #19 fills this in before it lands.)
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/014-audit-outcomes.test.ts.
import type { Migration } from './migration';

export const migration014: Migration = {
  version: 14,
  name: 'audit outcomes refused and cancelled',
  sql: `
      SELECT 1;
    `,
};
