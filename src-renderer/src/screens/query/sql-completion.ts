// Autocomplete from the profile's catalog, for the SQL editor. lang-sql's own schema
// completion does schemas, relations and columns (after `schema.`, `table.` and aliases);
// this adds what it cannot: relations of other schemas offered by their bare name (and
// inserted qualified, since they may not be on the search_path) and functions.
import { type Completion, type CompletionContext, type CompletionResult, type CompletionSource } from '@codemirror/autocomplete';
import { PostgreSQL, sql, type SQLNamespace } from '@codemirror/lang-sql';
import { syntaxTree } from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import type { QueryCatalog } from '@contract/models';

const DEFAULT_SCHEMA = 'public';
const PLAIN_IDENT = /^[a-z_][a-z0-9_$]*$/;
// PostgreSQL's reserved words (and those that cannot name a table): `FROM user` would not
// mean the table, so such names are quoted when inserted.
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column concurrently ' +
    'constraint create cross current_catalog current_date current_role current_schema current_time current_timestamp current_user default ' +
    'deferrable desc distinct do else end except false fetch for foreign freeze from full grant group having ilike in initially inner ' +
    'intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on only or ' +
    'order outer overlaps placing primary references returning right select session_user similar some symmetric system_user table ' +
    'tablesample then to trailing true union unique user using variadic verbose when where window with'
  ).split(' '),
);

/** An identifier as PostgreSQL needs it typed: bare when it folds to itself, else "quoted". */
export function quoteIdent(name: string): string {
  return PLAIN_IDENT.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** lang-sql splits namespace keys on dots; a dot inside a name must be escaped. */
function key(name: string): string {
  return name.replace(/\./g, '\\.');
}

function nameCompletion(label: string, type: string, detail?: string): Completion {
  const quoted = quoteIdent(label);
  return { label, type, ...(detail ? { detail } : {}), ...(quoted !== label ? { apply: quoted } : {}) };
}

/** Schemas → relations → columns, for lang-sql's `schema` option. */
export function catalogNamespace(catalog: QueryCatalog): SQLNamespace {
  const schemas: Record<string, { self: Completion; children: Record<string, SQLNamespace> }> = {};
  const schemaOf = (name: string) => (schemas[key(name)] ??= { self: nameCompletion(name, 'namespace', 'schema'), children: {} });
  for (const name of catalog.schemas) schemaOf(name);
  for (const rel of catalog.relations) {
    schemaOf(rel.schema).children[key(rel.name)] = {
      self: nameCompletion(rel.name, 'class', rel.kind),
      children: rel.columns.map((c) => nameCompletion(c.name, 'property', c.type)),
    };
  }
  return schemas;
}

/** Inserts `name()` and puts the cursor between the parentheses when the function takes arguments. */
function applyCall(text: string, takesArgs: boolean) {
  return (view: EditorView, _completion: Completion, from: number, to: number): void => {
    const insert = `${text}()`;
    const cursor = from + text.length + (takesArgs ? 1 : 2);
    view.dispatch({ changes: { from, to, insert }, selection: { anchor: cursor }, userEvent: 'input.complete' });
  };
}

interface FunctionGroup {
  schema: string;
  name: string;
  signatures: string[];
  takesArgs: boolean;
}

function functionGroups(catalog: QueryCatalog): FunctionGroup[] {
  const groups = new Map<string, FunctionGroup>();
  for (const fn of catalog.functions) {
    const id = `${fn.schema}\u0000${fn.name}`;
    let group = groups.get(id);
    if (!group) {
      group = { schema: fn.schema, name: fn.name, signatures: [], takesArgs: false };
      groups.set(id, group);
    }
    group.signatures.push(`${fn.name}(${fn.args})${fn.result ? ` → ${fn.result}` : ''}`);
    if (fn.args !== '') group.takesArgs = true;
  }
  return [...groups.values()];
}

function functionCompletion(group: FunctionGroup, qualified: boolean): Completion {
  const text = qualified ? `${quoteIdent(group.schema)}.${quoteIdent(group.name)}` : quoteIdent(group.name);
  const overloads = group.signatures.length > 1 ? ` +${group.signatures.length - 1}` : '';
  return {
    label: group.name,
    type: 'function',
    detail: `${group.schema === DEFAULT_SCHEMA ? '' : `${group.schema} · `}${group.signatures[0]!.slice(group.name.length)}${overloads}`,
    info: group.signatures.map((s) => `${group.schema}.${s}`).join('\n'),
    apply: applyCall(text, group.takesArgs),
  };
}

/** `sales.` or `"Sales".` right before the word being typed: the schema named, as PostgreSQL folds it. */
function schemaBefore(context: CompletionContext): { schema: string; from: number } | null {
  const match = context.matchBefore(/(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)\.[\w$]*$/);
  if (!match) return null;
  const dot = match.text.lastIndexOf('.');
  const raw = match.text.slice(0, dot);
  const schema = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
  return { schema, from: match.from + dot + 1 };
}

/** Functions (bare and after `schema.`) and other schemas' relations by bare name. */
export function catalogExtrasSource(catalog: QueryCatalog): CompletionSource {
  const groups = functionGroups(catalog);
  const perSchema = new Map<string, Completion[]>();
  for (const group of groups) {
    const list = perSchema.get(group.schema) ?? [];
    list.push(functionCompletion(group, false));
    perSchema.set(group.schema, list);
  }
  const topLevel: Completion[] = groups.map((g) => functionCompletion(g, g.schema !== DEFAULT_SCHEMA));
  for (const rel of catalog.relations) {
    // Relations of the default schema come from lang-sql's own completion already.
    if (rel.schema === DEFAULT_SCHEMA) continue;
    topLevel.push({ label: rel.name, type: 'class', detail: `${rel.schema} · ${rel.kind}`, apply: `${quoteIdent(rel.schema)}.${quoteIdent(rel.name)}` });
  }

  return (context: CompletionContext): CompletionResult | null => {
    const node = syntaxTree(context.state).resolveInner(context.pos, -1);
    if (/Comment|String|QuotedIdentifier/.test(node.name)) return null;
    const qualified = schemaBefore(context);
    if (qualified) {
      const options = perSchema.get(qualified.schema);
      return options ? { from: qualified.from, options, validFor: /^[\w$]*$/ } : null;
    }
    const word = context.matchBefore(/[\w$]+/);
    if (!word && !context.explicit) return null;
    return { from: word?.from ?? context.pos, options: topLevel, validFor: /^[\w$]*$/ };
  };
}

/** The PostgreSQL language with completion for this catalog (keywords only without one). */
export function sqlLanguage(catalog: QueryCatalog | null): Extension {
  if (!catalog) return sql({ dialect: PostgreSQL, upperCaseKeywords: true });
  const hasDefault = catalog.schemas.includes(DEFAULT_SCHEMA);
  return [
    sql({ dialect: PostgreSQL, upperCaseKeywords: true, schema: catalogNamespace(catalog), ...(hasDefault ? { defaultSchema: DEFAULT_SCHEMA } : {}) }),
    PostgreSQL.language.data.of({ autocomplete: catalogExtrasSource(catalog) }),
  ];
}
