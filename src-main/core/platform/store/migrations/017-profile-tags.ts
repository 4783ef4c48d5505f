// Migration 17. Profile tags (issue #22): a JSON array of short lowercase labels ("prod",
// "eu") that fleet commands and the Fleet screen select profiles by. Existing profiles have none.
// Not shipped yet while issue #22 is in progress; once shipped, never edit this text.
// Tested by tests/unit/store-migrations/017-profile-tags.test.ts.
import type { Migration } from './migration';

export const migration017: Migration = {
  version: 17,
  name: 'profile tags',
  sql: `
      ALTER TABLE profiles ADD COLUMN tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array');
    `,
};
