// What a Supabase Storage bucket will refuse, known before a restore writes anything. S3 itself
// takes any key, size and content type, but Supabase Storage's S3 endpoint checks three things
// on every upload (supabase/storage: limits.ts isValidKey, uploader.ts validateMimeType and the
// file size limit), and answers InvalidKey, InvalidMimeType or EntityTooLarge part-way through
// a restore otherwise:
// - a key of ASCII letters, digits and _ / ! - . * ' ( ) space & $ @ = ; : + , ? only (a
//   snapshot from another store may hold "émeraude.jpg"); an empty "folder/" is stored under
//   another key (put-object.ts), so such a marker is skipped;
// - the bucket's allowed_mime_types (type/subtype, or type/*), compared part by part;
// - the bucket's file_size_limit.
// The two bucket settings live in storage.buckets of the project's database, read here in a
// READ ONLY transaction. The project-wide upload limit is not in the database: an object over
// it is still refused by the server, part-way, as before.
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { withClient } from '../platform/postgres/connect';
import { inReadOnlyTransaction } from '../platform/postgres/read-only';

export interface BucketRules {
  fileSizeLimit: number | null;
  allowedMimeTypes: string[] | null;
}

export interface TargetRules {
  /** The endpoint is Supabase Storage's: its key rule applies. */
  supabaseKeys: boolean;
  /** By target bucket; a bucket absent here has no limits we know of. */
  buckets: Map<string, BucketRules>;
  /** Why the buckets' limits could not be read (null when they were, or the target is not Supabase). */
  note: string | null;
}

export const NO_RULES: TargetRules = { supabaseKeys: false, buckets: new Map(), note: null };

/** Supabase Storage's S3 endpoint (hosted or self-hosted): https://<ref>.supabase.co/storage/v1/s3. */
export function isSupabaseStorage(endpoint: string): boolean {
  try {
    return /\/storage\/v1\/s3\/?$/.test(new URL(endpoint).pathname);
  } catch {
    return false;
  }
}

const SUPABASE_KEY = /^[\w/!\-.*'() &$@=;:+,?]+$/;

/** A folder placeholder the dashboard creates: exempt from the type rule, held to 0 bytes. */
function isFolderPlaceholder(key: string): boolean {
  return key.endsWith('.emptyFolderPlaceholder');
}

/** Supabase compares type and subtype as written: "text/plain; charset=utf-8" is not "text/plain". */
function mimeAllowed(contentType: string, allowed: string[]): boolean {
  const [type, sub] = contentType.split('/');
  if (sub === undefined) return false;
  return allowed.some((a) => {
    const [aType, aSub] = a.split('/');
    return aType === type && (aSub === '*' || aSub === sub);
  });
}

/**
 * Another store's empty folder marker (AWS's "Create folder", "photos/"): Supabase stores an empty
 * upload to "x/" as "x/.emptyFolderPlaceholder", so the key itself can never exist there. Nothing
 * is lost by leaving it out (the folder shows once an object is in it), so it is skipped, not refused.
 */
export function skipOf(rules: TargetRules, key: string, size: number): string | null {
  if (!rules.supabaseKeys || !key.endsWith('/') || size !== 0) return null;
  return `an empty folder marker: Supabase Storage has no such object (it would keep it as ${key}.emptyFolderPlaceholder); the folder shows once an object is in it`;
}

/**
 * Why the target will refuse this object, or null. `sentType` is the content type the upload
 * sends: null when it sends none (a multipart upload of an object without a type, which
 * storage-api does not check; a single PUT without one goes as application/octet-stream).
 */
export function refusalOf(rules: TargetRules, bucket: string, key: string, size: number, sentType: string | null): string | null {
  if (rules.supabaseKeys && !SUPABASE_KEY.test(key))
    return "its key has characters Supabase Storage does not accept (only ASCII letters, digits and _ / ! - . * ' ( ) space & $ @ = ; : + , ?): restore it to another store";
  const b = rules.buckets.get(bucket);
  if (!b) return null;
  const placeholder = isFolderPlaceholder(key);
  // Supabase reads a limit of 0 as none (file_size_limit || undefined).
  const limit = placeholder ? 0 : b.fileSizeLimit || null;
  if (limit !== null && size > limit) return `${size} bytes is over the bucket's file size limit (${limit} bytes)`;
  if (sentType !== null && !placeholder && b.allowedMimeTypes !== null && b.allowedMimeTypes.length > 0 && !mimeAllowed(sentType, b.allowedMimeTypes))
    return `its type ${sentType} is not among the bucket's allowed types (${b.allowedMimeTypes.join(', ')})`;
  return null;
}

/**
 * The target's rules: none unless its endpoint is Supabase Storage's; then the key rule, and the
 * buckets' limits from the profile's database when it can be read (else a note saying so: the
 * restore still runs, and the server's own refusal stops it part-way as it would have).
 */
export async function readTargetRules(
  deps: Pick<CoreDeps, 'secrets' | 'tunnels'>,
  profile: Profile,
  endpoint: string,
  buckets: string[],
): Promise<TargetRules> {
  if (!isSupabaseStorage(endpoint)) return NO_RULES;
  try {
    const rows = await withClient(
      deps,
      profile,
      // A table held by a migration or a dashboard edit must not hold the restore up.
      (client) =>
        inReadOnlyTransaction(client, 5_000, async () => {
          await client.query(`SET LOCAL lock_timeout = '3s'`);
          const exists = await client.query<{ ok: boolean }>(`SELECT to_regclass('storage.buckets') IS NOT NULL AS ok`);
          if (!exists.rows[0]?.ok) return null;
          const r = await client.query<{ id: string; file_size_limit: string | null; allowed_mime_types: string[] | null }>(
            'SELECT id, file_size_limit::text AS file_size_limit, allowed_mime_types FROM storage.buckets WHERE id = ANY($1::text[])',
            [buckets],
          );
          return r.rows;
        }),
      { connectTimeoutMs: 10_000 },
    );
    if (rows === null)
      return { supabaseKeys: true, buckets: new Map(), note: `${profile.name}'s database has no storage.buckets table: the buckets' limits were not checked` };
    const found = new Map(
      rows.map((r) => [r.id, { fileSizeLimit: r.file_size_limit === null ? null : Number(r.file_size_limit), allowedMimeTypes: r.allowed_mime_types }]),
    );
    // A bucket the S3 side has but the role cannot see (RLS on storage.buckets, or another project's database).
    const unseen = buckets.filter((b) => !found.has(b));
    const note =
      unseen.length === 0
        ? null
        : `${profile.name}'s database shows no storage.buckets row for ${unseen.join(', ')}: ${unseen.length === 1 ? 'its' : 'their'} size and type limits were not checked`;
    return { supabaseKeys: true, buckets: found, note };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { supabaseKeys: true, buckets: new Map(), note: `the buckets' size and type limits were not checked (${profile.name}'s database: ${why})` };
  }
}
