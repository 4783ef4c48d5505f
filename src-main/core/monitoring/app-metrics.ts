// The shop's own figures from the runbook's Performance Monitoring and Evening sections:
// active designers, 7-day conversion, today's orders, shipments, order value and designs.
// The SQL is the runbook snippets' (by slug, one place per query). Each figure runs under
// its own savepoint, so a database without the shop's tables or columns (any profile that
// is not the shop) answers null with a note instead of an error.
import type pg from 'pg';
import type { AppMetrics } from '../../contract/monitoring';
import type { Profile } from '../../contract/models';
import { snippetSql } from '../runbook';
import { numOrNull, optionalPart, readReport, type ReportDeps } from './report-read';

type Row = Record<string, string | number | null>;

function why(err: Error & { code?: string }): string {
  switch (err.code) {
    case '42P01':
      return `the table is not in this database (${err.message})`;
    case '42703':
      return `a column it needs is missing (${err.message})`;
    case '42501':
      return `this role may not read it (${err.message})`;
    default:
      return `${err.message} (SQLSTATE ${err.code ?? '?'})`;
  }
}

/**
 * Which of the shop's tables this database has (to_regclass: no error when absent). A
 * figure whose table is missing is not queried at all: a failing statement would land in
 * the server log as an ERROR, and the overview counts those as failed queries.
 */
async function shopTables(client: pg.Client): Promise<{ designs: boolean; orders: boolean }> {
  const { rows } = await client.query<{ designs: boolean; orders: boolean }>(
    "SELECT to_regclass('designs') IS NOT NULL AS designs, to_regclass('orders') IS NOT NULL AS orders",
  );
  return rows[0] ?? { designs: false, orders: false };
}

/** Rows of one snippet, or null with a note saying which figure is missing and why. */
async function snippetRows(client: pg.Client, slug: string, label: string, notes: string[], tablePresent: boolean, table: string): Promise<Row[] | null> {
  if (!tablePresent) {
    notes.push(`${label}: the table ${table} is not in this database.`);
    return null;
  }
  return optionalPart<Row[] | null>(
    client,
    async () => (await client.query<Row>(snippetSql(slug))).rows,
    (err) => {
      notes.push(`${label}: ${why(err)}.`);
      return null;
    },
  );
}

async function readAppMetrics(client: pg.Client): Promise<AppMetrics> {
  const notes: string[] = [];
  const has = await shopTables(client);
  const active = await snippetRows(client, 'active-designers', 'Active users (designs.user_id, 24 h)', notes, has.designs, 'designs');
  const conversion = await snippetRows(client, 'conversion-rate', 'Conversion rate (orders, 7 days)', notes, has.orders, 'orders');
  const summary = await snippetRows(client, 'daily-summary', "Today's orders, shipments and revenue (orders)", notes, has.orders, 'orders');
  const designs = await snippetRows(client, 'designs-today', "Today's new designs (designs)", notes, has.designs, 'designs');
  const conversionRate = conversion ? numOrNull(conversion[0]?.conversion_pct) : null;
  if (conversion && conversionRate === null) notes.push('Conversion rate: no orders in the last 7 days.');
  const day = summary?.[0];
  return {
    activeUsers24h: active ? (numOrNull(active[0]?.active_users) ?? 0) : null,
    conversionRate7d: conversionRate,
    today: {
      newOrders: day ? numOrNull(day.new_orders) : null,
      shipped: day ? numOrNull(day.shipped_orders) : null,
      revenue: day ? numOrNull(day.order_value) : null,
      newDesigns: designs ? designs.reduce((sum, r) => sum + (numOrNull(r.designs) ?? 0), 0) : null,
    },
    notes,
  };
}

export function getAppMetrics(deps: ReportDeps, profile: Profile, password?: string): Promise<AppMetrics> {
  return readReport(deps, profile, password, "the shop's figures", readAppMetrics);
}
