// Helpers for tests that talk to the run-wide PostgreSQL cluster started by
// tests/helpers/global-setup.ts. Get its coordinates with `inject('pg')`.
import pg from 'pg';

/** What global-setup provides under the key 'pg'. */
export interface TestPg {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Folder of the server's programs (psql, pg_dump, pg_restore… live there too). */
  binDir: string;
  /** Where the cluster's files are (for diagnostics only; do not write there). */
  dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pg: TestPg;
  }
}

/** A libpq URI for the cluster, optionally for another database. Contains the password. */
export function pgUrl(target: TestPg, database: string = target.database): string {
  const user = encodeURIComponent(target.user);
  const password = encodeURIComponent(target.password);
  return `postgresql://${user}:${password}@${target.host}:${target.port}/${encodeURIComponent(database)}?sslmode=disable`;
}

/** Connection settings for `new pg.Client(...)`. */
export function clientConfig(target: TestPg, database: string = target.database): pg.ClientConfig {
  return { host: target.host, port: target.port, user: target.user, password: target.password, database, ssl: false };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Opens a client, runs `fn`, always closes the client. */
export async function withClient<T>(target: TestPg, fn: (client: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const client = new pg.Client(clientConfig(target, database));
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh database (dropping a leftover of the same name first); returns its name. */
export async function createTestDatabase(target: TestPg, name: string): Promise<string> {
  await withClient(target, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  });
  return name;
}

/** Drops a database, disconnecting anyone still on it. */
export async function dropTestDatabase(target: TestPg, name: string): Promise<void> {
  await withClient(target, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
}

/** A database name unique to this test file and moment, safe to use unquoted. */
export function uniqueDatabaseName(prefix: string): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  return `${clean}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}
