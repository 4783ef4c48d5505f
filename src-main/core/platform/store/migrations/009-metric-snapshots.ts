// Migration 9. Monitoring snapshots: key server figures over time for the Performance charts.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/009-metric-snapshots.test.ts.
import type { Migration } from './migration';

export const migration009: Migration = {
  version: 9,
  name: 'monitoring snapshots',
  sql: `
      -- Key figures of a profile's server, one row per (rate-limited) overview refresh, so
      -- the Performance screen can chart "is it getting worse?". Values are JSON numbers by
      -- metric name (databaseSizeBytes, connections, cacheHitRatio, topQueryMeanMs, …).
      CREATE TABLE metric_snapshots (
        profile_id   TEXT NOT NULL,
        at           TEXT NOT NULL,
        values_json  TEXT NOT NULL CHECK (json_valid(values_json)),
        PRIMARY KEY (profile_id, at)
      );
    `,
};
