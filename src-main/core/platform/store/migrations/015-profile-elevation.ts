// Migration 15. Emergency elevation of a read-only production profile: a break-glass credential, elevation windows. (Issue #19 fills this in before it lands.)
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/015-profile-elevation.test.ts.
import type { Migration } from './migration';

export const migration015: Migration = {
  version: 15,
  name: 'profile elevation',
  sql: `
      SELECT 1;
    `,
};
