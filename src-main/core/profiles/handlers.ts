// Contract handlers for profiles: CRUD, imports and "test connection". The dispatcher
// opens and closes the audit entry; these handlers only say what happened, never the
// password.
import { OpsError } from '../../contract/errors';
import type { Profile, ProfileFields } from '../../contract/models';
import type { CoreDeps } from '../app';
import type { CallContext, Handlers } from '../dispatch';
import { testConnection } from '../postgres/test-connection';
import { resolvePassword } from '../secrets/password';
import { importFromEnv } from './env-import';
import { readServiceFile } from './service-file';
import { parseProfileUri } from './uri';

type ProfileHandlers = Pick<
  Handlers,
  | 'listProfiles'
  | 'getProfile'
  | 'createProfile'
  | 'updateProfile'
  | 'duplicateProfile'
  | 'removeProfile'
  | 'parseProfileUri'
  | 'importProfileFromEnv'
  | 'listServiceFileEntries'
  | 'testProfile'
>;

function describeProfile(p: Profile): string {
  return `${p.user}@${p.host}:${p.port}/${p.database}, ${p.env}${p.readOnly ? ', read-only' : ''}`;
}

export function profileHandlers(deps: CoreDeps): ProfileHandlers {
  const { profiles, secrets } = deps;

  /**
   * The repo sees only the store's secrets table; a memory store (CLI, browser mode)
   * holds its passwords elsewhere, and the flag should say "the app has one".
   */
  function withSecretFlag(p: Profile): Profile {
    if (p.hasSecret || secrets.persistent) return p;
    return { ...p, hasSecret: secrets.get(p.id) !== null };
  }

  /** Refuses before anything is written when a password cannot be kept. */
  function assertSecretsWritable(): void {
    const status = secrets.status();
    if (!status.available) {
      throw new OpsError('SECRET_STORE_UNAVAILABLE', `The profile was not saved because its password cannot be kept: ${status.reason ?? 'no secret store is available'}. Save it without a password and use ~/.pgpass, PGPASSWORD or the password prompt instead.`);
    }
  }

  /**
   * Profile row and secret in one SQLite transaction: the secret is written last, so if
   * it fails the profile row rolls back too (for the encrypted store both live in SQLite).
   */
  function saveWithSecret(write: () => Profile, password: string | undefined): Profile {
    if (password !== undefined && password !== '') assertSecretsWritable();
    const saved = deps.store.db.transaction(() => {
      const profile = write();
      if (password === '') secrets.delete(profile.id);
      else if (password !== undefined) secrets.set(profile.id, password);
      return profile;
    })();
    return withSecretFlag(profiles.get(saved.id) ?? saved);
  }

  function listProfiles(): Profile[] {
    return profiles.list().map(withSecretFlag);
  }

  function getProfile(input: { id: string }): Profile {
    return withSecretFlag(profiles.require(input.id));
  }

  function createProfile(input: { profile: ProfileFields; password?: string | undefined }, ctx: CallContext): Profile {
    ctx.audit.profile = input.profile.name;
    const created = saveWithSecret(() => profiles.create(input.profile), input.password);
    ctx.audit.summary = `Created profile "${created.name}" (${describeProfile(created)})${input.password ? ', password saved' : ''}`;
    return created;
  }

  /** `password` undefined keeps the saved one; an empty string forgets it. */
  function updateProfile(input: { id: string; profile: ProfileFields; password?: string | undefined }, ctx: CallContext): Profile {
    const before = profiles.require(input.id);
    ctx.audit.profile = before.name;
    const updated = saveWithSecret(() => profiles.update(before.id, input.profile), input.password);
    let secretNote = '';
    if (input.password === '') secretNote = ', saved password removed';
    else if (input.password !== undefined) secretNote = ', password saved';
    const renamed = before.name !== updated.name ? ` (renamed from "${before.name}")` : '';
    ctx.audit.profile = updated.name;
    ctx.audit.summary = `Updated profile "${updated.name}"${renamed}: ${describeProfile(updated)}${secretNote}`;
    return withSecretFlag(profiles.get(updated.id) ?? updated);
  }

  function duplicateProfile(input: { id: string; name: string }, ctx: CallContext): Profile {
    const source = profiles.require(input.id);
    ctx.audit.profile = source.name;
    const copy = profiles.duplicate(source.id, input.name);
    ctx.audit.summary = `Duplicated profile "${source.name}" as "${copy.name}" (saved password not copied)`;
    return withSecretFlag(copy);
  }

  function removeProfile(input: { id: string; confirmName?: string | undefined }, ctx: CallContext): { removed: true } {
    const profile = profiles.require(input.id);
    ctx.audit.profile = profile.name;
    if (profile.env === 'production' && input.confirmName !== profile.name) {
      throw new OpsError('CONFIRMATION_REQUIRED', `"${profile.name}" is a production profile: type its name to confirm removal.`, { expected: profile.name });
    }
    profiles.remove(profile.id);
    secrets.delete(profile.id);
    ctx.audit.summary = `Removed profile "${profile.name}" (${describeProfile(profile)}) and its saved password`;
    return { removed: true };
  }

  async function testProfile(input: { id: string; password?: string | undefined }, ctx: CallContext) {
    const profile = profiles.require(input.id);
    ctx.audit.profile = profile.name;
    const resolved = resolvePassword(profile, { explicit: input.password, secrets });
    const report = await testConnection(profile, resolved.password, { passwordSource: resolved.source });
    report.warnings.unshift(...resolved.warnings);
    // Session convenience only: a password typed into the test dialog is remembered by
    // an in-memory store (gone with the process), never written to a persistent one here.
    if (report.ok && resolved.source === 'explicit' && !secrets.persistent && secrets.status().available) {
      secrets.set(profile.id, resolved.password!);
    }
    const failed = report.stages.find((s) => !s.ok);
    ctx.audit.summary = report.ok
      ? `Tested connection: ok, PostgreSQL ${report.serverVersion ?? 'unknown version'}`
      : `Tested connection: failed at ${failed?.name ?? 'unknown stage'}: ${failed?.error ?? 'no detail'}`;
    ctx.audit.detail = `${profile.user}@${profile.host}:${profile.port}/${profile.database} sslmode=${profile.sslmode}`;
    return report;
  }

  return {
    listProfiles,
    getProfile,
    createProfile,
    updateProfile,
    duplicateProfile,
    removeProfile,
    parseProfileUri: (input) => parseProfileUri(input.uri),
    importProfileFromEnv: () => importFromEnv(process.env),
    listServiceFileEntries: (input) => readServiceFile(input.path),
    testProfile,
  };
}
