// Built-in snippets of the runbook's emergency procedures and daily checklists (see
// snippets-builtin.ts for how they were written).
import { WRITES_PREFIX, type BuiltinSnippet } from './snippet-defs';
import { notPlatformSchemaSql } from '../../contract/platform-schemas';

export const DAILY_SNIPPETS: BuiltinSnippet[] = [
  // ---- Emergency ----
  {
    slug: 'connections-now',
    section: 'Emergency',
    title: 'Connections right now',
    description: 'Client connections open against the server, next to max_connections. Above about 80% the pool is close to exhaustion.',
    writes: false,
    sql: `SELECT count(*) FILTER (WHERE backend_type = 'client backend') AS client_connections,
       count(*) AS all_backends,
       current_setting('max_connections')::int AS max_connections
FROM pg_stat_activity;`,
  },
  {
    slug: 'lock-waits',
    section: 'Emergency',
    title: 'Sessions waiting on a lock',
    description: 'Who is stuck behind a lock, for how long, and the pids blocking them (pg_blocking_pids).',
    writes: false,
    sql: `SELECT a.pid,
       pg_blocking_pids(a.pid) AS blocked_by,
       a.usename,
       a.datname,
       a.wait_event,
       now() - a.query_start AS waiting_for,
       left(a.query, 300) AS query
FROM pg_stat_activity a
WHERE a.wait_event_type = 'Lock'
ORDER BY a.query_start;`,
  },
  {
    slug: 'database-size',
    section: 'Emergency',
    title: 'Database size',
    description: 'Size on disk of the current database, readable and in bytes.',
    writes: false,
    sql: `SELECT current_database() AS database,
       pg_size_pretty(pg_database_size(current_database())) AS size,
       pg_database_size(current_database()) AS size_bytes;`,
  },
  {
    slug: 'long-running-queries',
    section: 'Emergency',
    title: 'Long-running queries',
    description: 'Statements running now, oldest first: the usual suspects when CPU or memory is high. Note the pid to cancel one.',
    writes: false,
    sql: `SELECT pid,
       usename,
       datname,
       state,
       now() - query_start AS running_for,
       wait_event_type,
       left(query, 300) AS query
FROM pg_stat_activity
WHERE state = 'active'
  AND pid <> pg_backend_pid()
ORDER BY query_start;`,
  },
  {
    slug: 'idle-in-transaction',
    section: 'Emergency',
    title: 'Sessions idle in a transaction',
    description: 'Sessions holding a transaction open without doing anything: they keep locks and stop VACUUM from cleaning up.',
    writes: false,
    sql: `SELECT pid,
       usename,
       datname,
       application_name,
       client_addr,
       now() - xact_start AS transaction_age,
       now() - state_change AS idle_for,
       left(query, 300) AS last_query
FROM pg_stat_activity
WHERE state IN ('idle in transaction', 'idle in transaction (aborted)')
ORDER BY xact_start;`,
  },
  {
    slug: 'terminate-idle-in-transaction',
    section: 'Emergency',
    title: 'End sessions idle in a transaction for 10+ minutes',
    description: `${WRITES_PREFIX} terminates (pg_terminate_backend) every session of this database that has sat idle inside a transaction for more than 10 minutes; their open transactions are rolled back. Review "Sessions idle in a transaction" first.`,
    writes: true,
    sql: `SELECT pid, usename, application_name, now() - state_change AS idle_for,
       pg_terminate_backend(pid) AS terminated
FROM pg_stat_activity
WHERE datname = current_database()
  AND pid <> pg_backend_pid()
  AND state IN ('idle in transaction', 'idle in transaction (aborted)')
  AND state_change < now() - interval '10 minutes';`,
  },
  {
    slug: 'cancel-query',
    section: 'Emergency',
    title: 'Cancel one query by pid',
    description: `${WRITES_PREFIX} asks the backend to cancel its current statement (pg_cancel_backend); the session stays connected. Replace 0 with the pid from "Long-running queries".`,
    writes: true,
    sql: `SELECT pid, left(query, 200) AS query, pg_cancel_backend(pid) AS cancelled
FROM pg_stat_activity
WHERE pid = 0;  -- the pid to cancel`,
  },
  {
    slug: 'terminate-backend',
    section: 'Emergency',
    title: 'Terminate one session by pid',
    description: `${WRITES_PREFIX} ends the whole session (pg_terminate_backend), rolling back its transaction. Use when cancelling did not help. Replace 0 with the pid.`,
    writes: true,
    sql: `SELECT pid, usename, left(query, 200) AS query, pg_terminate_backend(pid) AS terminated
FROM pg_stat_activity
WHERE pid = 0;  -- the pid to terminate`,
  },
  {
    slug: 'largest-tables',
    section: 'Emergency',
    title: 'Largest tables',
    description: 'Where the disk space goes when storage is critical: the 20 largest tables with their indexes and TOAST.',
    writes: false,
    sql: `SELECT n.nspname AS schema,
       c.relname AS table_name,
       pg_size_pretty(pg_total_relation_size(c.oid)) AS total,
       pg_size_pretty(pg_relation_size(c.oid)) AS table_only,
       pg_size_pretty(pg_indexes_size(c.oid)) AS indexes,
       pg_total_relation_size(c.oid) AS total_bytes
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY pg_total_relation_size(c.oid) DESC
LIMIT 20;`,
  },
  {
    slug: 'archive-candidates',
    section: 'Emergency',
    title: 'Delivered orders older than two years',
    description: 'How many delivered orders the archiving step below would mark, and the oldest of them. Run this before archiving.',
    writes: false,
    sql: `SELECT count(*) AS orders_to_archive,
       min(delivered_at) AS oldest_delivery
FROM orders
WHERE status = 'delivered'
  AND delivered_at < now() - interval '2 years'
  AND coalesce(notes, '') NOT LIKE '%[ARCHIVED]%';`,
  },
  {
    slug: 'archive-old-orders',
    section: 'Emergency',
    title: 'Mark delivered orders older than two years as archived',
    description: `${WRITES_PREFIX} appends "[ARCHIVED]" to the notes of delivered orders older than two years (orders already marked are skipped, so it can be run again).`,
    writes: true,
    sql: `UPDATE orders
SET notes = concat_ws(' ', nullif(notes, ''), '[ARCHIVED]')
WHERE status = 'delivered'
  AND delivered_at < now() - interval '2 years'
  AND coalesce(notes, '') NOT LIKE '%[ARCHIVED]%';`,
  },

  // ---- Morning checklist ----
  {
    slug: 'health-overview',
    section: 'Morning checklist',
    title: 'Health overview',
    description:
      'One line to start the day: connections, idle transactions, lock waits, the longest running statement, size, cache hit ratio, deadlocks and whether this is a standby.',
    writes: false,
    sql: `SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections,
       current_setting('max_connections')::int AS max_connections,
       (SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction') AS idle_in_transaction,
       (SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock') AS waiting_on_locks,
       (SELECT max(now() - query_start) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()) AS longest_running,
       pg_size_pretty(pg_database_size(current_database())) AS database_size,
       (SELECT round(100.0 * blks_hit / nullif(blks_hit + blks_read, 0), 2) FROM pg_stat_database WHERE datname = current_database()) AS cache_hit_pct,
       (SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()) AS deadlocks,
       pg_is_in_recovery() AS is_standby;`,
  },
  {
    slug: 'low-stock',
    section: 'Morning checklist',
    title: 'Low stock items',
    description: 'Active items whose available quantity is at or under their reorder level.',
    writes: false,
    sql: `SELECT sku, title, store_name, available_quantity, reorder_level
FROM inventory
WHERE status = 'low_stock' AND is_active
ORDER BY available_quantity, title;`,
  },
  {
    slug: 'out-of-stock',
    section: 'Morning checklist',
    title: 'Out of stock items',
    description: 'Active items with nothing left to sell, with what is on hand and what is reserved.',
    writes: false,
    sql: `SELECT sku, title, store_name, quantity, reserved_quantity
FROM inventory
WHERE status = 'out_of_stock' AND is_active
ORDER BY title;`,
  },
  {
    slug: 'paid-pending-orders',
    section: 'Morning checklist',
    title: 'Paid orders still pending',
    description: 'Orders the customer has paid for that nobody has started processing, oldest first.',
    writes: false,
    sql: `SELECT order_number, created_at, total_amount, customer_email
FROM orders
WHERE status = 'pending' AND payment_status = 'paid'
ORDER BY created_at;`,
  },
  {
    slug: 'ready-to-ship',
    section: 'Morning checklist',
    title: 'Orders ready to ship',
    description: 'Orders in processing that have not left the workshop yet.',
    writes: false,
    sql: `SELECT order_number, customer_name, shipping_city, shipping_state, created_at
FROM orders
WHERE status = 'processing' AND shipped_at IS NULL
ORDER BY created_at;`,
  },
  {
    slug: 'index-usage',
    section: 'Morning checklist',
    title: 'Index usage (busiest first)',
    description: 'How often each index was used since statistics were last reset, with its size.',
    writes: false,
    sql: `SELECT schemaname AS schema,
       relname AS table_name,
       indexrelname AS index_name,
       idx_scan AS scans,
       idx_tup_read AS tuples_read,
       pg_size_pretty(pg_relation_size(indexrelid)) AS size
FROM pg_stat_user_indexes
ORDER BY idx_scan DESC
LIMIT 10;`,
  },
  {
    slug: 'unused-indexes',
    section: 'Morning checklist',
    title: 'Unused indexes',
    description:
      "Indexes never scanned since statistics were reset (primary keys and unique indexes excluded: they enforce rules; so are the platform's schemas such as auth and storage: not ours to drop). Check standbys too before dropping one.",
    writes: false,
    sql: `SELECT s.schemaname AS schema,
       s.relname AS table_name,
       s.indexrelname AS index_name,
       pg_size_pretty(pg_relation_size(s.indexrelid)) AS size
FROM pg_stat_user_indexes s
JOIN pg_index i ON i.indexrelid = s.indexrelid
WHERE s.idx_scan = 0
  AND NOT i.indisunique
  AND NOT i.indisprimary
  AND ${notPlatformSchemaSql('s.schemaname')}
ORDER BY pg_relation_size(s.indexrelid) DESC;`,
  },

  // ---- Evening checklist ----
  {
    slug: 'daily-summary',
    section: 'Evening checklist',
    title: "Today's orders",
    description:
      'Orders placed and shipped today and the day\'s order value (all orders placed today, whatever their payment state). "Today" is in the session\'s time zone.',
    writes: false,
    sql: `SELECT count(*) FILTER (WHERE created_at >= current_date) AS new_orders,
       count(*) FILTER (WHERE shipped_at >= current_date) AS shipped_orders,
       coalesce(sum(total_amount) FILTER (WHERE created_at >= current_date), 0) AS order_value
FROM orders
WHERE created_at >= current_date OR shipped_at >= current_date;`,
  },
  {
    slug: 'designs-today',
    section: 'Evening checklist',
    title: 'Designs created today',
    description: 'How many designs customers started in the customizer today, by status.',
    writes: false,
    sql: `SELECT status, count(*) AS designs
FROM designs
WHERE created_at >= current_date
GROUP BY status
ORDER BY status;`,
  },
];
