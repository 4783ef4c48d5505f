// Supabase-specific hints shared by every import path and by the connection test.
// Timothie & Co runs on Supabase, whose pooler in transaction mode (port 6543) silently
// breaks the session features this console relies on, so we say so as early as we can.
import type { ProfileDraft } from '../../contract/models';

export type SupabaseKind = 'direct' | 'pooler-session' | 'pooler-transaction';

export interface SupabaseHost {
  kind: SupabaseKind;
  /** Project ref, from the host (direct) or the pooler user name (postgres.<ref>). */
  ref: string | null;
  region: string | null;
}

const DIRECT_HOST = /^db\.([a-z0-9]+)\.supabase\.co$/i;
const POOLER_HOST = /^aws-\d+-([a-z0-9-]+)\.pooler\.supabase\.com$/i;
export const TRANSACTION_POOLER_PORT = 6543;

/** Recognises a Supabase host from its name alone (no network). */
export function detectSupabaseHost(host: string, port: number, user?: string): SupabaseHost | null {
  const direct = DIRECT_HOST.exec(host);
  if (direct) return { kind: 'direct', ref: direct[1]!.toLowerCase(), region: null };
  const pooler = POOLER_HOST.exec(host);
  if (pooler) {
    const userRef = user && user.includes('.') ? user.slice(user.indexOf('.') + 1) : null;
    return {
      kind: port === TRANSACTION_POOLER_PORT ? 'pooler-transaction' : 'pooler-session',
      ref: userRef,
      region: pooler[1]!.toLowerCase(),
    };
  }
  return null;
}

/** Supabase Storage's S3 endpoint for a project (dashboard: Storage → S3 Connection). */
export function supabaseStorageEndpoint(ref: string): string {
  return `https://${ref}.supabase.co/storage/v1/s3`;
}

export function transactionPoolerWarning(ref: string | null): string {
  const direct = ref ? `db.${ref}.supabase.co:5432` : 'the direct host db.<project-ref>.supabase.co:5432';
  return (
    'Port 6543 is the Supabase transaction pooler: each statement may run on a different server session, ' +
    'so query cancel, prepared statements, advisory locks, SET, temporary tables and pg_dump do not work reliably. ' +
    `Use port 5432 on the pooler host (session mode) or ${direct} for operations work.`
  );
}

/**
 * Adds Supabase defaults and warnings to a draft in place: TLS is mandatory there, the
 * pooler needs the project-qualified user, and port 6543 is the transaction pooler.
 * `sslmodeGiven` is false when the source did not name an sslmode. When the project ref is
 * known, the draft also gets the project's Storage (S3) endpoint as a hint.
 */
export function applySupabaseHints(draft: ProfileDraft, sslmodeGiven: boolean): void {
  const { fields, warnings } = draft;
  if (!fields.host) return;
  const info = detectSupabaseHost(fields.host, fields.port ?? 5432, fields.user);
  if (!info) return;
  if (info.ref) draft.storageHint = { endpoint: supabaseStorageEndpoint(info.ref), region: info.region };
  if (!sslmodeGiven) fields.sslmode = 'require';
  else if (fields.sslmode === 'disable' || fields.sslmode === 'prefer') {
    warnings.push(`Supabase requires TLS; sslmode=${fields.sslmode} is weaker than needed — use require (or verify-full with Supabase's CA certificate).`);
  }
  if (info.kind !== 'direct' && fields.user && !fields.user.includes('.')) {
    warnings.push(
      `The Supabase pooler expects the user as "${fields.user}.<project-ref>" (for example postgres.abcdefghijklmnop); "${fields.user}" alone will be refused.`,
    );
  }
  if (info.kind === 'pooler-transaction') warnings.push(transactionPoolerWarning(info.ref));
  // Env stays the user's choice; Timothie & Co's live database is the Supabase one.
  if (fields.env !== 'production') {
    warnings.push('This is a Supabase host: if it is the live database, set env to production so it is shown in red and opened read-only by default.');
  }
}

/** A profile name suggestion from host and database, valid for the profile name rule. */
export function suggestProfileName(host: string | undefined, database: string | undefined, user?: string): string | undefined {
  if (!host) return undefined;
  const supa = detectSupabaseHost(host, 5432, user);
  const base = supa?.ref ? `supabase-${supa.ref}` : `${database ?? 'db'}-${host.replace(/^\[|\]$/g, '')}`;
  const cleaned = base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return cleaned.length > 0 ? cleaned : undefined;
}
