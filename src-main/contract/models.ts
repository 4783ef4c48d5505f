// Shapes that cross the boundary. Pure zod + types: the renderer imports this file,
// so nothing here may touch Node.
import { z } from 'zod';
import { storageSettingsSchema } from './storage-settings';

export { storageSettingsSchema, type StorageSettings, type StorageSettingsInput, type StorageTestResult } from './storage-settings';

export const ENVIRONMENTS = ['production', 'staging', 'development', 'sandbox'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const contactSchema = z.object({
  role: z.string().trim().min(1, 'role is required').max(100),
  name: z.string().trim().max(200).default(''),
  contact: z.string().trim().max(200).default(''),
  availability: z.string().trim().max(100).default(''),
});
export type Contact = z.infer<typeof contactSchema>;

const nameSchema = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(64, 'name is at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'name may hold letters, digits, dot, dash and underscore, starting with a letter or digit');

export const SSH_AUTH_KINDS = ['key', 'agent', 'password'] as const;
export type SshAuthKind = (typeof SSH_AUTH_KINDS)[number];

/** A pinned SSH host key: never auto-accepted, replaced only by an explicit, audited action. */
export const hostKeyPinSchema = z.object({
  type: z.string().min(1),
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]+$/, 'fingerprint must look like SHA256:…'),
  /** The whole public key, base64 (wire format), so a pin compares keys, not just hashes. */
  blob: z.string().min(1),
});
export type HostKeyPin = z.infer<typeof hostKeyPinSchema>;

/** One SSH hop. Secrets (key passphrase, SSH password) are never here: see the secret store. */
export const sshHopSchema = z.object({
  host: z.string().trim().min(1, 'SSH host is required').max(255),
  port: z.number().int().min(1, 'SSH port must be between 1 and 65535').max(65535, 'SSH port must be between 1 and 65535').default(22),
  user: z.string().trim().min(1, 'SSH user is required').max(64),
  auth: z.enum(SSH_AUTH_KINDS, { message: `SSH auth must be one of ${SSH_AUTH_KINDS.join(', ')}` }).default('key'),
  /** Private key file (auth 'key'); OpenSSH or PEM, optionally passphrase-protected. */
  keyPath: z.string().trim().min(1).nullable().default(null),
  /** ssh-agent socket (auth 'agent'); null means SSH_AUTH_SOCK. */
  agentSocket: z.string().trim().min(1).nullable().default(null),
  hostKey: hostKeyPinSchema.nullable().default(null),
});
export type SshHopFields = z.output<typeof sshHopSchema>;

export const sshSettingsSchema = sshHopSchema.extend({
  /** One optional extra hop in front of the bastion (ProxyJump). */
  jump: sshHopSchema.nullable().default(null),
  keepaliveIntervalSec: z.number().int().min(0).max(3600).default(15),
});
export type SshSettings = z.output<typeof sshSettingsSchema>;
export type SshSettingsInput = z.input<typeof sshSettingsSchema>;

/** One profile tag (issue #22): short lowercase labels fleet commands select by ("prod", "eu", "shop"). */
export const TAG_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
export const MAX_TAGS = 16;

/**
 * Tags as typed: trimmed and lowercased (a DBA typing "Prod" means prod), then checked;
 * repeats are dropped, first occurrence kept, so "--tag prod --tag prod" is one tag.
 */
export const tagsSchema = z
  .array(
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(TAG_PATTERN, 'a tag is 1-32 characters: lowercase letters, digits, dot, dash and underscore, starting with a letter or digit'),
  )
  .transform((tags) => [...new Set(tags)])
  .refine((tags) => tags.length <= MAX_TAGS, `at most ${MAX_TAGS} tags per profile`);

/** What a user gives when creating or editing a profile. */
export const profileInputSchema = z.object({
  name: nameSchema,
  host: z.string().trim().min(1, 'host is required').max(255),
  port: z.number().int('port must be a whole number').min(1, 'port must be between 1 and 65535').max(65535, 'port must be between 1 and 65535').default(5432),
  database: z.string().trim().min(1, 'database is required').max(63),
  user: z.string().trim().min(1, 'user is required').max(63),
  sslmode: z.enum(SSL_MODES, { message: `sslmode must be one of ${SSL_MODES.join(', ')}` }).default('prefer'),
  sslRootCert: z.string().trim().min(1).nullable().default(null),
  env: z.enum(ENVIRONMENTS, { message: `env must be one of ${ENVIRONMENTS.join(', ')}` }).default('development'),
  /** Omitted means: on for production, off otherwise. */
  readOnly: z.boolean().optional(),
  statementTimeoutMs: z.number().int().min(0).max(86_400_000).nullable().default(null),
  notes: z.string().max(10_000).default(''),
  contacts: z.array(contactSchema).max(20).default([]),
  escalationLevel: z
    .union([z.literal(1), z.literal(2), z.literal(3)])
    .nullable()
    .default(null),
  /** Reach the database through an SSH bastion (issue #3). */
  ssh: sshSettingsSchema.nullable().default(null),
  /** Supabase Storage (S3) connection for storage snapshots (issue #18). */
  storage: storageSettingsSchema.nullable().default(null),
  /**
   * Break-glass role (issue #19): while a read-only production profile is elevated, writes
   * connect as this role (its password is kept in the secret store, kind 'breakglass').
   * Null: an elevation uses the profile's own role. Omitted on an update: kept as it is.
   */
  breakGlassUser: z.string().trim().min(1).max(63).nullable().optional(),
  /** Labels for fleet commands (issue #22). Omitted on an update: kept as they are; on a create: none. */
  tags: tagsSchema.optional(),
});
export type ProfileInput = z.input<typeof profileInputSchema>;
export type ProfileFields = z.output<typeof profileInputSchema>;

