// Migration 18. The team store's outbox (issue #22). Reserved slot: filled in by the team-store
// work before it ships; once shipped, never edit this text.
// Tested by tests/unit/store-migrations/018-team-outbox.test.ts.
import type { Migration } from './migration';

export const migration018: Migration = {
  version: 18,
  name: 'team outbox',
  sql: ``,
};
