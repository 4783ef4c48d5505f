// Connection profiles in the local store. Every write validates first and runs in one
// transaction, so a refused profile leaves nothing behind.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { OpsError } from '../../../contract/errors';
import {
  profileFieldsOf,
  profileInputSchema,
  sshSettingsSchema,
  storageSettingsSchema,
  type Contact,
  type Profile,
  type ProfileFields,
  type SshSettings,
  type StorageSettings,
} from '../../../contract/models';
import { activeElevation } from '../guard/elevation';
import { log } from '../kernel/log';
import { checkSshSettings } from './ssh-validate';
import { fieldError, requireReadableFile } from './field-checks';

interface ProfileRow {
  id: string;
  name: string;
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode: ProfileFields['sslmode'];
  ssl_root_cert: string | null;
  env: ProfileFields['env'];
  read_only: number;
  statement_timeout_ms: number | null;
  notes: string;
  contacts_json: string;
  escalation_level: 1 | 2 | 3 | null;
  created_at: string;
  updated_at: string;
  ssh_json: string | null;
  storage_json: string | null;
  has_secret: number;
  has_ssh_secret: number;
  has_jump_secret: number;
  has_storage_secret: number;
  has_breakglass_secret: number;
  break_glass_user: string | null;
  tags: string;
}

const SELECT = `SELECT p.*,
    EXISTS (SELECT 1 FROM secrets s WHERE s.profile_id = p.id AND s.kind = 'db') AS has_secret,
    EXISTS (SELECT 1 FROM secrets s WHERE s.profile_id = p.id AND s.kind = 'ssh') AS has_ssh_secret,
    EXISTS (SELECT 1 FROM secrets s WHERE s.profile_id = p.id AND s.kind = 'jump') AS has_jump_secret,
    EXISTS (SELECT 1 FROM secrets s WHERE s.profile_id = p.id AND s.kind = 'storage') AS has_storage_secret,
    EXISTS (SELECT 1 FROM secrets s WHERE s.profile_id = p.id AND s.kind = 'breakglass') AS has_breakglass_secret
  FROM profiles p`;

function parseContacts(json: string): Contact[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? (value as Contact[]) : [];
  } catch {
    return [];
  }
}

