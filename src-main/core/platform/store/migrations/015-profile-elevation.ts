// Migration 15. Emergency elevation of a read-only production profile (issue #19): the
// profile's break-glass role, and its password's secret kind 'breakglass'.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/015-profile-elevation.test.ts.
//
// Elevations themselves are not stored: one lives in the core's memory and ends with the
// process, so a crash or a quit can never leave a profile elevated for the next start. Their
// start and end are in the audit trail, which is the record that must outlive them.
import type { Migration } from './migration';

export const migration015: Migration = {
  version: 15,
  name: 'profile elevation',
  sql: `
      -- The role writes connect as while the profile is elevated; NULL = its own role.
      -- Never the password: that lives in secrets, kind 'breakglass'.
      ALTER TABLE profiles ADD COLUMN break_glass_user TEXT;

      -- SQLite cannot alter a CHECK: rebuild secrets with 'breakglass' allowed, rows kept.
      CREATE TABLE secrets_v15 (
        profile_id  TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL DEFAULT 'db' CHECK (kind IN ('db','ssh','jump','storage','breakglass')),
        backend     TEXT NOT NULL,
        ciphertext  BLOB NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (profile_id, kind)
      );
      INSERT INTO secrets_v15 (profile_id, kind, backend, ciphertext, updated_at)
        SELECT profile_id, kind, backend, ciphertext, updated_at FROM secrets;
      DROP TABLE secrets;
      ALTER TABLE secrets_v15 RENAME TO secrets;
    `,
};
