// Restoring a `--supabase` backup (backup/supabase.ts): the archive holds the user schemas
// with their grants, plus the auth/storage schemas as captured; which of it goes in depends
// on the target.
// - 'project' (the target already has the platform: auth.users exists): only the rows of
//   auth/storage and what users added there (triggers, policies the target lacks); the
//   platform keeps its schemas, functions, grants, event triggers and publication.
// - 'standalone' (a plain database, a drill's scratch cluster): auth/storage come from the
//   archive as stand-ins, the schemas the extensions live in are created first; the
//   platform's event triggers and publication are left out (there is no platform).
// Roles are the first part (one transaction), schema and data the second (pg_restore
// --single-transaction, with session_replication_role = replica where allowed, as
// Supabase's restore guide does), so a failure leaves the target as it was.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { SUPABASE_CARRIED_SCHEMAS, SUPABASE_RESERVED_ROLES, type SupabaseCapture, type SupabaseRole } from '../../contract/backup';
import type { SupabaseRestorePlan } from '../../contract/restore';
import { quoteIdent } from '../platform/postgres/sql-text';
import { parseTocLine, type DumpItem } from './dump-reader';

export type SupabaseMode = SupabaseRestorePlan['mode'];

export interface SupabaseTargetFacts {
  mode: SupabaseMode;
  currentUser: string;
  roles: Set<string>;
  /** "schema.table name" of triggers and policies already on the target. */
  triggers: Set<string>;
  policies: Set<string>;
  extensions: Set<string>;
  availableExtensions: Set<string>;
  publications: Set<string>;
  schemas: Set<string>;
  /** The connected role may SET session_replication_role. */
  canReplicaRole: boolean;
  /** Foreign keys already in the target, "schema.table" of the referencing and the referenced table. */
  foreignKeys: Array<{ from: string; to: string }>;
}

/** What prepare decided, carried to the run. */
export interface SupabasePrep {
  plan: SupabaseRestorePlan;
  capture: SupabaseCapture;
  rolesToCreate: SupabaseRole[];
  /** Standalone: reserved roles made NOLOGIN stand-ins (drills only; a restore asks for them). */
  standInRoles: string[];
  standInSchemas: string[];
  kept: DumpItem[];
  listText: string;
}

export function supabaseCaptureOf(manifest: { supabase?: SupabaseCapture } | null | undefined): SupabaseCapture | null {
  return manifest?.supabase ?? null;
}

export async function readSupabaseTarget(client: pg.Client): Promise<SupabaseTargetFacts> {
  const set = async (sql: string): Promise<Set<string>> => new Set((await client.query<{ k: string }>(sql)).rows.map((r) => r.k));
  const platform = await client.query<{ ok: boolean; me: string }>(`SELECT to_regclass('auth.users') IS NOT NULL AS ok, current_user AS me`);
  let canReplicaRole = true;
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
  } catch {
    canReplicaRole = false;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
  return {
    mode: platform.rows[0]?.ok ? 'project' : 'standalone',
    currentUser: platform.rows[0]?.me ?? '',
    roles: await set('SELECT rolname AS k FROM pg_catalog.pg_roles'),
    triggers: await set(`SELECT n.nspname || '.' || c.relname || ' ' || t.tgname AS k FROM pg_catalog.pg_trigger t
      JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal`),
    policies: await set(`SELECT schemaname || '.' || tablename || ' ' || policyname AS k FROM pg_catalog.pg_policies`),
    extensions: await set('SELECT extname AS k FROM pg_catalog.pg_extension'),
    availableExtensions: await set('SELECT name AS k FROM pg_catalog.pg_available_extensions'),
    publications: await set('SELECT pubname AS k FROM pg_catalog.pg_publication'),
    schemas: await set('SELECT nspname AS k FROM pg_catalog.pg_namespace'),
    canReplicaRole,
    foreignKeys: (
      await client.query<{ from: string; to: string }>(
        `SELECT fn.nspname || '.' || f.relname AS from, tn.nspname || '.' || t.relname AS to
           FROM pg_catalog.pg_constraint c
           JOIN pg_catalog.pg_class f ON f.oid = c.conrelid JOIN pg_catalog.pg_namespace fn ON fn.oid = f.relnamespace
           JOIN pg_catalog.pg_class t ON t.oid = c.confrelid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
          WHERE c.contype = 'f' AND c.conrelid <> c.confrelid`,
      )
    ).rows,
  };
}

