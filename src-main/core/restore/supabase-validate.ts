// Validation of a restored `--supabase` backup against what its manifest captured: every
// policy and trigger is there, every grant to the API roles, every storage bucket row.
// Row counts (auth.users included) are the general row checks of validate.ts. Reads only.
import type pg from 'pg';
import { SUPABASE_CARRIED_SCHEMAS, type SupabaseCapture, type SupabaseObjectRef } from '../../contract/backup';
import type { ValidationCheck } from '../../contract/restore';
import { judged } from '../../contract/verdict';

const MAX_LISTED = 10;

function listed(items: string[]): string {
  return items.length > MAX_LISTED ? `${items.slice(0, MAX_LISTED).join('; ')}; and ${items.length - MAX_LISTED} more` : items.join('; ');
}

function refText(r: SupabaseObjectRef): string {
  return `${r.schema}.${r.table} "${r.name}"`;
}

function presence(name: string, what: string, expected: string[], present: Set<string>): ValidationCheck {
  const missing = expected.filter((k) => !present.has(k));
  if (expected.length === 0) return judged(name, 'pass', `the backup holds no ${what}`);
  return missing.length === 0
    ? judged(name, 'pass', `${expected.length} ${what}, all present`)
    : judged(name, 'fail', `${missing.length} of ${expected.length} ${what} missing: ${listed(missing)}`);
}

/** `schemas`: the backup's schemas; the API grants on their relations (platform schemas aside) must be exactly the captured ones. */
export async function supabaseChecks(client: pg.Client, capture: SupabaseCapture, schemas: string[]): Promise<ValidationCheck[]> {
  const keys = async (sql: string): Promise<Set<string>> => new Set((await client.query<{ k: string }>(sql)).rows.map((r) => r.k));
  const policies = await keys(`SELECT schemaname || '.' || tablename || ' "' || policyname || '"' AS k FROM pg_catalog.pg_policies`);
  const triggers = await keys(`SELECT n.nspname || '.' || c.relname || ' "' || t.tgname || '"' AS k FROM pg_catalog.pg_trigger t
    JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal`);
  const grants = await keys(`SELECT n.nspname || '.' || c.relname || ' ' || a.privilege_type || ' to ' || g.rolname AS k
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_catalog.pg_roles g ON g.oid = a.grantee`);
  // Grants the backup did not hold: the API would expose more than the source did.
  const capturedGrants = new Set(capture.grants.map((g) => `${g.schema}.${g.name} ${g.privilege} to ${g.grantee}`));
  const extra = (
    await client.query<{ k: string }>(
      `SELECT n.nspname || '.' || c.relname || ' ' || a.privilege_type || ' to ' || g.rolname AS k
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
        WHERE g.rolname IN ('anon', 'authenticated', 'service_role') AND n.nspname = ANY ($1::text[]) ORDER BY 1`,
      [schemas.filter((s) => !SUPABASE_CARRIED_SCHEMAS.includes(s))],
    )
  ).rows
    .map((r) => r.k)
    .filter((k) => !capturedGrants.has(k));
  const hasBuckets = (await client.query<{ ok: boolean }>(`SELECT to_regclass('storage.buckets') IS NOT NULL AS ok`)).rows[0]?.ok ?? false;
  const buckets = hasBuckets ? await keys('SELECT id::text AS k FROM storage.buckets') : new Set<string>();
  return [
    presence('policies', 'row-level security policies', capture.policies.map(refText), policies),
    presence('triggers', 'triggers (those users added on auth/storage tables included)', capture.triggers.map(refText), triggers),
    extra.length > 0
      ? judged('grants', 'fail', `${extra.length} grant(s) to the API roles the backup does not hold: ${listed(extra)}`)
      : presence(
          'grants',
          'grants to anon/authenticated/service_role',
          capture.grants.map((g) => `${g.schema}.${g.name} ${g.privilege} to ${g.grantee}`),
          grants,
        ),
    presence('storage buckets', 'storage.buckets rows', capture.buckets, buckets),
  ];
}
