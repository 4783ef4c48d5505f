// Loads the Timothie & Co demo schema and data into an empty database.
import type pg from 'pg';
import { DATA_SQL } from './seed-data';
import { INDEX_SQL, SCHEMA_SQL } from './seed-schema';

export { SEED_COUNTS } from './seed-data';

/**
 * A few everyday application queries, run after the load so pg_stat_statements has a
 * realistic first page instead of only the seed's own statements.
 */
const WARM_UP_QUERIES = [
  `SELECT title, available_quantity, store_name FROM inventory WHERE status = 'low_stock' AND is_active = true`,
  `SELECT order_number, created_at, total_amount, customer_email FROM orders WHERE status = 'pending' AND payment_status = 'paid' ORDER BY created_at`,
  `SELECT order_number, customer_name, shipping_city, shipping_state FROM orders WHERE status = 'processing' AND shipped_at IS NULL`,
  `SELECT o.order_number, sum(oi.line_total) FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE o.created_at > now() - interval '30 days' GROUP BY o.order_number`,
  `SELECT count(*) FROM designs WHERE created_at > now() - interval '24 hours'`,
  `SELECT * FROM orders WHERE customer_email = 'ava.garcia24@example.com'`,
];

/** Runs on a client connected to the (empty) target database. One transaction. */
export async function seedDemoData(client: pg.Client): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(SCHEMA_SQL);
    await client.query(DATA_SQL);
    await client.query(INDEX_SQL);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  // Statistics now, so the first EXPLAIN and the index-usage screens are meaningful.
  await client.query('ANALYZE');
  await client.query('SELECT pg_stat_statements_reset()');
  for (let round = 0; round < 3; round += 1) {
    for (const sql of WARM_UP_QUERIES) await client.query(sql);
  }
}