function unquote(name: string): string {
  return name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
}

interface Decision {
  keep: boolean;
  /** Why it is left out, for the plan (null: not worth listing). */
  note?: string;
}

const CARRIED_ROWS = new Set(['TABLE DATA', 'SEQUENCE SET']);

function decide(item: DumpItem, capture: SupabaseCapture, facts: SupabaseTargetFacts): Decision {
  const carried = item.schema !== null && SUPABASE_CARRIED_SCHEMAS.includes(item.schema);
  const schemaItem = /^SCHEMA (.+)$/.exec(item.name);
  if (item.type === 'EVENT TRIGGER') return { keep: false, note: `event trigger ${item.name}` };
  if (item.type === 'PUBLICATION' && capture.publications.includes(item.name)) return { keep: false, note: `publication ${item.name}` };
  if (item.type === 'PUBLICATION TABLE') {
    const publication = item.name.split(' ')[0] ?? '';
    return facts.publications.has(publication)
      ? { keep: true }
      : { keep: false, note: `${item.schema ?? ''}.${item.name.split(' ').slice(1).join(' ')} in publication ${publication}` };
  }
  // Default privileges of the platform's admin: only it may set them.
  if (item.type === 'DEFAULT ACL' && item.owner !== null && SUPABASE_RESERVED_ROLES.includes(item.owner) && item.owner !== facts.currentUser)
    return { keep: false, note: `default privileges of ${item.owner}` };
  const extension =
    item.type === 'EXTENSION'
      ? unquote(item.name)
      : item.type === 'COMMENT' && item.name.startsWith('EXTENSION ')
        ? unquote(item.name.slice('EXTENSION '.length))
        : null;
  if (extension !== null) {
    if (facts.extensions.has(extension)) return { keep: false, note: item.type === 'EXTENSION' ? `extension ${extension} (already installed)` : undefined };
    if (!facts.availableExtensions.has(extension))
      return { keep: false, note: item.type === 'EXTENSION' ? `extension ${extension} (not available on this server)` : undefined };
    // A comment on an extension needs its owner; the platform's comment stays.
    return { keep: item.type === 'EXTENSION' };
  }
  if (facts.mode === 'standalone') return { keep: true };
  if (schemaItem && SUPABASE_CARRIED_SCHEMAS.includes(unquote(schemaItem[1]!))) return { keep: false };
  if (item.type === 'SCHEMA' && item.name !== '' && SUPABASE_CARRIED_SCHEMAS.includes(item.name)) return { keep: false, note: `schema ${item.name}` };
  if (!carried) return { keep: true };
  if (CARRIED_ROWS.has(item.type)) return { keep: true };
  if (item.type === 'TRIGGER')
    return facts.triggers.has(`${item.schema}.${item.name}`)
      ? { keep: false, note: `trigger ${item.schema}.${item.name} (the target has it)` }
      : { keep: true };
  if (item.type === 'POLICY')
    return facts.policies.has(`${item.schema}.${item.name}`) ? { keep: false, note: `policy ${item.schema}.${item.name} (the target has it)` } : { keep: true };
  return { keep: false };
}

/**
 * Platform tables (auth, storage) whose rows the restore brings but which already hold rows
 * in the target: their rows would collide (or mix two projects' users), and `clean` does
 * not empty tables the platform owns. Listed as conflicts, so the plan stops first.
 */
