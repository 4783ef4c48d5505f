// The schema browser's types (issue #19): a lazy tree of the database's schemas and their
// objects, one object's parts and its DDL. Objects are named by OID and the catalog they
// live in (pg_class, pg_proc, pg_type): a name is only ever shown, never looked up.
import { z } from 'zod';

const profileInput = { profileId: z.string().min(1), password: z.string().max(1024).optional() };
const oid = z.number().int().min(1).max(4294967295);

/** The groups a schema opens into, in the order the tree shows them. */
export const SCHEMA_GROUPS = ['tables', 'views', 'materialized-views', 'functions', 'sequences', 'types'] as const;
export type SchemaGroup = (typeof SCHEMA_GROUPS)[number];

export const SCHEMA_GROUP_LABELS: Record<SchemaGroup, string> = {
  tables: 'Tables',
  views: 'Views',
  'materialized-views': 'Materialized views',
  functions: 'Functions',
  sequences: 'Sequences',
  types: 'Types',
};

export const OBJECT_KINDS = [
  'table',
  'partitioned-table',
  'foreign-table',
  'view',
  'materialized-view',
  'sequence',
  'function',
  'procedure',
  'aggregate',
  'window-function',
  'enum',
  'composite',
  'domain',
  'range',
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** Which catalog an object kind's OID belongs to. */
export type ObjectCatalog = 'relation' | 'function' | 'type';

export function catalogOf(kind: ObjectKind): ObjectCatalog {
  if (kind === 'function' || kind === 'procedure' || kind === 'aggregate' || kind === 'window-function') return 'function';
  if (kind === 'enum' || kind === 'composite' || kind === 'domain' || kind === 'range') return 'type';
  return 'relation';
}

/** Schemas PostgreSQL itself keeps; hidden unless asked for. pg_temp_N / pg_toast_temp_N too. */
export function isSystemSchema(name: string): boolean {
  return name === 'pg_catalog' || name === 'information_schema' || name === 'pg_toast' || /^pg_(toast_)?temp_\d+$/.test(name);
}

export const schemaTreeInput = z.object({ ...profileInput, showSystem: z.boolean().default(false) }).strict();

export const listObjectsInput = z
  .object({
    ...profileInput,
    schemaOid: oid,
    group: z.enum(SCHEMA_GROUPS),
    /** Narrows by name (case-insensitive substring), on the server. */
    filter: z.string().max(200).default(''),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(500),
  })
  .strict();

export const objectInput = z.object({ ...profileInput, oid, kind: z.enum(OBJECT_KINDS) }).strict();

export const objectDdlInput = z.object({ ...profileInput, oid, kind: z.enum(OBJECT_KINDS) }).strict();

export interface SchemaNode {
  oid: number;
  name: string;
  owner: string;
  /** pg_catalog, information_schema, pg_toast (shown only with showSystem). */
  system: boolean;
  /** A schema a hosting platform such as Supabase manages (auth, storage, realtime…). */
  platform: boolean;
  counts: Record<SchemaGroup, number>;
}

export interface ExtensionNode {
  oid: number;
  name: string;
  version: string;
  schema: string;
  comment: string | null;
}

export interface RoleNode {
  oid: number;
  name: string;
  login: boolean;
  superuser: boolean;
  createDb: boolean;
  createRole: boolean;
  bypassRls: boolean;
  memberOf: string[];
}

export interface SchemaTree {
  database: string;
  serverVersion: string;
  currentUser: string;
  schemas: SchemaNode[];
  /** System schemas left out because showSystem was off. */
  hiddenSystemSchemas: number;
  extensions: ExtensionNode[];
  roles: RoleNode[];
}

export interface ObjectNode {
  oid: number;
  kind: ObjectKind;
  name: string;
  /** Functions: the argument list, as \df shows it (overloads differ only there). */
  signature: string | null;
  /** Tables and materialized views: reltuples (or the statistics' live count before the first ANALYZE). */
  rowEstimate: number | null;
  /** Relations: pg_total_relation_size. */
  bytes: number | null;
}

export interface ObjectPage {
  schemaOid: number;
  schema: string;
  group: SchemaGroup;
  filter: string;
  /** Objects of the group matching the filter, all pages together. */
  total: number;
  offset: number;
  objects: ObjectNode[];
}

export interface ColumnInfo {
  position: number;
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
  /** 'always' / 'by default' for identity columns, 'stored' for generated ones. */
  identity: string | null;
  generated: string | null;
  comment: string | null;
}

export interface IndexInfo {
  name: string;
  definition: string;
  primary: boolean;
  unique: boolean;
  valid: boolean;
  bytes: number;
}

export interface ConstraintInfo {
  name: string;
  /** primary key, unique, foreign key, check, exclusion, not null (16+)… */
  type: string;
  definition: string;
}

export interface TriggerInfo {
  name: string;
  definition: string;
  enabled: boolean;
}

export interface PolicyInfo {
  name: string;
  command: string;
  permissive: boolean;
  roles: string[];
  using: string | null;
  withCheck: string | null;
}

export interface GrantInfo {
  grantee: string;
  grantor: string;
  privileges: string[];
  /** Privileges granted WITH GRANT OPTION. */
  grantable: string[];
}

export interface SchemaObjectDetails {
  oid: number;
  kind: ObjectKind;
  schema: string;
  name: string;
  /** Quoted and schema-qualified, as SQL needs it ("we""ird"."tåble"). */
  qualifiedName: string;
  owner: string;
  comment: string | null;
  rowEstimate: number | null;
  bytes: number | null;
  /** Functions: arguments and result, as pg_get_function_* return them. */
  signature: string | null;
  returns: string | null;
  columns: ColumnInfo[];
  indexes: IndexInfo[];
  constraints: ConstraintInfo[];
  triggers: TriggerInfo[];
  policies: PolicyInfo[];
  /** Row level security on the table (null for objects that have none). */
  rls: { enabled: boolean; forced: boolean } | null;
  grants: GrantInfo[];
  /** Enum labels, in order. */
  enumLabels: string[];
  /** Whether `SELECT * FROM` it makes sense (tables, views, materialized views, sequences). */
  selectable: boolean;
}

/** Where the DDL text came from: pg_dump itself, or the server's catalog functions. */
export type DdlSource = 'pg_dump' | 'catalog';

export interface ObjectDdl {
  oid: number;
  kind: ObjectKind;
  qualifiedName: string;
  ddl: string;
  source: DdlSource;
  /** For pg_dump: the command line as run (display only; no password in it) and the tool's version. */
  command: string | null;
  toolVersion: string | null;
  /** What the source means for this object, worded for the DBA. */
  note: string;
}

/** An identifier always in double quotes (embedded quotes doubled): safe whatever the name, keywords included. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** What "Open in console" puts in a console tab for a relation. */
export function selectSql(schema: string, name: string): string {
  return `SELECT * FROM ${quoteIdent(schema)}.${quoteIdent(name)} LIMIT 100`;
}

/**
 * `schema.name` as typed on a command line, SQL-style: each part bare (taken as written, case
 * kept: names are shown, not folded) or in double quotes with "" for a quote, so a name
 * holding a dot or a quote can still be given ("we""ird name"."a.b"). One part alone is a
 * name in `public`. Null when it does not parse.
 */
export function parseQualifiedName(text: string): { schema: string; name: string } | null {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let part = '';
      i += 1;
      for (;;) {
        if (i >= text.length) return null;
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        part += text[i];
        i += 1;
      }
      parts.push(part);
    } else {
      const end = text.indexOf('.', i);
      const part = end < 0 ? text.slice(i) : text.slice(i, end);
      if (part.includes('"')) return null;
      parts.push(part);
      i = end < 0 ? text.length : end;
    }
    if (i === text.length) break;
    if (text[i] !== '.') return null;
    i += 1;
  }
  if (parts.some((p) => p.length === 0)) return null;
  if (parts.length === 1) return { schema: 'public', name: parts[0]! };
  if (parts.length === 2) return { schema: parts[0]!, name: parts[1]! };
  return null;
}
