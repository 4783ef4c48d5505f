// The storage (S3) side of `ops-console profile`: the --storage-* flags of add and edit,
// `profile edit NAME` for them, and `profile test-storage NAME`. The secret access key is
// never a flag: cli/storage-secret.ts reads it from the environment or a prompt.
import { profileFieldsOf, type Profile, type ProfileDraft, type StorageSettingsInput } from '../../contract/models';
import { boolFlag, expectPositionals, listFlag, parseArgs, stringFlag, UsageError, type FlagSpecs, type Parsed } from '../args';
import type { CliContext } from '../context';
import { printJson } from '../io';
import { withStorageSecret } from '../storage-secret';
import { BREAK_GLASS_FLAGS, breakGlassFromFlags, breakGlassView } from './profile-breakglass';

export const STORAGE_USAGE = {
  edit: 'ops-console profile edit NAME (--storage-endpoint URL --storage-access-key-id ID [--storage-region R] [--storage-virtual-host] | --no-storage) [--break-glass-user ROLE | --no-break-glass] [--tag T]... [--untag T]... [--json]',
  testStorage: 'ops-console profile test-storage NAME [--json]   (secret: OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY or a prompt)',
};

export const STORAGE_FLAGS: FlagSpecs = {
  'storage-endpoint': { type: 'string' },
  'storage-region': { type: 'string' },
  'storage-access-key-id': { type: 'string' },
  'storage-virtual-host': { type: 'boolean' },
};

/**
 * The storage settings the flags give, or undefined when no --storage-* flag is there. A
 * Supabase URL's hint (its project's S3 endpoint and region) fills what the flags omit.
 */
export function storageFromFlags(parsed: Parsed, hint?: ProfileDraft['storageHint']): StorageSettingsInput | undefined {
  const given = stringFlag(parsed, 'storage-endpoint');
  const endpoint = given ?? hint?.endpoint;
  const region = stringFlag(parsed, 'storage-region') ?? (given === undefined ? (hint?.region ?? undefined) : undefined);
  const accessKeyId = stringFlag(parsed, 'storage-access-key-id');
  const virtualHost = boolFlag(parsed, 'storage-virtual-host');
  if (given === undefined && stringFlag(parsed, 'storage-region') === undefined && accessKeyId === undefined && !virtualHost) return undefined;
  if (endpoint === undefined || accessKeyId === undefined) {
    throw new UsageError(
      'a storage connection needs --storage-endpoint URL and --storage-access-key-id ID (the secret comes from OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY or a prompt, never a flag)',
    );
  }
  return { endpoint, accessKeyId, ...(region !== undefined ? { region } : {}), forcePathStyle: !virtualHost };
}

/** What `profile show` prints about storage: never the secret. */
export function storageView(p: Profile) {
  return { storage: p.storage, hasStorageSecret: p.hasStorageSecret };
}

/** The tags after `--tag` (added, at the end) and `--untag` (removed); undefined when neither flag is there. */
function tagsFromFlags(parsed: Parsed, current: string[]): string[] | undefined {
  const add = listFlag(parsed, 'tag');
  const drop = listFlag(parsed, 'untag').map((t) => t.trim().toLowerCase());
  if (add.length === 0 && drop.length === 0) return undefined;
  const both = add.map((t) => t.trim().toLowerCase()).filter((t) => drop.includes(t));
  if (both.length > 0) throw new UsageError(`--tag and --untag both name "${both[0]}"`);
  const missing = drop.filter((t) => !current.includes(t));
  if (missing.length > 0) throw new UsageError(`the profile has no tag "${missing[0]}" (its tags: ${current.join(', ') || 'none'})`);
  return [...current.filter((t) => !drop.includes(t)), ...add];
}

/** `profile edit NAME`: the storage connection, the break-glass role and the tags; every other field is kept. */
export async function editProfile(ctx: CliContext, argv: string[], find: (name: string) => Promise<Profile>): Promise<number> {
  const parsed = parseArgs(argv, { ...STORAGE_FLAGS, 'no-storage': { type: 'boolean' }, ...BREAK_GLASS_FLAGS, tag: { type: 'list' }, untag: { type: 'list' } });
  const [name] = expectPositionals(parsed, ['NAME'], STORAGE_USAGE.edit);
  const storage = storageFromFlags(parsed);
  const drop = boolFlag(parsed, 'no-storage');
  if (storage !== undefined && drop) throw new UsageError('--no-storage and --storage-* exclude each other');
  const breakGlass = await breakGlassFromFlags(ctx, parsed);
  const storageChange = storage !== undefined || drop;
  const tagChange = listFlag(parsed, 'tag').length > 0 || listFlag(parsed, 'untag').length > 0;
  if (!storageChange && breakGlass === undefined && !tagChange) throw new UsageError(`nothing to change\nusage: ${STORAGE_USAGE.edit}`);
  const before = await find(name!);
  const tags = tagsFromFlags(parsed, before.tags);
  // Removing the connection also forgets its secret; a new endpoint keeps a saved one.
  const updated = await ctx.call('updateProfile', {
    id: before.id,
    profile: {
      ...profileFieldsOf(before),
      ...(storageChange ? { storage: drop ? null : storage! } : {}),
      ...(breakGlass ? { breakGlassUser: breakGlass.breakGlassUser } : {}),
      ...(tags ? { tags } : {}),
    },
    ...(drop ? { storageSecret: '' } : {}),
    ...(breakGlass?.breakGlassSecret !== undefined ? { breakGlassSecret: breakGlass.breakGlassSecret } : {}),
  });
  if (ctx.io.json) printJson(ctx.io, { ok: true, name: updated.name, ...storageView(updated), ...breakGlassView(updated), tags: updated.tags });
  else if (tagChange && !storageChange && breakGlass === undefined)
    ctx.io.out(`Profile "${updated.name}": tags ${updated.tags.length ? updated.tags.join(', ') : '(none)'}.`);
  else if (!storageChange)
    ctx.io.out(
      updated.breakGlassUser
        ? `Profile "${updated.name}": break-glass role ${updated.breakGlassUser}${updated.hasBreakGlassSecret ? ' (password saved)' : ' (password from ~/.pgpass)'}.`
        : `Profile "${updated.name}": no break-glass role (an elevation uses its own role).`,
    );
  else
    ctx.io.out(
      updated.storage
        ? `Profile "${updated.name}": storage ${updated.storage.endpoint} (region ${updated.storage.region}, key id ${updated.storage.accessKeyId}). Check it with \`ops-console profile test-storage ${updated.name}\`.`
        : `Profile "${updated.name}": no storage connection.`,
    );
  return 0;
}

export async function testStorage(ctx: CliContext, argv: string[], find: (name: string) => Promise<Profile>): Promise<number> {
  const parsed = parseArgs(argv, {});
  const [name] = expectPositionals(parsed, ['NAME'], STORAGE_USAGE.testStorage);
  const profile = await find(name!);
  const result = await withStorageSecret(ctx, `profile "${profile.name}"`, (storageSecret) =>
    ctx.call('testStorageConnection', { profileId: profile.id, ...(storageSecret !== undefined ? { storageSecret } : {}) }),
  );
  if (ctx.io.json) printJson(ctx.io, result);
  else {
    ctx.io.out(`Storage OK — ${result.endpoint} (${result.ms} ms)`);
    ctx.io.out(result.buckets.length ? `Buckets: ${result.buckets.join(', ')}` : 'No buckets visible to this key.');
  }
  return 0;
}
