// The runbook's daily checklists (9 AM and 6 PM), in our own words, each read step with a
// rule from the alert thresholds (thresholds.ts). The runbook document calls helper
// functions of the original project (check_system_health(), analyze_index_usage(),
// validate_backup_integrity(), perform_routine_maintenance()) that a plain PostgreSQL
// does not have; these steps make the same checks from the statistics views and the
// shop's tables, and say so.
import type { Procedure } from './model';
import { column, manualStep, readStep, rowCount, snippetStep } from './builtin-steps';

const NO_HELPER = (fn: string) =>
  `The runbook calls ${fn}, a helper function of the original project that a plain PostgreSQL does not have; this step checks the same thing from the server's statistics views.`;

// Ages come from clock_timestamp(): a checklist runs in one transaction, where now() is
// the moment it began, so a query started after that would look younger than zero.
const LONG_QUERIES_SQL = `SELECT pid,
       usename,
       datname,
       round(extract(epoch FROM clock_timestamp() - query_start)::numeric, 1) AS running_seconds,
       wait_event_type,
       left(query, 300) AS query
FROM pg_stat_activity
WHERE state = 'active'
  AND backend_type = 'client backend'
  AND datname = current_database()
  AND pid <> pg_backend_pid()
ORDER BY query_start;`;

const PAID_PENDING_SQL = `SELECT order_number,
       created_at,
       round(extract(epoch FROM clock_timestamp() - created_at)::numeric / 3600, 1) AS waiting_hours,
       total_amount,
       customer_email
FROM orders
WHERE status = 'pending' AND payment_status = 'paid'
ORDER BY created_at;`;

const READY_TO_SHIP_SQL = `SELECT order_number,
       customer_name,
       shipping_city,
       shipping_state,
       round(extract(epoch FROM clock_timestamp() - created_at)::numeric / 3600, 1) AS waiting_hours
FROM orders
WHERE status = 'processing' AND shipped_at IS NULL
ORDER BY created_at;`;

const VACUUM_OVERDUE_SQL = `SELECT schemaname AS schema,
       relname AS table_name,
       n_live_tup AS live_rows,
       n_dead_tup AS dead_rows,
       round(100.0 * n_dead_tup / nullif(n_live_tup + n_dead_tup, 0), 1) AS dead_pct,
       greatest(last_vacuum, last_autovacuum) AS last_vacuumed
FROM pg_stat_user_tables
WHERE n_dead_tup > current_setting('autovacuum_vacuum_threshold')::int
                   + current_setting('autovacuum_vacuum_scale_factor')::float8 * n_live_tup
ORDER BY n_dead_tup DESC;`;

// Averaged over whole hours since the counters started, and never over less than one
// hour: right after a reset a single rollback would otherwise read as hundreds per hour.
const ROLLBACK_RATE_SQL = `SELECT datname,
       xact_rollback AS rolled_back,
       xact_commit AS committed,
       coalesce(stats_reset, pg_postmaster_start_time()) AS counting_since,
       round((extract(epoch FROM clock_timestamp() - coalesce(stats_reset, pg_postmaster_start_time())) / 3600)::numeric, 1) AS hours_counted,
       round(xact_rollback::numeric
             / greatest((extract(epoch FROM clock_timestamp() - coalesce(stats_reset, pg_postmaster_start_time())) / 3600)::numeric, 1), 2) AS rollbacks_per_hour
FROM pg_stat_database
WHERE datname = current_database();`;

