// Identifiers in the SQL the app generates (CREATE DATABASE, count(*) per table, VACUUM…):
// one implementation, node-postgres's, so every domain quotes the same way.
import pg from 'pg';

export function quoteIdent(name: string): string {
  return pg.escapeIdentifier(name);
}

/** schema.name, each part quoted. */
export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}