export async function occupiedPlatformTables(client: pg.Client, kept: DumpItem[]): Promise<Array<{ type: string; schema: string; name: string }>> {
  const out: Array<{ type: string; schema: string; name: string }> = [];
  for (const item of kept) {
    if (item.type !== 'TABLE DATA' || item.schema === null || !SUPABASE_CARRIED_SCHEMAS.includes(item.schema)) continue;
    const rel = `${quoteIdent(item.schema)}.${quoteIdent(item.name)}`;
    const r = await client.query<{ any: boolean }>(`SELECT to_regclass($1) IS NOT NULL AND EXISTS (SELECT 1 FROM ${rel}) AS any`, [rel]).catch(() => null);
    if (r?.rows[0]?.any) out.push({ type: 'TABLE DATA', schema: item.schema, name: item.name });
  }
  return out;
}

/** Roles the dump names that the target lacks: captured ones the restore creates, the rest need the fix. */
export function missingRoles(capture: SupabaseCapture, facts: SupabaseTargetFacts): { create: SupabaseRole[]; missing: string[] } {
  const captured = new Map(capture.roles.map((r) => [r.name, r]));
  const create = capture.roles.filter((r) => !facts.roles.has(r.name));
  const named = new Set([...capture.referencedRoles, ...capture.roles.flatMap((r) => r.memberOf)]);
  const missing = [...named].filter((n) => !facts.roles.has(n) && !captured.has(n)).sort();
  return { create, missing };
}

/** The statements that make the missing roles, as Supabase's own platform makes them. */
export function roleFix(missing: string[]): string {
  return missing.map((name) => `CREATE ROLE ${quoteIdent(name)} NOLOGIN${name === 'service_role' ? ' BYPASSRLS' : ''};`).join(' ');
}

/**
 * Referenced tables' rows before the rows that point to them, for the foreign keys the
 * target already has (a project's auth.identities → auth.users): where the role may not
 * switch to replica mode they are checked row by row during the load. pg_restore follows
 * the order of the -L list; other entries keep their places.
 */
function orderData(lines: string[], foreignKeys: Array<{ from: string; to: string }>): string[] {
  const slots: number[] = [];
  const keys = new Map<number, string>();
  lines.forEach((line, i) => {
    const item = line.startsWith(';') ? null : parseTocLine(line);
    if (item?.type !== 'TABLE DATA') return;
    slots.push(i);
    keys.set(i, `${item.schema}.${item.name}`);
  });
  const present = new Set(keys.values());
  const ordered: number[] = [];
  const placed = new Set<number>();
  const visiting = new Set<string>();
  const place = (i: number): void => {
    const key = keys.get(i)!;
    if (placed.has(i) || visiting.has(key)) return;
    visiting.add(key);
    for (const fk of foreignKeys) {
      if (fk.from !== key || !present.has(fk.to)) continue;
      const parent = slots.find((j) => keys.get(j) === fk.to);
      if (parent !== undefined) place(parent);
    }
    placed.add(i);
    ordered.push(i);
  };
  for (const i of slots) place(i);
  const out = [...lines];
  slots.forEach((slot, n) => (out[slot] = lines[ordered[n]!]!));
  return out;
}

/** Decides every TOC entry; returns the pg_restore -L text and the plan's lists. */
export function pickItems(toc: string, capture: SupabaseCapture, facts: SupabaseTargetFacts): { listText: string; kept: DumpItem[]; leftOut: string[] } {
  const kept: DumpItem[] = [];
  const leftOut: string[] = [];
  const lines = toc.split('\n').map((line) => {
    const item = parseTocLine(line);
    if (!item) return line;
    const d = decide(item, capture, facts);
    if (d.keep) {
      kept.push(item);
      return line;
    }
    if (d.note) leftOut.push(d.note);
    return `;${line}`;
  });
  return { listText: orderData(lines, facts.foreignKeys).join('\n'), kept, leftOut };
}

