// Contract handlers for profiles: CRUD, imports and "test connection". The dispatcher
// opens and closes the audit entry; these handlers only say what happened, never the
// password.
import { OpsError } from '../../contract/errors';
import type { Profile, ProfileFields } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { CallContext, Handlers } from '../platform/kernel/dispatch';
import { testConnection } from './test-connection';
import { resolvePassword } from '../platform/secrets/password';
import { importFromEnv } from './env-import';
import { readServiceFile } from './service-file';
import type { SecretKind } from '../platform/secrets/secret-store';
import { describeRoute } from '../platform/ssh/tunnel-spec';
import { sshHandlers } from './ssh-handlers';
import { parseProfileUri } from './uri';
import { testStorageConnection } from './storage-connection';
import { elevationHandlers } from './elevation';
import { endElevation } from '../platform/guard/elevation';

export type ProfileHandlers = Pick<
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
  | 'testStorageConnection'
  | 'trustHostKey'
  | 'importSshConfigHost'
  | 'elevateProfile'
  | 'endElevation'
>;

/** The secrets a create/update may carry; undefined keeps, '' forgets, text saves. */
interface SecretInputs {
  password?: string | undefined;
  sshSecret?: string | undefined;
  jumpSecret?: string | undefined;
  storageSecret?: string | undefined;
  breakGlassSecret?: string | undefined;
}

const SECRET_FIELDS: Array<{ field: keyof SecretInputs; kind: SecretKind; words: string }> = [
  { field: 'password', kind: 'db', words: 'password' },
  { field: 'sshSecret', kind: 'ssh', words: 'SSH passphrase/password' },
  { field: 'jumpSecret', kind: 'jump', words: 'jump host passphrase/password' },
  { field: 'storageSecret', kind: 'storage', words: 'storage secret access key' },
  { field: 'breakGlassSecret', kind: 'breakglass', words: 'break-glass password' },
];

function secretNotes(input: SecretInputs): string {
  const notes: string[] = [];
  for (const { field, words } of SECRET_FIELDS) {
    const value = input[field];
    if (value === '') notes.push(`saved ${words} removed`);
    else if (value !== undefined) notes.push(`${words} saved`);
  }
  return notes.length ? `, ${notes.join(', ')}` : '';
}

function elevationTargetChanged(a: Profile, b: Profile): boolean {
  const target = (p: Profile) => JSON.stringify([p.host, p.port, p.database, p.user, p.sslmode, p.env, p.readOnly, p.ssh, p.breakGlassUser ?? null]);
  return target(a) !== target(b);
}

function describeProfile(p: Profile): string {
  const via = p.ssh ? `, via SSH ${describeRoute(p.ssh)}` : '';
  const storage = p.storage ? `, storage ${p.storage.endpoint} (key id ${p.storage.accessKeyId})` : '';
  const breakGlass = p.breakGlassUser ? `, break-glass role ${p.breakGlassUser}` : '';
  return `${p.user}@${p.host}:${p.port}/${p.database}, ${p.env}${p.readOnly ? ', read-only' : ''}${via}${storage}${breakGlass}`;
}