export const MORNING: Procedure = {
  id: 'daily.morning',
  checklist: 'morning',
  title: 'Morning checklist (9 AM)',
  section: 'Daily Operations',
  cadence: 'daily',
  dueTime: '09:00',
  description: 'Start of the day: server health, stock that needs reordering, orders waiting on the workshop, and index usage.',
  steps: [
    snippetStep('connections-now', {
      id: 'morning.connections',
      title: 'Client connections',
      explanation: 'Client sessions open on the server. Near the limit the pool runs dry and the shop starts failing requests.',
      correction: NO_HELPER('check_system_health()'),
      rule: column('client_connections', 'first', 'connections'),
    }),
    snippetStep('database-size', {
      id: 'morning.database-size',
      title: 'Database size',
      explanation: "Size on disk of this database, against the plan's storage limits.",
      rule: column('size_bytes', 'first', 'dbSize'),
    }),
    readStep(LONG_QUERIES_SQL, {
      id: 'morning.long-queries',
      title: 'Longest running statement',
      explanation:
        'Statements running right now in this database, oldest first; the rule judges the oldest. A statement running for many seconds usually holds locks or burns CPU.',
      rule: column('running_seconds', 'max', 'queryTime', { empty: 0 }),
    }),
    snippetStep('lock-waits', {
      id: 'morning.lock-waits',
      title: 'Sessions waiting on a lock',
      explanation: 'Who is queued behind a lock, and the pids blocking them.',
      rule: rowCount('lockWaits'),
    }),
    snippetStep('low-stock', {
      id: 'morning.low-stock',
      title: 'Low stock items',
      explanation:
        "Active items whose available quantity is at or under their reorder level. The runbook's alert table: more than 5 is a warning, more than 10 critical.",
      rule: rowCount('lowStock', ['item low on stock', 'items low on stock']),
    }),
    snippetStep('out-of-stock', {
      id: 'morning.out-of-stock',
      title: 'Out of stock items',
      explanation: 'Active items with nothing left to sell, with what is on hand and what is reserved.',
      rule: rowCount('outOfStock'),
    }),
    readStep(PAID_PENDING_SQL, {
      id: 'morning.paid-pending',
      title: 'Paid orders still pending',
      explanation: 'Orders the customer paid for that nobody has started, oldest first; the rule judges how long the oldest has waited.',
      rule: column('waiting_hours', 'max', 'paidOrderWait', { empty: 0 }),
    }),
    readStep(READY_TO_SHIP_SQL, {
      id: 'morning.ready-to-ship',
      title: 'Orders ready to ship',
      explanation: 'Orders in processing that have not left the workshop; the rule judges the oldest.',
      rule: column('waiting_hours', 'max', 'shipWait', { empty: 0 }),
    }),
    snippetStep('slow-statements', {
      id: 'morning.slow-statements',
      title: 'Slowest statements on average',
      explanation:
        'Statements averaging more than a second per call since pg_stat_statements was last reset; the rule judges the slowest against the query-time threshold. Needs the pg_stat_statements extension.',
      correction: 'The runbook reads total_time and mean_time from pg_stat_statements; since PostgreSQL 13 they are total_exec_time and mean_exec_time.',
      rule: column('mean_ms', 'max', 'queryTime', { empty: 0, scale: 0.001 }),
    }),
    snippetStep('index-usage', {
      id: 'morning.index-usage',
      title: 'Index usage (busiest first)',
      explanation: 'The ten most used indexes and their size, for reading: a sudden change in the top of this list often follows a new release. No threshold.',
      correction: NO_HELPER('analyze_index_usage()'),
    }),
    snippetStep('unused-indexes', {
      id: 'morning.unused-indexes',
      title: 'Unused indexes',
      explanation: 'Indexes never scanned since statistics were reset (primary keys and unique indexes left out: they enforce rules).',
      correction: NO_HELPER('find_unused_indexes()'),
      rule: rowCount('unusedIndexes'),
    }),
  ],
};

