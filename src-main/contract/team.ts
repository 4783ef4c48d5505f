// The team store's shapes (issue #22): the connection, its status, a sync's summary, the
// per-workstation verification and the team-wide audit search.
import { z } from 'zod';
import { auditQuerySchema, type AuditEntry } from './models';
import { passwordField } from './op';

export const teamConnectSchema = z
  .object({
    /** A libpq URI (postgresql://user@host:port/db?sslmode=require); a password in it is moved to the secret store, never kept in the settings. */
    url: z.string().trim().min(1, 'url is required').max(2048),
    password: passwordField,
  })
  .strict();
export type TeamConnectInput = z.input<typeof teamConnectSchema>;

/** Where the team store is: never a password. */
export interface TeamConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode: 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
  sslRootCert: string | null;
}

export interface TeamPending {
  /** Audit chain records (two per completed entry: begin and complete) not yet in the team store. */
  auditRecords: number;
  profiles: number;
  runbooks: number;
  checklistRuns: number;
}

export interface TeamStatus {
  connected: boolean;
  workstationId: string | null;
  workstationName: string;
  connection: TeamConnection | null;
  /** The team store's schema version when last reached, and the one this app writes. */
  storeVersion: number | null;
  appStoreVersion: number;
  pending: TeamPending;
  lastSyncAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface TeamConnectResult {
  status: TeamStatus;
  /** The SQL that creates the team roles (shown once by `team connect`, documented in the README). */
  rolesSql: string;
  /** Whether this connect created or migrated the schema (false: it was already current). */
  migrated: boolean;
  /** Whether the password was kept by this app's secret store (else PGPASSWORD / ~/.pgpass / a prompt next time). */
  passwordSaved: boolean;
  warnings: string[];
}

export interface TeamUploaded {
  auditRecords: number;
  profiles: number;
  runbooks: number;
  checklistRuns: number;
}

export interface TeamSyncResult {
  ok: boolean;
  uploaded: TeamUploaded;
  pending: TeamPending;
  /** Records the team store already held with different content for the same (workstation, seq): flagged there, never overwritten. */
  conflicts: number;
  lastError: string | null;
  durationMs: number;
}

export interface TeamWorkstationVerify {
  id: string;
  name: string;
  entries: number;
  ok: boolean;
  firstBadId: number | null;
  problem: string | null;
}

export interface TeamVerifyResult {
  ok: boolean;
  workstations: TeamWorkstationVerify[];
}

export const teamAuditQuerySchema = auditQuerySchema.extend({
  /** One workstation's entries only (its id). */
  workstation: z.string().trim().min(1).max(64).optional(),
});
export type TeamAuditQuery = z.input<typeof teamAuditQuerySchema>;

/** A team audit entry: the local entry's fields plus which workstation recorded it. */
export interface TeamAuditEntry extends AuditEntry {
  workstationId: string;
  workstation: string;
}