export function profileHandlers(deps: CoreDeps, elevation: ReturnType<typeof elevationHandlers> = elevationHandlers(deps)): ProfileHandlers {
  const { profiles, secrets } = deps;

  /**
   * The repo sees only the store's secrets table; a memory store (CLI, browser mode)
   * holds its passwords elsewhere, and the flag should say "the app has one".
   */
  function withSecretFlag(p: Profile): Profile {
    if (secrets.persistent) return p;
    return {
      ...p,
      hasSecret: p.hasSecret || secrets.get(p.id, 'db') !== null,
      hasSshSecret: p.hasSshSecret || secrets.get(p.id, 'ssh') !== null,
      hasJumpSecret: p.hasJumpSecret || secrets.get(p.id, 'jump') !== null,
      hasStorageSecret: p.hasStorageSecret || secrets.get(p.id, 'storage') !== null,
      hasBreakGlassSecret: (p.hasBreakGlassSecret ?? false) || secrets.get(p.id, 'breakglass') !== null,
    };
  }

  /** Refuses before anything is written when a password cannot be kept. */
  function assertSecretsWritable(): void {
    const status = secrets.status();
    if (!status.available) {
      throw new OpsError(
        'SECRET_STORE_UNAVAILABLE',
        `The profile was not saved because its password cannot be kept: ${status.reason ?? 'no secret store is available'}. Save it without a password and use ~/.pgpass, PGPASSWORD or the password prompt instead.`,
      );
    }
  }

  /**
   * Profile row and secret in one SQLite transaction: the secret is written last, so if
   * it fails the profile row rolls back too (for the encrypted store both live in SQLite).
   */
  function saveWithSecret(write: () => Profile, input: SecretInputs): Profile {
    if (SECRET_FIELDS.some(({ field }) => input[field] !== undefined && input[field] !== '')) assertSecretsWritable();
    const saved = deps.store.db.transaction(() => {
      const profile = write();
      for (const { field, kind } of SECRET_FIELDS) {
        const value = input[field];
        if (value === '') secrets.delete(profile.id, kind);
        else if (value !== undefined) secrets.set(profile.id, value, kind);
      }
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

  function createProfile(input: { profile: ProfileFields } & SecretInputs, ctx: CallContext): Profile {
    ctx.audit.profile = input.profile.name;
    const created = saveWithSecret(() => profiles.create(input.profile), input);
    ctx.audit.summary = `Created profile "${created.name}" (${describeProfile(created)})${secretNotes(input)}`;
    return created;
  }

  /** `password` undefined keeps the saved one; an empty string forgets it. */
  async function updateProfile(
    input: { id: string; profile: ProfileFields; confirmName?: string | undefined } & SecretInputs,
    ctx: CallContext,
  ): Promise<Profile> {
    const before = profiles.require(input.id);
    ctx.audit.profile = before.name;
    // Making a read-only production profile writable (or moving it out of production) would
    // get around elevation for good: it is a production change like any other, with the
    // profile's name typed (issue #19's attack review).
    const lowered = before.env === 'production' && before.readOnly && (!input.profile.readOnly || input.profile.env !== 'production');
    if (lowered && input.confirmName !== before.name) {
      ctx.audit.summary = `refused: making production profile "${before.name}" writable not confirmed with the profile name`;
      throw new OpsError('CONFIRMATION_REQUIRED', `"${before.name}" is a read-only production profile: type its name to make it writable.`, {
        expected: before.name,
      });
    }
    const updated = saveWithSecret(() => profiles.update(before.id, input.profile), input);
    // An elevation was granted for the profile as it was (its server, role, environment):
    // it does not follow an edit to another target (ended and audited).
    if (elevationTargetChanged(before, updated)) endElevation(before.id, 'the profile was edited');
    // New route, pins or secrets: the next connection builds a fresh tunnel.
    await deps.tunnels.closeProfile(before.id);
    const secretNote = secretNotes(input);
    const renamed = before.name !== updated.name ? ` (renamed from "${before.name}")` : '';
    ctx.audit.profile = updated.name;
    ctx.audit.summary = `Updated profile "${updated.name}"${renamed}: ${describeProfile(updated)}${secretNote}`;
    return withSecretFlag(profiles.get(updated.id) ?? updated);
  }

  function duplicateProfile(input: { id: string; name: string }, ctx: CallContext): Profile {
    const source = profiles.require(input.id);
    ctx.audit.profile = source.name;
    const copy = profiles.duplicate(source.id, input.name);
    ctx.audit.summary = `Duplicated profile "${source.name}" as "${copy.name}" (saved password${source.ssh ? ' and SSH secrets' : ''}${source.storage ? ' and storage secret' : ''} not copied)`;
    return withSecretFlag(copy);
  }

  async function removeProfile(input: { id: string; confirmName?: string | undefined }, ctx: CallContext): Promise<{ removed: true }> {
    const profile = profiles.require(input.id);
    ctx.audit.profile = profile.name;
    if (profile.env === 'production' && input.confirmName !== profile.name) {
      throw new OpsError('CONFIRMATION_REQUIRED', `"${profile.name}" is a production profile: type its name to confirm removal.`, { expected: profile.name });
    }
    await deps.tunnels.closeProfile(profile.id);
    // A removed profile keeps no elevation (ended and audited like any other end).
    endElevation(profile.id, 'ended by the user');
    profiles.remove(profile.id);
    for (const { kind } of SECRET_FIELDS) secrets.delete(profile.id, kind);
    ctx.audit.summary = `Removed profile "${profile.name}" (${describeProfile(profile)}) and its saved secrets`;
    return { removed: true };
  }

  async function testProfile(input: { id: string } & SecretInputs, ctx: CallContext) {
    const profile = profiles.require(input.id);
    ctx.audit.profile = profile.name;
    const resolved = resolvePassword(profile, { explicit: input.password, secrets });
    const oneOff = { sshSecret: input.sshSecret, jumpSecret: input.jumpSecret };
    const report = await testConnection(profile, resolved.password, {
      passwordSource: resolved.source,
      ...(profile.ssh ? { ssh: { tunnels: deps.tunnels, secrets, oneOff } } : {}),
    });
    report.warnings.unshift(...resolved.warnings);
    // Session convenience only: a password typed into the test dialog is remembered by
    // an in-memory store (gone with the process), never written to a persistent one here.
    if (report.ok && !secrets.persistent && secrets.status().available) {
      if (resolved.source === 'explicit') secrets.set(profile.id, resolved.password!);
      if (input.sshSecret) secrets.set(profile.id, input.sshSecret, 'ssh');
      if (input.jumpSecret) secrets.set(profile.id, input.jumpSecret, 'jump');
    }
    const failed = report.stages.find((s) => !s.ok);
    ctx.audit.summary = report.ok
      ? `Tested connection: ok, PostgreSQL ${report.serverVersion ?? 'unknown version'}`
      : `Tested connection: failed at ${failed?.name ?? 'unknown stage'}: ${failed?.error ?? 'no detail'}`;
    ctx.audit.detail = `${profile.user}@${profile.host}:${profile.port}/${profile.database} sslmode=${profile.sslmode}${profile.ssh ? ` via SSH ${describeRoute(profile.ssh)}` : ''}`;
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
    testStorageConnection: (input, ctx) => testStorageConnection(deps, input, ctx),
    ...sshHandlers(deps),
    elevateProfile: elevation.elevateProfile,
    endElevation: elevation.endElevation,
  };
}