export interface Profile extends Omit<ProfileFields, 'readOnly' | 'tags'> {
  id: string;
  readOnly: boolean;
  /** Fleet labels, lowercase, deduplicated, in the order given (issue #22). */
  tags: string[];
  /** A password is held by this app's secret store for the profile. */
  hasSecret: boolean;
  /** A key passphrase / SSH password is held for the bastion hop, and for the jump hop. */
  hasSshSecret: boolean;
  hasJumpSecret: boolean;
  /** The storage connection's secret access key is held by the secret store. */
  hasStorageSecret: boolean;
  /** The break-glass role's password is held by the secret store. */
  hasBreakGlassSecret?: boolean;
  /** Set while the (read-only) profile is elevated: the emergency window or one action. */
  elevation?: ProfileElevation | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * An elevation of a read-only production profile (issue #19): for one action or a short
 * window, started with the typed name and a reason, audited, ending by itself. Held in
 * memory by the core only: it ends with the process.
 */
export interface ProfileElevation {
  id: string;
  reason: string;
  mode: 'action' | 'window';
  startedAt: string;
  expiresAt: string;
  /** The break-glass role writes go through, or null for the profile's own role. */
  role: string | null;
  actor: string;
}

export { ELEVATION_ACTION_MINUTES, ELEVATION_DEFAULT_MINUTES, ELEVATION_MAX_MINUTES } from './elevation-limits';

/** The editable fields of a stored profile (to send back with some of them changed). */
export function profileFieldsOf(p: Profile): ProfileFields {
  return {
    name: p.name,
    host: p.host,
    port: p.port,
    database: p.database,
    user: p.user,
    sslmode: p.sslmode,
    sslRootCert: p.sslRootCert,
    env: p.env,
    readOnly: p.readOnly,
    statementTimeoutMs: p.statementTimeoutMs,
    notes: p.notes,
    contacts: p.contacts,
    escalationLevel: p.escalationLevel,
    ssh: p.ssh,
    storage: p.storage,
    breakGlassUser: p.breakGlassUser,
    tags: p.tags,
  };
}

/** A profile draft parsed from a URI, the environment or a service file, plus what to warn about. */
export interface ProfileDraft {
  fields: Partial<ProfileFields>;
  /** Present when the source carried a password; the UI offers to keep it in the secret store. */
  password?: string;
  warnings: string[];
  /**
   * A Supabase project's Storage (S3) endpoint, known from the project ref, and its region
   * when the pooler host names it: prefills the storage connection (the access key id and
   * secret come from the dashboard, Storage → S3 Connection).
   */
  storageHint?: { endpoint: string; region: string | null };
}

export interface ConnectionStage {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
  error?: string;
}

/** A host key the user must decide on: first contact (unknown) or a changed key (mismatch). */
export interface HostKeyDecision {
  hop: 'bastion' | 'jump';
  host: string;
  port: number;
  status: 'unknown' | 'mismatch' | 'revoked';
  presented: HostKeyPin;
  /** The pinned fingerprint, for a mismatch. */
  expected?: string;
  /** Found in ~/.ssh/known_hosts for this host (a hint, still confirmed by the user). */
  knownHosts?: boolean;
  message: string;
}

export interface ConnectionTestResult {
  /** Present when the SSH stage stopped on a host key that needs the user's decision. */
  hostKey?: HostKeyDecision;
  ok: boolean;
  serverVersion?: string;
  stages: ConnectionStage[];
  warnings: string[];
}

/** refused: a guard said no before anything ran (read-only, typed name, rights); cancelled: the user stopped it. */
export const AUDIT_OUTCOMES = ['pending', 'ok', 'error', 'refused', 'cancelled'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  profile: string | null;
  action: string;
  outcome: AuditOutcome;
  durationMs: number | null;
  summary: string;
  /** SQL text or command line, passwords redacted. */
  detail: string | null;
  rowsAffected: number | null;
  error: string | null;
}

export const auditQuerySchema = z.object({
  since: z.iso.datetime({ offset: true, message: 'since must be an ISO 8601 date-time' }).optional(),
  until: z.iso.datetime({ offset: true, message: 'until must be an ISO 8601 date-time' }).optional(),
  profile: z.string().trim().min(1).optional(),
  action: z.string().trim().min(1).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  search: z.string().trim().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(10_000).default(200),
  beforeId: z.number().int().positive().optional(),
});
export type AuditQuery = z.input<typeof auditQuerySchema>;

export interface AuditVerifyResult {
  ok: boolean;
  entries: number;
  firstBadId: number | null;
  problem: string | null;
}

export interface SandboxStatus {
  ok: boolean;
  running: boolean;
  port: number | null;
  dataDir: string;
  profile: string;
  url: string | null;
  serverVersion: string | null;
  binDir: string | null;
}

export interface AppInfo {
  version: string;
  home: string;
  mode: 'desktop' | 'browser' | 'cli';
  secretStore: { available: boolean; backend: string; reason?: string };
  firstRun: boolean;
  actor: string;
}

export * from './query';