export const EVENING: Procedure = {
  id: 'daily.evening',
  checklist: 'evening',
  title: 'Evening checklist (6 PM)',
  section: 'Daily Operations',
  cadence: 'daily',
  dueTime: '18:00',
  description: 'End of the day: can we recover (archiving, valid objects, consistent data), what happened today, and routine maintenance.',
  steps: [
    snippetStep('wal-archiving', {
      id: 'evening.wal-archiving',
      title: 'WAL archiving',
      explanation:
        'Point-in-time recovery needs every WAL segment archived. On a hosted database (Supabase) the platform archives and this server shows archive_mode off: a WARNING that says so, to be checked on the platform; a self-hosted server shows its archiver here.',
      correction: NO_HELPER('validate_backup_integrity()'),
      // With archive_mode off the archiver never tries, so 0 failed attempts would read as
      // healthy archiving: say instead that there is no archive here.
      rule: column('failed_count', 'first', 'archiveFailures', {
        empty: 0,
        unless: {
          column: 'archive_mode',
          equals: 'off',
          status: 'warning',
          summary: 'no archive: point-in-time recovery depends on the platform (archive_mode is off on this server)',
        },
      }),
    }),
    manualStep(
      'In the Supabase dashboard (Settings > Database), check that Point-in-Time Recovery is enabled and the last backup is less than a day old. For your own backups, see Backups.',
      {
        id: 'evening.last-backup',
        title: 'Last backup is recent',
        explanation: 'The server cannot tell when the platform last backed it up; a person checks.',
      },
    ),
    snippetStep('invalid-objects', {
      id: 'evening.invalid-objects',
      title: 'Invalid indexes and unvalidated constraints',
      explanation: 'What a failed CREATE INDEX CONCURRENTLY or restore leaves behind; a backup of them restores them broken too.',
      rule: rowCount('invalidObjects'),
    }),
    snippetStep('order-totals-consistency', {
      id: 'evening.order-consistency',
      title: 'Orders whose lines do not add up',
      explanation: 'Orders whose subtotal differs from the sum of their lines (the first 100).',
      rule: rowCount('inconsistentOrders'),
    }),
    snippetStep('daily-summary', {
      id: 'evening.daily-summary',
      title: "Today's orders",
      explanation: 'Orders placed and shipped today and their value. "Today" is in the session\'s time zone.',
      correction:
        'The runbook compares created_at::date with CURRENT_DATE, which reads the whole orders table; this step asks for a range the index can serve, and counts an order shipped today even if it was delivered since.',
      rule: column('new_orders', 'first', 'newOrdersToday'),
    }),
    snippetStep('designs-today', {
      id: 'evening.designs-today',
      title: 'Designs created today',
      explanation: 'Designs customers started in the customizer today, by status, for reading. No threshold.',
    }),
    // Evening rather than morning: it is an average over the day's (and earlier) traffic,
    // read next to today's orders; in the morning it mostly reflects the night's quiet.
    readStep(ROLLBACK_RATE_SQL, {
      id: 'evening.rollback-rate',
      title: 'Rolled-back transactions per hour',
      explanation:
        'The closest the server comes to the alert table\'s "failed queries per hour": transactions of this database that ended in a rollback (pg_stat_database.xact_rollback), averaged per hour since the statistics were reset (or the server started). It counts transactions the application rolled back on purpose as well as those that failed, and rollbacks of this app\'s own read-only checks and previews; an average since the reset hides a short spike. A rise against previous evenings means: read the application logs.',
      correction:
        'The runbook alerts on failed queries per hour, which PostgreSQL does not count: a failed statement is only in the server log (log_min_error_statement). Rolled-back transactions are the nearest counter the server keeps.',
      rule: column('rollbacks_per_hour', 'first', 'failedQueries', {
        noun: ['rolled-back transaction per hour (average)', 'rolled-back transactions per hour (average)'],
      }),
    }),
    readStep(VACUUM_OVERDUE_SQL, {
      id: 'evening.vacuum-overdue',
      title: 'Tables overdue for vacuum',
      explanation:
        "Tables with more dead rows than autovacuum's own trigger (server settings; per-table overrides are not read). Right after a bulk change autovacuum needs a minute; a table that stays here means it is blocked or too slow.",
      rule: rowCount('vacuumOverdue'),
    }),
    snippetStep('vacuum-analyze', {
      id: 'evening.vacuum-analyze',
      kind: 'write',
      title: 'VACUUM and ANALYZE the shop tables',
      explanation:
        'Routine maintenance: reclaims dead rows and refreshes planner statistics. Run it from the query console, outside a transaction; a checklist run never runs it.',
      correction:
        'The runbook calls perform_routine_maintenance(); VACUUM cannot run inside a function (nor inside a transaction block), so such a function cannot vacuum. This step is the VACUUM statement itself.',
    }),
  ],
};
