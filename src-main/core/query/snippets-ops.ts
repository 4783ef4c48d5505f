// Built-in snippets of the runbook's backup validation, performance monitoring,
// troubleshooting and maintenance procedures (see snippets-builtin.ts).
import { WRITES_PREFIX, type BuiltinSnippet } from './snippet-defs';

export const OPS_SNIPPETS: BuiltinSnippet[] = [
  // ---- Backup validation ----
  {
    slug: 'wal-archiving',
    section: 'Backup validation',
    title: 'WAL archiving status',
    description: 'Whether WAL archiving (the basis of point-in-time recovery) is on and keeping up: last archived segment, failures and when.',
    writes: false,
    sql: `SELECT current_setting('archive_mode') AS archive_mode,
       archived_count,
       last_archived_wal,
       last_archived_time,
       failed_count,
       last_failed_wal,
       last_failed_time,
       stats_reset
FROM pg_stat_archiver;`,
  },
  {
    slug: 'row-counts',
    section: 'Backup validation',
    title: 'Exact row counts of the shop tables',
    description: 'Counts to compare between the source and a restored copy. Exact, so it reads every table: run it on a standby or off-peak on big databases.',
    writes: false,
    sql: `SELECT 'stores' AS table_name, count(*) AS row_count FROM stores
UNION ALL SELECT 'customers', count(*) FROM customers
UNION ALL SELECT 'inventory', count(*) FROM inventory
UNION ALL SELECT 'designs', count(*) FROM designs
UNION ALL SELECT 'orders', count(*) FROM orders
UNION ALL SELECT 'order_items', count(*) FROM order_items
ORDER BY table_name;`,
  },
  {
    slug: 'newest-rows',
    section: 'Backup validation',
    title: 'Newest data per table',
    description: 'The most recent row of each busy table: after a restore or point-in-time recovery, how far the data reaches (your real RPO).',
    writes: false,
    sql: `SELECT 'orders' AS table_name, max(created_at) AS newest_row, now() - max(created_at) AS age FROM orders
UNION ALL SELECT 'order_items', max(created_at), now() - max(created_at) FROM order_items
UNION ALL SELECT 'designs', max(created_at), now() - max(created_at) FROM designs
UNION ALL SELECT 'customers', max(created_at), now() - max(created_at) FROM customers
ORDER BY table_name;`,
  },
  {
    slug: 'invalid-objects',
    section: 'Backup validation',
    title: 'Invalid indexes and unvalidated constraints',
    description:
      'Indexes left invalid (a failed CREATE INDEX CONCURRENTLY or restore) and constraints never validated. After a restore this should return nothing.',
    writes: false,
    sql: `SELECT n.nspname AS schema, t.relname AS table_name, c.relname AS object_name, 'index is not valid' AS problem
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT i.indisvalid OR NOT i.indisready
UNION ALL
SELECT n.nspname, t.relname, con.conname, 'constraint is not validated'
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE NOT con.convalidated
ORDER BY 1, 2, 3;`,
  },
  {
    slug: 'order-totals-consistency',
    section: 'Backup validation',
    title: 'Orders whose lines do not add up',
    description: 'Orders whose subtotal differs from the sum of their lines: a cheap consistency check of a restored copy (and of the shop itself).',
    writes: false,
    sql: `SELECT o.order_number, o.subtotal, sum(oi.line_total) AS lines_total
FROM orders o
JOIN order_items oi ON oi.order_id = o.id
GROUP BY o.id, o.order_number, o.subtotal
HAVING o.subtotal <> sum(oi.line_total)
ORDER BY o.order_number
LIMIT 100;`,
  },
  {
    slug: 'recovery-status',
    section: 'Backup validation',
    title: 'Recovery and replay status',
    description: 'Whether this server is a standby or still recovering, and how far WAL replay has come (replay values are empty on a primary).',
    writes: false,
    sql: `SELECT pg_is_in_recovery() AS in_recovery,
       pg_last_wal_replay_lsn() AS replay_lsn,
       pg_last_xact_replay_timestamp() AS last_replayed_transaction,
       now() - pg_last_xact_replay_timestamp() AS replay_delay,
       pg_postmaster_start_time() AS server_started,
       current_setting('server_version') AS server_version;`,
  },

  // ---- Performance monitoring ----
  {
    slug: 'top-statements',
    section: 'Performance monitoring',
    title: 'Statements using the most time',
    description:
      'Top 10 statements of this database by total execution time (pg_stat_statements, which must be in shared_preload_libraries and created in the database).',
    writes: false,
    sql: `SELECT left(s.query, 300) AS query,
       s.calls,
       round(s.total_exec_time::numeric, 1) AS total_ms,
       round(s.mean_exec_time::numeric, 2) AS mean_ms,
       s.rows
FROM pg_stat_statements s
JOIN pg_database d ON d.oid = s.dbid
WHERE d.datname = current_database()
ORDER BY s.total_exec_time DESC
LIMIT 10;`,
  },
  {
    slug: 'rarely-used-indexes',
    section: 'Performance monitoring',
    title: 'Indexes scanned fewer than 100 times',
    description: 'Indexes that cost space and slow every write but are rarely read: candidates for review.',
    writes: false,
    sql: `SELECT schemaname AS schema,
       relname AS table_name,
       indexrelname AS index_name,
       idx_scan AS scans,
       pg_size_pretty(pg_relation_size(indexrelid)) AS size
FROM pg_stat_user_indexes
WHERE idx_scan < 100
ORDER BY idx_scan, pg_relation_size(indexrelid) DESC;`,
  },
  {
    slug: 'active-designers',
    section: 'Performance monitoring',
    title: 'Active designers (24 hours)',
    description: 'Distinct customers who created a design in the last 24 hours.',
    writes: false,
    sql: `SELECT count(DISTINCT user_id) AS active_users
FROM designs
WHERE created_at > now() - interval '24 hours';`,
  },
  {
    slug: 'conversion-rate',
    section: 'Performance monitoring',
    title: 'Order conversion rate (7 days)',
    description: 'Share of the last seven days of orders that moved past pending, in percent.',
    writes: false,
    sql: `SELECT count(*) AS orders,
       round(100.0 * count(*) FILTER (WHERE status <> 'pending') / nullif(count(*), 0), 1) AS conversion_pct
FROM orders
WHERE created_at > now() - interval '7 days';`,
  },
  {
    slug: 'table-cache-hits',
    section: 'Performance monitoring',
    title: 'Cache hit ratio per table',
    description: 'Tables read from disk most often compared with shared buffers; a low ratio on a hot table hints at too little memory or a missing index.',
    writes: false,
    sql: `SELECT relname AS table_name,
       heap_blks_read AS blocks_from_disk,
       heap_blks_hit AS blocks_from_cache,
       round(100.0 * heap_blks_hit / nullif(heap_blks_hit + heap_blks_read, 0), 2) AS hit_pct
FROM pg_statio_user_tables
ORDER BY heap_blks_read DESC
LIMIT 20;`,
  },

  // ---- Troubleshooting ----
  {
    slug: 'slow-statements',
    section: 'Troubleshooting',
    title: 'Slow statements (mean over 1 s)',
    description: 'Statements of this database averaging more than a second per call (pg_stat_statements), slowest first.',
    writes: false,
    sql: `SELECT left(s.query, 300) AS query,
       round(s.mean_exec_time::numeric, 1) AS mean_ms,
       round(s.max_exec_time::numeric, 1) AS max_ms,
       s.calls
FROM pg_stat_statements s
JOIN pg_database d ON d.oid = s.dbid
WHERE d.datname = current_database()
  AND s.mean_exec_time > 1000
ORDER BY s.mean_exec_time DESC;`,
  },
  {
    slug: 'seq-scan-tables',
    section: 'Troubleshooting',
    title: 'Tables read mostly by sequential scans',
    description: 'Tables with many full scans reading many rows: where a missing index is most likely.',
    writes: false,
    sql: `SELECT schemaname AS schema,
       relname AS table_name,
       seq_scan,
       seq_tup_read,
       idx_scan,
       n_live_tup AS live_rows
FROM pg_stat_user_tables
WHERE seq_scan > 0
ORDER BY seq_tup_read DESC
LIMIT 20;`,
  },
  {
    slug: 'connections-by-state',
    section: 'Troubleshooting',
    title: 'Connections by state',
    description:
      'Client sessions grouped by state: many "idle" means the pool holds connections; many "idle in transaction" means the application forgets to commit.',
    writes: false,
    sql: `SELECT coalesce(state, '(background)') AS state, count(*) AS sessions
FROM pg_stat_activity
GROUP BY state
ORDER BY sessions DESC;`,
  },
  {
    slug: 'terminate-idle-connections',
    section: 'Troubleshooting',
    title: 'End connections idle for over an hour',
    description: `${WRITES_PREFIX} terminates client sessions of this database that have been idle for more than an hour, to free connection slots. Applications must be able to reconnect.`,
    writes: true,
    sql: `SELECT pid, usename, application_name, now() - state_change AS idle_for,
       pg_terminate_backend(pid) AS terminated
FROM pg_stat_activity
WHERE datname = current_database()
  AND pid <> pg_backend_pid()
  AND backend_type = 'client backend'
  AND state = 'idle'
  AND state_change < now() - interval '1 hour';`,
  },
  {
    slug: 'negative-availability',
    section: 'Troubleshooting',
    title: 'Items with negative availability',
    description: 'Stock where more is reserved than on hand: the sign of an inventory sync problem.',
    writes: false,
    sql: `SELECT id, sku, title, store_name, quantity, reserved_quantity, available_quantity
FROM inventory
WHERE available_quantity < 0
ORDER BY available_quantity;`,
  },
  {
    slug: 'reset-negative-reservations',
    section: 'Troubleshooting',
    title: 'Clear reservations of items with negative availability',
    description: `${WRITES_PREFIX} sets reserved_quantity to 0 on items whose availability is negative (the trigger then recomputes availability and status). Reservations of open orders on those items are lost.`,
    writes: true,
    sql: `UPDATE inventory
SET reserved_quantity = 0
WHERE available_quantity < 0;`,
  },
  {
    slug: 'cancelled-order-stock',
    section: 'Troubleshooting',
    title: 'Stock consumed by cancelled orders',
    description: 'Lines of cancelled orders with the stock items they consumed, to check the stock went back.',
    writes: false,
    sql: `SELECT o.order_number, oi.order_id, oi.inventory_id, oi.quantity, oi.used_inventory_items
FROM order_items oi
JOIN orders o ON o.id = oi.order_id
WHERE o.status = 'cancelled'
ORDER BY oi.order_id;`,
  },

  // ---- Maintenance ----
  {
    slug: 'vacuum-status',
    section: 'Maintenance',
    title: 'Dead rows and last vacuum',
    description: 'Dead row counts and when each table was last vacuumed and analyzed (manually or by autovacuum).',
    writes: false,
    sql: `SELECT schemaname AS schema,
       relname AS table_name,
       n_live_tup AS live_rows,
       n_dead_tup AS dead_rows,
       round(100.0 * n_dead_tup / nullif(n_live_tup + n_dead_tup, 0), 1) AS dead_pct,
       greatest(last_vacuum, last_autovacuum) AS last_vacuumed,
       greatest(last_analyze, last_autoanalyze) AS last_analyzed
FROM pg_stat_user_tables
ORDER BY n_dead_tup DESC;`,
  },
  {
    slug: 'vacuum-analyze',
    section: 'Maintenance',
    title: 'VACUUM and ANALYZE the shop tables',
    description: `${WRITES_PREFIX} reclaims dead rows and refreshes planner statistics of the busy tables. Takes no exclusive lock. VACUUM cannot run inside a transaction: run it with no BEGIN open.`,
    writes: true,
    sql: `VACUUM (ANALYZE) orders, order_items, inventory, designs, customers;`,
  },
  {
    slug: 'analyze',
    section: 'Maintenance',
    title: 'ANALYZE the shop tables',
    description: `${WRITES_PREFIX} refreshes planner statistics only (quick, no cleanup). Useful after a bulk load or import.`,
    writes: true,
    sql: `ANALYZE orders, order_items, inventory, designs, customers;`,
  },
  {
    slug: 'vacuum-full',
    section: 'Maintenance',
    title: 'VACUUM FULL one table (maintenance window)',
    description: `${WRITES_PREFIX} rewrites the table to give space back to the operating system. It holds an ACCESS EXCLUSIVE lock for the whole run (every read and write of the table waits) and needs free disk about the table's size. Only in a maintenance window; plain VACUUM is enough for routine work.`,
    writes: true,
    sql: `VACUUM (FULL, ANALYZE, VERBOSE) orders;`,
  },
];
