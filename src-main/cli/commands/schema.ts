// ops-console schema PROFILE [--schema S] [--system] [--filter TEXT] [--json]
// ops-console schema PROFILE --object SCHEMA.NAME [--ddl] [--json]
// The schema browser on the command line (issue #19): the schemas with their object counts,
// one schema's objects, one object's parts, or its DDL (pg_dump's own for relations). Reads
// only, in a READ ONLY transaction, like the screen. Names are given SQL-style, so a name
// with a dot or a quote can be named: "we""ird"."a.b".
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import {
  parseQualifiedName,
  SCHEMA_GROUPS,
  type ObjectDdl,
  type ObjectNode,
  type SchemaNode,
  type SchemaObjectDetails,
  type SchemaTree,
} from '../../contract/schema';
import { formatBytes } from '../../core/platform/text/bytes';
import { boolFlag, expectPositionals, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { withPasswordRetry } from '../password-retry';
import { printJson, table } from '../io';
import { findProfile } from './profile';

const USAGE = 'ops-console schema PROFILE [--schema S] [--system] [--filter TEXT] [--json]\n  ops-console schema PROFILE --object SCHEMA.NAME [--ddl] [--json]';
const PAGE = 1000;

type Call = <T>(fn: (password: { password?: string }) => Promise<T>) => Promise<T>;

function caller(ctx: CliContext, profile: Profile): Call {
  return (fn) => withPasswordRetry(ctx, profile, (password) => fn(password !== undefined ? { password } : {}));
}

function schemaNamed(tree: SchemaTree, name: string, profile: Profile): SchemaNode {
  const s = tree.schemas.find((x) => x.name === name);
  if (!s) throw new OpsError('NOT_FOUND', `${profile.name} has no schema named ${JSON.stringify(name)} (names are case-sensitive).`, { profile: profile.name });
  return s;
}

/** Every object of one schema, all groups, page after page. */
async function allObjects(ctx: CliContext, call: Call, profile: Profile, schema: SchemaNode, filter: string): Promise<ObjectNode[]> {
  const objects: ObjectNode[] = [];
  for (const group of SCHEMA_GROUPS) {
    if (schema.counts[group] === 0) continue;
    for (let offset = 0; ; offset += PAGE) {
      const page = await call((pw) =>
        ctx.call('listSchemaObjects', { profileId: profile.id, schemaOid: schema.oid, group, filter, offset, limit: PAGE, ...pw }),
      );
      objects.push(...page.objects);
      if (offset + PAGE >= page.total) break;
    }
  }
  return objects;
}

function size(bytes: number | null): string {
  return bytes === null ? '' : formatBytes(bytes);
}

async function listSchemas(ctx: CliContext, call: Call, profile: Profile, system: boolean): Promise<number> {
  const tree = await call((pw) => ctx.call('getSchemaTree', { profileId: profile.id, showSystem: system, ...pw }));
  if (ctx.io.json) {
    printJson(ctx.io, { ok: true, profile: profile.name, database: tree.database, schemas: tree.schemas, extensions: tree.extensions, roles: tree.roles });
    return 0;
  }
  const rows = tree.schemas.map((s) => ({
    schema: s.name,
    owner: s.owner,
    tables: s.counts.tables,
    views: s.counts.views + s.counts['materialized-views'],
    functions: s.counts.functions,
    sequences: s.counts.sequences,
    types: s.counts.types,
    note: s.system ? 'system' : s.platform ? 'platform' : '',
  }));
  ctx.io.out(table(rows, ['schema', 'owner', 'tables', 'views', 'functions', 'sequences', 'types', 'note']));
  if (tree.hiddenSystemSchemas > 0) ctx.io.out(`(${tree.hiddenSystemSchemas} system schemas hidden: --system shows them)`);
  ctx.io.out(`extensions: ${tree.extensions.map((e) => `${e.name} ${e.version}`).join(', ') || 'none'}`);
  return 0;
}

async function listSchema(ctx: CliContext, call: Call, profile: Profile, name: string, filter: string): Promise<number> {
  // Any schema may be named, a system one too.
  const tree = await call((pw) => ctx.call('getSchemaTree', { profileId: profile.id, showSystem: true, ...pw }));
  const schema = schemaNamed(tree, name, profile);
  const objects = await allObjects(ctx, call, profile, schema, filter);
  if (ctx.io.json) {
    printJson(ctx.io, { ok: true, profile: profile.name, schema: schema.name, platform: schema.platform, objects });
    return 0;
  }
  const rows = objects.map((o) => ({
    kind: o.kind,
    name: o.signature !== null ? `${o.name}(${o.signature})` : o.name,
    rows: o.rowEstimate ?? '',
    size: size(o.bytes),
  }));
  ctx.io.out(rows.length > 0 ? table(rows, ['kind', 'name', 'rows', 'size']) : `No objects in ${schema.name}${filter ? ` matching "${filter}"` : ''}.`);
  return 0;
}

/** The one object of that name; functions may be overloaded, and a name may be a table and a type at once. */
async function findObject(ctx: CliContext, call: Call, profile: Profile, text: string): Promise<ObjectNode> {
  const parsed = parseQualifiedName(text);
  if (!parsed) throw new UsageError(`--object needs SCHEMA.NAME (quote a part holding a dot or a quote: "my schema"."a.b"), not ${JSON.stringify(text)}`);
  const tree = await call((pw) => ctx.call('getSchemaTree', { profileId: profile.id, showSystem: true, ...pw }));
  const schema = schemaNamed(tree, parsed.schema, profile);
  const matches = (await allObjects(ctx, call, profile, schema, parsed.name)).filter((o) => o.name === parsed.name);
  // A table's row type is not listed among the types, so one relation and nothing else is the common case.
  const relations = matches.filter((o) => o.signature === null && o.kind !== 'enum' && o.kind !== 'composite' && o.kind !== 'domain' && o.kind !== 'range');
  const chosen = relations.length === 1 ? relations[0] : matches.length === 1 ? matches[0] : undefined;
  if (chosen) return chosen;
  if (matches.length === 0)
    throw new OpsError('NOT_FOUND', `No object named ${JSON.stringify(parsed.name)} in schema ${JSON.stringify(schema.name)} on ${profile.name}.`, {
      profile: profile.name,
    });
  const list = matches.map((o) => `${o.kind} ${o.name}${o.signature !== null ? `(${o.signature})` : ''}`).join(', ');
  throw new OpsError(
    'NOT_FOUND',
    `${matches.length} objects are named ${JSON.stringify(parsed.name)} in ${schema.name} (${list}); the command line shows one only when the name is unique.`,
    {
      profile: profile.name,
    },
  );
}

function detailsText(d: SchemaObjectDetails): string {
  const lines = [
    `${d.kind} ${d.qualifiedName}  owner ${d.owner}${d.rowEstimate !== null ? `  ~${d.rowEstimate} rows` : ''}${d.bytes !== null ? `  ${formatBytes(d.bytes)}` : ''}`,
  ];
  if (d.comment) lines.push(`comment: ${d.comment}`);
  if (d.signature !== null) lines.push(`arguments: ${d.signature}${d.returns ? `  returns ${d.returns}` : ''}`);
  if (d.columns.length > 0) {
    const rows = d.columns.map((c) => ({
      column: c.name,
      type: c.type,
      null: c.nullable ? 'yes' : 'no',
      default: c.default ?? (c.identity ? `identity ${c.identity}` : ''),
    }));
    lines.push('', table(rows, ['column', 'type', 'null', 'default']));
  }
  const section = (title: string, items: string[]): void => {
    if (items.length > 0) lines.push('', `${title}:`, ...items.map((i) => `  ${i}`));
  };
  section(
    'indexes',
    d.indexes.map((i) => `${i.definition}${i.valid ? '' : '  (INVALID)'}`),
  );
  section(
    'constraints',
    d.constraints.map((c) => `${c.name}: ${c.definition}`),
  );
  section(
    'triggers',
    d.triggers.map((t) => `${t.definition}${t.enabled ? '' : '  (disabled)'}`),
  );
  if (d.rls) lines.push('', `row level security: ${d.rls.enabled ? 'on' : 'off'}${d.rls.forced ? ', forced' : ''}`);
  section(
    'policies',
    d.policies.map(
      (p) => `${p.name}: ${p.command} to ${p.roles.join(', ')}${p.using ? ` using ${p.using}` : ''}${p.withCheck ? ` with check ${p.withCheck}` : ''}`,
    ),
  );
  section(
    'grants',
    d.grants.map((g) => `${g.grantee}: ${g.privileges.join(', ')}${g.grantable.length > 0 ? ` (grantable: ${g.grantable.join(', ')})` : ''}`),
  );
  section('labels', d.enumLabels);
  return lines.join('\n');
}

async function showObject(ctx: CliContext, call: Call, profile: Profile, text: string, ddl: boolean): Promise<number> {
  const o = await findObject(ctx, call, profile, text);
  if (ddl) {
    const result: ObjectDdl = await call((pw) => ctx.call('getObjectDdl', { profileId: profile.id, oid: o.oid, kind: o.kind, ...pw }));
    if (ctx.io.json) printJson(ctx.io, { ok: true, ...result });
    else ctx.io.out(result.ddl.replace(/\n+$/, ''));
    return 0;
  }
  const details = await call((pw) => ctx.call('getSchemaObject', { profileId: profile.id, oid: o.oid, kind: o.kind, ...pw }));
  if (ctx.io.json) printJson(ctx.io, { ok: true, ...details });
  else ctx.io.out(detailsText(details));
  return 0;
}

export async function schemaCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    schema: { type: 'string' },
    object: { type: 'string' },
    ddl: { type: 'boolean' },
    system: { type: 'boolean' },
    filter: { type: 'string' },
  });
  const [name] = expectPositionals(parsed, ['PROFILE'], USAGE);
  const schema = stringFlag(parsed, 'schema');
  const object = stringFlag(parsed, 'object');
  const ddl = boolFlag(parsed, 'ddl');
  if (schema !== undefined && object !== undefined) throw new UsageError(`--schema and --object do not go together\nusage: ${USAGE}`);
  if (ddl && object === undefined) throw new UsageError(`--ddl needs --object SCHEMA.NAME\nusage: ${USAGE}`);
  const profile = await findProfile(ctx, name!);
  const call = caller(ctx, profile);
  if (object !== undefined) return showObject(ctx, call, profile, object, ddl);
  if (schema !== undefined) return listSchema(ctx, call, profile, schema, stringFlag(parsed, 'filter') ?? '');
  return listSchemas(ctx, call, profile, boolFlag(parsed, 'system'));
}
