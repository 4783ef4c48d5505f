// Shapes that cross the boundary. Pure zod + types: the renderer imports this file,
// so nothing here may touch Node.
import { z } from 'zod';

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
  escalationLevel: z.union([z.literal(1), z.literal(2), z.literal(3)]).nullable().default(null),
});
export type ProfileInput = z.input<typeof profileInputSchema>;
export type ProfileFields = z.output<typeof profileInputSchema>;

export interface Profile extends Omit<ProfileFields, 'readOnly'> {
  id: string;
  readOnly: boolean;
  /** A password is held by this app's secret store for the profile. */
  hasSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A profile draft parsed from a URI, the environment or a service file, plus what to warn about. */
export interface ProfileDraft {
  fields: Partial<ProfileFields>;
  /** Present when the source carried a password; the UI offers to keep it in the secret store. */
  password?: string;
  warnings: string[];
}

export interface ConnectionStage {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
  error?: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  serverVersion?: string;
  stages: ConnectionStage[];
  warnings: string[];
}

export const AUDIT_OUTCOMES = ['pending', 'ok', 'error'] as const;
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
  outcome: z.enum(['ok', 'error', 'pending']).optional(),
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