/** Schemas the dump's extensions are created in that neither the dump nor the target holds. */
export function extensionSchemas(capture: SupabaseCapture, facts: SupabaseTargetFacts, kept: DumpItem[]): string[] {
  const dumped = new Set(kept.filter((i) => i.type === 'SCHEMA').map((i) => i.name));
  const wanted = capture.extensions.filter((e) => kept.some((i) => i.type === 'EXTENSION' && unquote(i.name) === e.name)).map((e) => e.schema);
  return [...new Set(wanted)].filter((s) => !facts.schemas.has(s) && !dumped.has(s)).sort();
}

/** Writes the -L list under the app home (object names only) and returns its path. */
export async function writeRestoreList(home: string, archive: string, text: string): Promise<string> {
  const dir = path.join(home, 'restore-lists');
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${crypto.createHash('sha256').update(archive).update(text).digest('hex').slice(0, 16)}.list`);
  await fs.promises.writeFile(file, text, { mode: 0o600 });
  return file;
}

/**
 * pg_restore's arguments for the second part: one transaction (no parallel jobs), the
 * privileges kept, only the picked entries.
 */
export function supabaseRestoreArgs(args: string[], listFile: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-j') {
      i++;
      continue;
    }
    if (args[i] === '--no-privileges') continue;
    out.push(args[i]!);
  }
  out.splice(out.length - 1, 0, '--single-transaction', '-L', listFile);
  return out;
}

/** A string literal that reads the same whatever standard_conforming_strings says (E'' with both escapes). */
function settingLiteral(value: string): string {
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Part one: the captured roles the target lacks and, for a drill, stand-ins; then stand-in schemas. One transaction. */
export async function preparePlatform(client: pg.Client, prep: Pick<SupabasePrep, 'rolesToCreate' | 'standInRoles' | 'standInSchemas'>): Promise<void> {
  await client.query('BEGIN');
  try {
    for (const name of prep.standInRoles) await client.query(`CREATE ROLE ${quoteIdent(name)} NOLOGIN`);
    for (const r of prep.rolesToCreate) {
      const attrs = [
        r.login ? 'LOGIN' : 'NOLOGIN',
        r.inherit ? 'INHERIT' : 'NOINHERIT',
        r.createRole ? 'CREATEROLE' : '',
        r.createDb ? 'CREATEDB' : '',
        r.bypassRls ? 'BYPASSRLS' : '',
      ]
        .filter(Boolean)
        .join(' ');
      await client.query(`CREATE ROLE ${quoteIdent(r.name)} ${attrs}`);
    }
    for (const r of prep.rolesToCreate) for (const g of r.memberOf) await client.query(`GRANT ${quoteIdent(g)} TO ${quoteIdent(r.name)}`);
    for (const r of prep.rolesToCreate) {
      for (const setting of r.settings ?? []) {
        const at = setting.indexOf('=');
        await client.query(
          `ALTER ROLE ${quoteIdent(r.name)} SET ${setting.slice(0, at).split('.').map(quoteIdent).join('.')} = ${settingLiteral(setting.slice(at + 1))}`,
        );
      }
    }
    for (const s of prep.standInSchemas) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(s)}`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** After a failed restore: the roles part made these, and nothing else uses them now. Never throws. */
export async function dropRolesQuietly(client: pg.Client, names: string[]): Promise<string[]> {
  const left: string[] = [];
  for (const name of names) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(name)}`).catch(() => left.push(name));
  return left;
}

/** Everything a Supabase restore decides from the archive's TOC and the target. */
export function planSupabase(toc: string, capture: SupabaseCapture, facts: SupabaseTargetFacts, options: { standInRoles: boolean }): SupabasePrep {
  const { listText, kept, leftOut } = pickItems(toc, capture, facts);
  const { create, missing } = missingRoles(capture, facts);
  const standInRoles = options.standInRoles ? missing : [];
  const stillMissing = options.standInRoles ? [] : missing;
  const standInSchemas = facts.mode === 'standalone' ? extensionSchemas(capture, facts, kept) : [];
  const standIns =
    facts.mode === 'standalone'
      ? [
          ...standInRoles.map((r) => `role ${r} (NOLOGIN)`),
          ...SUPABASE_CARRIED_SCHEMAS.map((s) => `schema ${s} as captured in the backup`),
          ...standInSchemas.map((s) => `schema ${s} for the extensions`),
        ]
      : [];
  return {
    plan: {
      mode: facts.mode,
      leftOut,
      standIns,
      rolesToCreate: create.map((r) => r.name),
      missingRoles: stillMissing,
      fix: stillMissing.length > 0 ? roleFix(stillMissing) : null,
      replicaRole: facts.canReplicaRole,
    },
    capture,
    rolesToCreate: create,
    standInRoles,
    standInSchemas,
    kept,
    listText,
  };
}

/**
 * A drill's scratch database gets the platform shape the backup needs: every role it names
 * (NOLOGIN stand-ins), the captured roles, the extensions' schemas; the auth/storage
 * tables come from the archive itself. Returns the prep (list, notes) for the run.
 */
export async function standInForDrill(client: pg.Client, toc: string, capture: SupabaseCapture): Promise<SupabasePrep> {
  const prep = planSupabase(toc, capture, await readSupabaseTarget(client), { standInRoles: true });
  await preparePlatform(client, prep);
  return prep;
}

/** The drill report's lines about the platform. */
export function drillNotes(prep: SupabasePrep): string[] {
  const out = [`Offline drill of a Supabase backup; stood in for the platform: ${prep.plan.standIns.join('; ') || 'nothing needed'}.`];
  if (prep.plan.rolesToCreate.length > 0) out.push(`Roles from the backup created first: ${prep.plan.rolesToCreate.join(', ')}.`);
  if (prep.plan.leftOut.length > 0) out.push(`Left out (the platform's own, or not available here): ${prep.plan.leftOut.join('; ')}.`);
  return out;
}

const RELATION_TYPES = new Set(['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'FOREIGN TABLE', 'SEQUENCE']);

/**
 * Part three: the API roles' privileges on the restored user relations made exactly what
 * the backup captured. pg_dump writes grants relative to the built-in defaults, so a target
 * whose default privileges grant anon/authenticated/service_role everything (every
 * Supabase project's `public`) would otherwise hand them what the source had revoked.
 */
export async function applyCapturedGrants(client: pg.Client, prep: Pick<SupabasePrep, 'kept' | 'capture'>): Promise<void> {
  const existing = new Set(
    (await client.query<{ r: string }>(`SELECT rolname AS r FROM pg_catalog.pg_roles WHERE rolname = ANY ($1::text[])`, [API_ROLES_LIST])).rows.map(
      (row) => row.r,
    ),
  );
  const roles = API_ROLES_LIST.filter((r) => existing.has(r));
  if (roles.length === 0) return;
  const relations = prep.kept.filter((i) => RELATION_TYPES.has(i.type) && i.schema !== null && !SUPABASE_CARRIED_SCHEMAS.includes(i.schema));
  await client.query('BEGIN');
  try {
    for (const rel of relations) {
      const kind = rel.type === 'SEQUENCE' ? 'SEQUENCE' : 'TABLE';
      const name = `${quoteIdent(rel.schema!)}.${quoteIdent(rel.name)}`;
      await client.query(`REVOKE ALL ON ${kind} ${name} FROM ${roles.map(quoteIdent).join(', ')}`);
      for (const g of prep.capture.grants.filter((x) => x.schema === rel.schema && x.name === rel.name && existing.has(x.grantee))) {
        await client.query(`GRANT ${g.privilege} ON ${kind} ${name} TO ${quoteIdent(g.grantee)}`);
      }
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

const API_ROLES_LIST = ['anon', 'authenticated', 'service_role'];
