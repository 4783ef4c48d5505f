// One statement per protocol message. node-postgres sends a query without parameters over
// the simple protocol, where one message may hold any number of statements; with
// queryMode 'extended' (pg >= 8.15, not yet in @types/pg) it sends Parse/Bind/Execute, and
// the server refuses a Parse holding more than one statement ("cannot insert multiple
// commands into a prepared statement"). Every statement of a user's is sent this way, so
// the server runs exactly the statement the guard judged, or nothing.
import type pg from 'pg';

export function extended<T extends pg.QueryConfig>(config: T): T {
  return { ...config, queryMode: 'extended' } as T;
}