/** Written validated (migration 17's CHECK keeps it an array); anything else in it is a hand edit and dropped. */
function parseTags(json: string | undefined): string[] {
  try {
    const value: unknown = JSON.parse(json ?? '[]');
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

function parseSsh(json: string | null, profileId: string): SshSettings | null {
  if (json === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    raw = null;
  }
  const parsed = sshSettingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // Written validated, so this is a hand edit of the store. Keep what is there rather than
  // silently dropping the tunnel (the connection then fails loudly, never goes direct).
  log.warn(`profile ${profileId}: stored SSH settings do not validate; using them as stored`);
  return raw as SshSettings;
}

function parseStorage(json: string | null, profileId: string): StorageSettings | null {
  if (json === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    raw = null;
  }
  const parsed = storageSettingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // A hand edit of the store: keep it as stored; the S3 client then fails naming the endpoint.
  log.warn(`profile ${profileId}: stored storage settings do not validate; using them as stored`);
  return raw as StorageSettings;
}

function toProfile(row: ProfileRow): Profile {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    port: row.port,
    database: row.database,
    user: row.user,
    sslmode: row.sslmode,
    sslRootCert: row.ssl_root_cert,
    env: row.env,
    readOnly: row.read_only === 1,
    statementTimeoutMs: row.statement_timeout_ms,
    notes: row.notes,
    contacts: parseContacts(row.contacts_json),
    escalationLevel: row.escalation_level,
    ssh: parseSsh(row.ssh_json, row.id),
    storage: parseStorage(row.storage_json, row.id),
    hasSecret: row.has_secret === 1,
    hasSshSecret: row.has_ssh_secret === 1,
    hasJumpSecret: row.has_jump_secret === 1,
    hasStorageSecret: row.has_storage_secret === 1,
    breakGlassUser: row.break_glass_user,
    hasBreakGlassSecret: row.has_breakglass_secret === 1,
    tags: parseTags(row.tags),
    // Elevations live in memory only (guard/elevation.ts): every read shows the current one.
    elevation: activeElevation(row.id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The CA file must exist and be readable now, not at 3 AM when the profile is first used. */
function checkRootCert(fields: ProfileFields): string | null {
  if (fields.sslRootCert === null) {
    if (fields.sslmode === 'verify-ca' || fields.sslmode === 'verify-full') {
      throw fieldError('sslRootCert', `sslmode ${fields.sslmode} verifies the server certificate, so it needs a CA certificate file (sslRootCert)`);
    }
    return null;
  }
  const file = requireReadableFile('sslRootCert', fields.sslRootCert, 'CA certificate file');
  return file;
}

/** Validates (again: callers other than the dispatcher exist) and normalises. */
function normalise(input: ProfileFields): ProfileFields & { readOnly: boolean } {
  const parsed = profileInputSchema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || 'profile', message: issue.message }));
    throw new OpsError('INVALID_INPUT', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
  }
  const fields = parsed.data;
  const sslRootCert = checkRootCert(fields);
  const ssh = checkSshSettings(fields);
  return { ...fields, sslRootCert, ssh, readOnly: fields.readOnly ?? fields.env === 'production' };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class ProfileRepo {
  constructor(private readonly db: Database.Database) {}

  list(): Profile[] {
    return (this.db.prepare(`${SELECT} ORDER BY p.name COLLATE NOCASE`).all() as ProfileRow[]).map(toProfile);
  }

  get(id: string): Profile | null {
    const row = this.db.prepare(`${SELECT} WHERE p.id = ?`).get(id) as ProfileRow | undefined;
    return row ? toProfile(row) : null;
  }

  getByName(name: string): Profile | null {
    const row = this.db.prepare(`${SELECT} WHERE p.name = ? COLLATE NOCASE`).get(name.trim()) as ProfileRow | undefined;
    return row ? toProfile(row) : null;
  }

  /** By id, else by name (the CLI and UI both address profiles by name). */
  require(idOrName: string): Profile {
    const found = this.get(idOrName) ?? this.getByName(idOrName);
    if (!found) throw new OpsError('NOT_FOUND', `No profile named "${idOrName}". List the profiles to see the names in use.`, { profile: idOrName });
    return found;
  }

  create(input: ProfileFields): Profile {
    const fields = normalise(input);
    const id = randomUUID();
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.assertNameFree(fields.name, null);
      this.write(
        `INSERT INTO profiles (id, name, host, port, database, user, sslmode, ssl_root_cert, env, read_only,
           statement_timeout_ms, notes, contacts_json, escalation_level, ssh_json, storage_json, break_glass_user, tags, created_at, updated_at)
         VALUES (@id, @name, @host, @port, @database, @user, @sslmode, @sslRootCert, @env, @readOnly,
           @statementTimeoutMs, @notes, @contacts, @escalationLevel, @ssh, @storage, @breakGlassUser, @tags, @now, @now)`,
        { ...this.params(fields), breakGlassUser: fields.breakGlassUser ?? null, tags: JSON.stringify(fields.tags ?? []), id, now },
        fields.name,
      );
    })();
    return this.get(id)!;
  }

  update(id: string, input: ProfileFields): Profile {
    const fields = normalise(input);
    const now = new Date().toISOString();
    this.db.transaction(() => {
      const current = this.get(id);
      if (!current) throw new OpsError('NOT_FOUND', `No profile with id "${id}"`, { profile: id });
      this.assertNameFree(fields.name, id);
      // Omitted: kept (a form or command that does not know the break-glass role leaves it alone).
      const breakGlassUser = fields.breakGlassUser === undefined ? (current.breakGlassUser ?? null) : fields.breakGlassUser;
      const tags = JSON.stringify(fields.tags ?? current.tags);
      this.write(
        `UPDATE profiles SET name = @name, host = @host, port = @port, database = @database, user = @user,
           sslmode = @sslmode, ssl_root_cert = @sslRootCert, env = @env, read_only = @readOnly,
           statement_timeout_ms = @statementTimeoutMs, notes = @notes, contacts_json = @contacts,
           escalation_level = @escalationLevel, ssh_json = @ssh, storage_json = @storage, break_glass_user = @breakGlassUser, tags = @tags,
           updated_at = @now
         WHERE id = @id`,
        { ...this.params(fields), breakGlassUser, tags, id, now },
        fields.name,
      );
    })();
    return this.get(id)!;
  }

  /**
   * Replaces only the SSH settings (e.g. a newly trusted host key pin), validated like a
   * full update.
   */
  setSsh(id: string, ssh: SshSettings | null): Profile {
    const current = this.get(id);
    if (!current) throw new OpsError('NOT_FOUND', `No profile with id "${id}"`, { profile: id });
    return this.update(id, { ...profileFieldsOf(current), ssh });
  }

  /**
   * A copy under a new name; saved secrets (password, SSH passphrases) are not copied (a
   * copy usually targets another server). The SSH route and pinned host keys are.
   */
  duplicate(id: string, newName: string): Profile {
    const source = this.get(id);
    if (!source) throw new OpsError('NOT_FOUND', `No profile with id "${id}"`, { profile: id });
    return this.create({ ...profileFieldsOf(source), name: newName });
  }

  remove(id: string): void {
    this.db.transaction(() => {
      // Explicit rather than relying on ON DELETE CASCADE, which needs PRAGMA foreign_keys.
      this.db.prepare('DELETE FROM secrets WHERE profile_id = ?').run(id);
      this.db.prepare('DELETE FROM threshold_overrides WHERE profile_id = ?').run(id);
      const result = this.db.prepare('DELETE FROM profiles WHERE id = ?').run(id);
      if (result.changes === 0) throw new OpsError('NOT_FOUND', `No profile with id "${id}"`, { profile: id });
    })();
  }

  private assertNameFree(name: string, exceptId: string | null): void {
    const existing = this.getByName(name);
    if (existing && existing.id !== exceptId) throw conflict(name);
  }

  private write(sql: string, params: Record<string, unknown>, name: string): void {
    try {
      this.db.prepare(sql).run(params);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(name);
      throw err;
    }
  }

  private params(fields: ProfileFields & { readOnly: boolean }): Record<string, unknown> {
    return {
      name: fields.name,
      host: fields.host,
      port: fields.port,
      database: fields.database,
      user: fields.user,
      sslmode: fields.sslmode,
      sslRootCert: fields.sslRootCert,
      env: fields.env,
      readOnly: fields.readOnly ? 1 : 0,
      statementTimeoutMs: fields.statementTimeoutMs,
      notes: fields.notes,
      contacts: JSON.stringify(fields.contacts),
      escalationLevel: fields.escalationLevel,
      ssh: fields.ssh === null ? null : JSON.stringify(fields.ssh),
      storage: fields.storage === null ? null : JSON.stringify(fields.storage),
    };
  }
}

function conflict(name: string): OpsError {
  return new OpsError('CONFLICT', `A profile named "${name}" already exists`, { fields: [{ field: 'name', message: `"${name}" is already in use` }] });
}
