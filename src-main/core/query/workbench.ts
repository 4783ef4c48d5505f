// The editor's helpers in the core (issue #4): the catalog behind autocomplete, read over
// a short connection of its own so it works while the console session is busy, and the
// editor's tabs, kept per profile in the local store so drafts survive restarts.
import type pg from 'pg';
import { OpsError } from '../../contract/errors';
import type { CatalogRelation, EditorTab, Profile, QueryCatalog } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { Handlers } from '../platform/kernel/dispatch';
import { withClient } from '../platform/postgres/connect';
import { toOpsError } from '../platform/postgres/pg-errors';
import { queryServiceFor } from './service';

/**
 * Caps keep a catalog of a huge database (thousands of partitions, extension functions)
 * from costing seconds and megabytes on every refresh; past them autocomplete simply
 * offers less. Partitions come last, so real tables are kept first.
 */
export const CATALOG_MAX_RELATIONS = 5_000;
export const CATALOG_MAX_FUNCTIONS = 5_000;

// TOAST and other sessions' temporary schemas are nothing a user types.
const VISIBLE_SCHEMA = `n.nspname <> 'pg_toast' AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;
const USER_SCHEMA = `${VISIBLE_SCHEMA} AND n.nspname NOT IN ('pg_catalog', 'information_schema')`;

const SCHEMAS_SQL = `SELECT n.nspname AS name FROM pg_namespace n WHERE ${VISIBLE_SCHEMA} ORDER BY n.nspname`;

const RELATIONS_SQL = `
  WITH rels AS (
    SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND ${USER_SCHEMA}
    ORDER BY c.relispartition, n.nspname, c.relname
    LIMIT $1
  )
  SELECT r.schema, r.name, r.kind,
         COALESCE((SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum)
                   FROM pg_attribute a
                   WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]'::json) AS columns
  FROM rels r
  ORDER BY r.schema, r.name`;

// Trigger, event-trigger and handler functions cannot be called from a query: not offered.
const FUNCTIONS_SQL = `
  SELECT n.nspname AS schema, p.proname AS name,
         pg_get_function_identity_arguments(p.oid) AS args,
         COALESCE(pg_get_function_result(p.oid), '') AS result
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE ${USER_SCHEMA}
    AND format_type(p.prorettype, NULL) NOT IN ('trigger', 'event_trigger', 'internal', 'language_handler', 'fdw_handler', 'index_am_handler', 'tsm_handler', 'table_am_handler')
  ORDER BY n.nspname, p.proname, args
  LIMIT $1`;

const RELATION_KINDS: Record<string, CatalogRelation['kind']> = {
  r: 'table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
  p: 'partitioned table',
};

interface RelationRow {
  schema: string;
  name: string;
  kind: string;
  columns: Array<{ name: string; type: string }>;
}

async function readCatalog(client: pg.Client): Promise<{ catalog: QueryCatalog; relationsCapped: boolean; functionsCapped: boolean }> {
  const schemas = await client.query<{ name: string }>(SCHEMAS_SQL);
  // One more than the cap tells us whether the cap cut anything.
  const relations = await client.query<RelationRow>(RELATIONS_SQL, [CATALOG_MAX_RELATIONS + 1]);
  const functions = await client.query<QueryCatalog['functions'][number]>(FUNCTIONS_SQL, [CATALOG_MAX_FUNCTIONS + 1]);
  return {
    catalog: {
      schemas: schemas.rows.map((r) => r.name),
      relations: relations.rows
        .slice(0, CATALOG_MAX_RELATIONS)
        .map((r) => ({ schema: r.schema, name: r.name, kind: RELATION_KINDS[r.kind] ?? 'table', columns: r.columns })),
      functions: functions.rows.slice(0, CATALOG_MAX_FUNCTIONS).map((f) => ({ schema: f.schema, name: f.name, args: f.args, result: f.result })),
      loadedAt: new Date().toISOString(),
    },
    relationsCapped: relations.rows.length > CATALOG_MAX_RELATIONS,
    functionsCapped: functions.rows.length > CATALOG_MAX_FUNCTIONS,
  };
}

function count(n: number, word: string, capped: boolean): string {
  return `${n.toLocaleString('en-US')} ${word}${capped ? ' (capped)' : ''}`;
}

/**
 * The password to use: the one just typed, else the one the console session connected
 * with (typed earlier in this run, memory only), else withClient's usual resolution.
 */
function catalogPassword(deps: CoreDeps, profile: Profile, typed: string | undefined): string | undefined {
  if (typed !== undefined && typed !== '') return typed;
  return queryServiceFor(deps).sessions.current(profile.id)?.password;
}

interface TabRow {
  id: string;
  title: string;
  sql: string;
  active: number;
}

function readTabs(deps: CoreDeps, profileId: string): { tabs: EditorTab[]; activeId: string | null } {
  const rows = deps.store.db.prepare('SELECT id, title, sql, active FROM editor_tabs WHERE profile_id = ? ORDER BY position').all(profileId) as TabRow[];
  return { tabs: rows.map((r) => ({ id: r.id, title: r.title, sql: r.sql })), activeId: rows.find((r) => r.active === 1)?.id ?? null };
}

function writeTabs(deps: CoreDeps, profileId: string, tabs: EditorTab[], activeId: string | null): void {
  const seen = new Set<string>();
  for (const tab of tabs) {
    if (seen.has(tab.id))
      throw new OpsError('INVALID_INPUT', `tabs: the tab id "${tab.id}" appears twice; every editor tab needs its own id.`, { field: 'tabs' });
    seen.add(tab.id);
  }
  const db = deps.store.db;
  const remove = db.prepare('DELETE FROM editor_tabs WHERE profile_id = ?');
  const insert = db.prepare('INSERT INTO editor_tabs (profile_id, position, id, title, sql, active) VALUES (?, ?, ?, ?, ?, ?)');
  // All or nothing: a crash mid-save must not leave half of the tabs behind.
  db.transaction(() => {
    remove.run(profileId);
    tabs.forEach((tab, position) => insert.run(profileId, position, tab.id, tab.title, tab.sql, tab.id === activeId ? 1 : 0));
  })();
}

export function workbenchHandlers(deps: CoreDeps): Pick<Handlers, 'getQueryCatalog' | 'getEditorTabs' | 'saveEditorTabs'> {
  return {
    getQueryCatalog: async (input, ctx) => {
      const profile = deps.profiles.require(input.profileId);
      ctx.audit.profile = profile.name;
      const password = catalogPassword(deps, profile, input.password);
      const read = await withClient(
        deps,
        profile,
        async (client) => {
          try {
            return await readCatalog(client);
          } catch (err) {
            throw toOpsError(err, profile);
          }
        },
        password === undefined ? {} : { password },
      );
      const { catalog } = read;
      ctx.audit.summary = `catalog read: ${count(catalog.schemas.length, 'schemas', false)}, ${count(catalog.relations.length, 'relations', read.relationsCapped)}, ${count(catalog.functions.length, 'functions', read.functionsCapped)}`;
      return catalog;
    },
    getEditorTabs: (input) => readTabs(deps, deps.profiles.require(input.profileId).id),
    saveEditorTabs: (input) => {
      writeTabs(deps, deps.profiles.require(input.profileId).id, input.tabs, input.activeId);
      return { saved: true as const };
    },
  };
}
