// Previews of the built-in snippets that write, by slug: a SELECT with the same WHERE as the
// write, so it lists exactly the rows (or sessions) the write touches, first column a key
// (the run's token hashes those keys). A writing snippet without a preview here cannot run
// from the runbook: VACUUM cannot run inside a transaction and touches no rows to list,
// and the one-pid snippets need a pid typed in first (the Activity screen does that).

export interface WritePreview {
  sql: string;
  /** The effect happens at once (pg_terminate_backend): a ROLLBACK does not undo it. */
  immediate?: boolean;
}

export const WRITE_PREVIEWS: Readonly<Record<string, WritePreview>> = {
  'reset-negative-reservations': {
    sql: `SELECT id, sku, title, store_name, quantity, reserved_quantity, available_quantity
FROM inventory
WHERE available_quantity < 0
ORDER BY id;`,
  },
  'archive-old-orders': {
    sql: `SELECT id, order_number, customer_name, delivered_at, notes
FROM orders
WHERE status = 'delivered'
  AND delivered_at < now() - interval '2 years'
  AND coalesce(notes, '') NOT LIKE '%[ARCHIVED]%'
ORDER BY delivered_at, id;`,
  },
  'terminate-idle-in-transaction': {
    immediate: true,
    sql: `SELECT pid, usename, application_name, client_addr, now() - state_change AS idle_for, left(query, 200) AS last_query
FROM pg_stat_activity
WHERE datname = current_database()
  AND pid <> pg_backend_pid()
  AND state IN ('idle in transaction', 'idle in transaction (aborted)')
  AND state_change < now() - interval '10 minutes'
ORDER BY state_change;`,
  },
  'terminate-idle-connections': {
    immediate: true,
    sql: `SELECT pid, usename, application_name, client_addr, now() - state_change AS idle_for, left(query, 200) AS last_query
FROM pg_stat_activity
WHERE datname = current_database()
  AND pid <> pg_backend_pid()
  AND backend_type = 'client backend'
  AND state = 'idle'
  AND state_change < now() - interval '1 hour'
ORDER BY state_change;`,
  },
};
