// A Supabase-shaped PostgreSQL for tests: a fresh local cluster (superuser `postgres`, the
// database `postgres`, as on Supabase) with tests/fixtures/supabase/platform.sql applied,
// and optionally the user-management app of app.sql. Each call owns its cluster, so the
// platform's cluster-wide roles never leak into the shared test cluster.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createScratchCluster, type ScratchCluster } from '../../src-main/core/restore/scratch';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'supabase');

export interface SupabaseCluster {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  version: string;
  /** Runs SQL on a database of the cluster (default `postgres`) as the superuser. */
  sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, database?: string): Promise<pg.QueryResult<T>>;
  /** Stops the cluster and deletes its files. */
  destroy(): Promise<void>;
}

export function fixtureSql(name: 'platform' | 'app'): string {
  return fs.readFileSync(path.join(FIXTURES, `${name}.sql`), 'utf8');
}

/** Applies the platform shape (and the app) to a database, as a superuser. */
export async function buildSupabaseDatabase(client: pg.Client, options: { app: boolean }): Promise<void> {
  await client.query(fixtureSql('platform'));
  if (options.app) await client.query(fixtureSql('app'));
}

/** A fresh cluster; `shape` 'none' leaves `postgres` empty (a plain database named postgres). */
export async function createSupabaseCluster(shape: 'project' | 'platform' | 'none', minMajor = 0): Promise<SupabaseCluster> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-supabase-'));
  let scratch: ScratchCluster;
  try {
    scratch = await createScratchCluster({ home }, minMajor, `supabase-${process.pid}-${Date.now().toString(36)}`);
  } catch (err) {
    fs.rmSync(home, { recursive: true, force: true });
    throw err;
  }
  const c = scratch.connection;
  const run = async <T extends pg.QueryResultRow>(text: string, database = 'postgres'): Promise<pg.QueryResult<T>> => {
    const client = new pg.Client({ host: c.host, port: c.port, user: c.user, password: c.password ?? undefined, database, ssl: false });
    await client.connect();
    try {
      return await client.query<T>(text);
    } finally {
      await client.end();
    }
  };
  const cluster: SupabaseCluster = {
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password ?? '',
    database: 'postgres',
    version: scratch.version,
    sql: run,
    async destroy() {
      await scratch.destroy();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
  try {
    if (shape !== 'none') await run(fixtureSql('platform'));
    if (shape === 'project') await run(fixtureSql('app'));
  } catch (err) {
    await cluster.destroy();
    throw err;
  }
  return cluster;
}
