// The demo sandbox end to end: through the core's dispatcher (audit + events), against the
// real PostgreSQL server programs, with the runbook's own queries.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Envelope } from '../../src-main/contract/errors';
import type { AuditEntry, SandboxStatus } from '../../src-main/contract/models';
import type { AppEvent } from '../../src-main/contract/operations';
import { createCore, type Core } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { Sandbox } from '../../src-main/core/sandbox/sandbox';

const execFileAsync = promisify(execFile);
const via = { actor: 'tester', via: 'test' as const };

async function call<T>(core: Core, op: string): Promise<T> {
  const envelope = (await core.dispatch(op, {}, via)) as Envelope<T>;
  if (!envelope.ok) throw new Error(`${op} failed: ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** psql with the url exactly as printed, and no password anywhere in the environment. */
async function psql(url: string, sql: string): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PG')));
  const { stdout } = await execFileAsync(path.join(inject('pg').binDir, 'psql'), [url, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql], { env });
  return stdout.trim();
}

describe('sandbox', () => {
  let home: string;
  let core: Core;
  const events: AppEvent[] = [];
  let first: SandboxStatus;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sandbox-test-'));
    core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester' });
    core.events.subscribe((event) => events.push(event));
    first = await call<SandboxStatus>(core, 'startSandbox');
  });

  afterAll(async () => {
    // Whatever happened above, no cluster may outlive the test.
    const sandbox = new Sandbox({ home, profiles: core.deps.profiles });
    await sandbox.destroy();
    await core.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('starts, reports a usable url and creates the sandbox profile', async () => {
    expect(first).toMatchObject({ ok: true, running: true, profile: 'sandbox' });
    expect(first.port).toBeGreaterThan(0);
    expect(first.url).toBe(`postgresql://ops_sandbox@127.0.0.1:${first.port}/timothie?sslmode=disable`);
    expect(first.serverVersion).toMatch(/^\d+(\.\d+)?/);
    expect(fs.existsSync(path.join(first.dataDir, 'PG_VERSION'))).toBe(true);

    const profile = core.deps.profiles.getByName('sandbox');
    expect(profile).toMatchObject({
      env: 'sandbox',
      host: '127.0.0.1',
      port: first.port,
      database: 'timothie',
      user: 'ops_sandbox',
      sslmode: 'disable',
      readOnly: false,
    });

    const state = JSON.parse(fs.readFileSync(path.join(home, 'sandbox', 'state.json'), 'utf8')) as Record<string, unknown>;
    expect(state).toMatchObject({ port: first.port, dataDir: first.dataDir, seeded: true });
    expect(events).toContainEqual(expect.objectContaining({ type: 'sandbox.changed', running: true }));
  });

  it('lets only the unprivileged demo role in over TCP without a password', async () => {
    const [role] = await query<{ rolsuper: boolean; monitor: boolean }>(
      first.url!,
      `SELECT rolsuper, pg_has_role(current_user, 'pg_monitor', 'member') AS monitor FROM pg_roles WHERE rolname = current_user`,
    );
    expect(role).toEqual({ rolsuper: false, monitor: true });
    const superuser = new pg.Client({ host: '127.0.0.1', port: first.port!, user: 'postgres', database: 'timothie', ssl: false });
    await expect(superuser.connect()).rejects.toThrow(/password/i);
    await superuser.end().catch(() => undefined);
    // The demo role owns the data it is shown, so the runbook's repairs work.
    const [owner] = await query<{ owner: string }>(first.url!, `SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'inventory'`);
    expect(owner?.owner).toBe('ops_sandbox');
  });

  it('records the commands it ran in the audit trail', async () => {
    const { entries } = await call<{ entries: AuditEntry[] }>(core, 'searchAudit');
    const start = entries.find((e) => e.action === 'sandbox.start');
    expect(start).toMatchObject({ outcome: 'ok', profile: 'sandbox' });
    expect(start?.detail).toContain('initdb');
    expect(start?.detail).toContain('pg_ctl start');
  });

  it('serves the runbook queries from the url, with psql as printed', async () => {
    const url = first.url!;
    expect(Number(await psql(url, `SELECT count(*) FROM inventory WHERE status = 'low_stock' AND is_active = true`))).toBeGreaterThan(0);
    const outOfStock = await query(url, `SELECT title, quantity, reserved_quantity FROM inventory WHERE status = 'out_of_stock' AND is_active = true`);
    expect(outOfStock.length).toBeGreaterThan(0);
    const negative = await query<{ available_quantity: number }>(
      url,
      `SELECT id, title, quantity, reserved_quantity, available_quantity FROM inventory WHERE available_quantity < 0`,
    );
    expect(negative.length).toBeGreaterThan(0);
    expect(negative.every((row) => row.available_quantity < 0)).toBe(true);
    const pendingPaid = await query(
      url,
      `SELECT order_number, created_at, total_amount, customer_email FROM orders WHERE status = 'pending' AND payment_status = 'paid' ORDER BY created_at`,
    );
    expect(pendingPaid.length).toBeGreaterThan(0);
    const [today] = await query<{ new_orders: string; shipped_orders: string; daily_revenue: string }>(
      url,
      `SELECT COUNT(CASE WHEN created_at::date = CURRENT_DATE THEN 1 END) as new_orders,
              COUNT(CASE WHEN status = 'shipped' AND shipped_at::date = CURRENT_DATE THEN 1 END) as shipped_orders,
              SUM(CASE WHEN created_at::date = CURRENT_DATE THEN total_amount ELSE 0 END) as daily_revenue
       FROM orders`,
    );
    expect(Number(today?.new_orders)).toBeGreaterThan(0);
    expect(Number(today?.shipped_orders)).toBeGreaterThan(0);
    expect(Number(today?.daily_revenue)).toBeGreaterThan(0);
    const [designs] = await query<{ active_users: string }>(
      url,
      `SELECT COUNT(DISTINCT user_id) as active_users FROM designs WHERE created_at > NOW() - INTERVAL '24 hours'`,
    );
    expect(Number(designs?.active_users)).toBeGreaterThan(0);
    const statuses = await query<{ status: string }>(url, `SELECT DISTINCT status FROM orders ORDER BY 1`);
    expect(statuses.map((r) => r.status)).toEqual(['cancelled', 'delivered', 'pending', 'processing', 'shipped']);
    const [old] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM orders WHERE status = 'delivered' AND delivered_at < NOW() - INTERVAL '2 years'`);
    expect(Number(old?.n)).toBeGreaterThan(0);
    const cancelledItems = await query(
      url,
      `SELECT oi.order_id, oi.used_inventory_items FROM order_items oi JOIN orders o ON oi.order_id = o.id WHERE o.status = 'cancelled'`,
    );
    expect(cancelledItems.length).toBeGreaterThan(0);
    const stats = await query<{ calls: string }>(url, `SELECT query, calls FROM pg_stat_statements ORDER BY calls DESC LIMIT 10`);
    expect(stats.length).toBeGreaterThan(0);
  });

  it('fixes negative availability the runbook way', async () => {
    const url = first.url!;
    await query(url, `UPDATE inventory SET reserved_quantity = 0 WHERE available_quantity < 0`);
    expect(await query(url, `SELECT id FROM inventory WHERE available_quantity < 0`)).toEqual([]);
  });

  it('is idempotent: start while running reports the same cluster', async () => {
    const again = await call<SandboxStatus>(core, 'startSandbox');
    expect(again).toMatchObject({ running: true, port: first.port, dataDir: first.dataDir });
  });

  it('does not init twice when starts race', async () => {
    const other = new Sandbox({ home, profiles: core.deps.profiles });
    const [a, b] = await Promise.all([other.start(), call<SandboxStatus>(core, 'startSandbox')]);
    expect(a.port).toBe(first.port);
    expect(b.port).toBe(first.port);
  });

  it('stops, reports stopped, and starts again with the same data', async () => {
    await query(first.url!, `INSERT INTO stores (name, city, state, opened_at) VALUES ('Marker store', 'Reno', 'NV', CURRENT_DATE)`);
    const stopped = await call<SandboxStatus>(core, 'stopSandbox');
    expect(stopped).toMatchObject({ running: false, port: null, url: null, dataDir: first.dataDir });
    expect(await call<SandboxStatus>(core, 'getSandboxStatus')).toMatchObject({ running: false });
    await expect(query(first.url!, 'SELECT 1')).rejects.toThrow();
    expect(await call<SandboxStatus>(core, 'stopSandbox')).toMatchObject({ running: false });
    expect(events).toContainEqual(expect.objectContaining({ type: 'sandbox.changed', running: false }));

    const restarted = await call<SandboxStatus>(core, 'startSandbox');
    expect(restarted.running).toBe(true);
    expect(restarted.port).toBe(first.port);
    const marker = await query(restarted.url!, `SELECT name FROM stores WHERE name = 'Marker store'`);
    expect(marker).toHaveLength(1);
  });

  it('reset gives fresh demo data', async () => {
    const reset = await call<SandboxStatus>(core, 'resetSandbox');
    expect(reset.running).toBe(true);
    expect(await query(reset.url!, `SELECT name FROM stores WHERE name = 'Marker store'`)).toEqual([]);
    expect((await query(reset.url!, `SELECT id FROM inventory WHERE available_quantity < 0`)).length).toBeGreaterThan(0);
    expect(core.deps.profiles.getByName('sandbox')?.port).toBe(reset.port);
    const { entries } = await call<{ entries: AuditEntry[] }>(core, 'searchAudit');
    const resetEntry = entries.find((e) => e.action === 'sandbox.reset');
    expect(resetEntry?.detail).toContain('rm -rf');
    expect(resetEntry?.detail).toContain('initdb');
  });
});
