// Live activity (issue #8): the server's sessions, who blocks whom, long-running queries,
// and the emergency actions on them (cancel, terminate, bulk cleanup). Pure types and zod.
import { z } from 'zod';
import type { CheckStatus } from './runbook';

export interface SessionRow {
  pid: number;
  user: string | null;
  database: string | null;
  application: string;
  clientAddr: string | null;
  /** 'client backend', 'autovacuum worker', 'walsender'… */
  backendType: string;
  /** active, idle, idle in transaction, idle in transaction (aborted), fastpath function call, disabled; null for background workers. */
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  backendStart: string;
  xactStart: string | null;
  queryStart: string | null;
  stateChange: string | null;
  /** Milliseconds since the transaction, the query and the current state began (null when not applicable). */
  xactDurationMs: number | null;
  queryDurationMs: number | null;
  stateDurationMs: number | null;
  /** The query text (the current one when active, else the last one); may be truncated by track_activity_query_size. */
  query: string;
  /** pg_blocking_pids(pid). */
  blockedBy: number[];
  /** One of this app's own connections (application_name starts with ops-console). */
  own: boolean;
  /** pg_stat_activity hides the query of other roles' sessions without pg_read_all_stats. */
  hidden: boolean;
}

/** A blocker and the sessions waiting on it, recursively; roots block and wait on nobody. */
export interface BlockingNode {
  pid: number;
  user: string | null;
  application: string;
  state: string | null;
  /** How long the blocker has been in its transaction, or the waiter has been waiting. */
  durationMs: number | null;
  query: string;
  /** The locks this session holds that its waiters want, e.g. "RowExclusiveLock on relation public.inventory", "transactionid 1234". */
  holds: string[];
  /** What it waits for itself (a waiter): "Lock: transactionid". */
  waitingFor: string | null;
  waiters: BlockingNode[];
}

export interface ActivityPrivileges {
  superuser: boolean;
  /** Member of pg_signal_backend: may cancel/terminate other roles' (non-superuser) backends. */
  signalBackend: boolean;
  /** Member of pg_read_all_stats (or superuser): sees every session's query text. */
  readAllStats: boolean;
  /** What the role cannot do here, in a DBA's words; null when nothing is missing. */
  note: string | null;
}

export interface ActivitySnapshot {
  at: string;
  profile: string;
  serverVersion: string;
  maxConnections: number;
  /** Connections counted against max_connections (client backends), and by state. */
  connections: number;
  byState: Record<string, number>;
  /** Judged with the profile's thresholds (connections 60/80 by default). */
  connectionStatus: CheckStatus;
  connectionWarn: number;
  connectionCritical: number | null;
  /** The query-time thresholds (5 s / 10 s by default) used for long-running queries. */
  queryWarnMs: number;
  queryCriticalMs: number | null;
  sessions: SessionRow[];
  blocking: BlockingNode[];
  /** pids of active queries over the warning threshold, slowest first. */
  longRunning: number[];
  /** Sessions waiting on a lock right now. */
  lockWaits: number;
  databaseSizeBytes: number;
  privileges: ActivityPrivileges;
  /** Server-side time of the snapshot query, ms. */
  queryMs: number;
}

/** One row of pg_locks with its session (issue #19: every lock, not only the blocking ones). */
export interface LockRow {
  pid: number | null;
  /** relation, tuple, transactionid, virtualxid, advisory, object… */
  locktype: string;
  mode: string;
  granted: boolean;
  /** The database's name (null for shared objects and transaction ids). */
  database: string | null;
  /** schema.table for relation and tuple locks in the profile's database; the oid as text in another database. */
  relation: string | null;
  /** What else identifies the locked thing: "row (0,1)", "transaction 1234", "virtual transaction 3/17", "advisory 42". */
  target: string | null;
  user: string | null;
  application: string | null;
  state: string | null;
  query: string;
  /** The query is hidden from this role (pg_read_all_stats). */
  hidden: boolean;
  /** How long it has waited (a lock not granted), or how long its transaction has held it so far (granted); ms. */
  ageMs: number | null;
  /** Sessions that block this one (pg_blocking_pids), for waiters. */
  blockedBy: number[];
}

export interface LocksSnapshot {
  at: string;
  locks: LockRow[];
  /** More locks exist than LOCKS_LIMIT; the waiting ones come first, so none of those is cut. */
  truncated: boolean;
}

export const LOCKS_LIMIT = 2000;

export const activitySnapshotInput = z.object({ profileId: z.string().min(1), password: z.string().max(1024).optional() }).strict();

/** The row the operator acted on, so a pid reused by a new backend is never signalled by mistake. */
const backendIdentity = {
  profileId: z.string().min(1),
  pid: z.number().int().positive(),
  /** backend_start of the session as shown: refused (CONFLICT) when the pid now belongs to another backend. */
  backendStart: z.string().min(1).max(100).optional(),
  confirmName: z.string().optional(),
  password: z.string().max(1024).optional(),
};

export const signalBackendSchema = z.object(backendIdentity).strict();

/**
 * Terminating ends a session and rolls back its transaction: it needs the backend_start of
 * the session the operator saw, so a pid reused by another backend is never terminated.
 * (A caller without it, like `sessions terminate PID`, looks it up in a snapshot first.)
 */
export const terminateBackendSchema = z
  .object({ ...backendIdentity, backendStart: z.string({ error: 'required to terminate: the session start time from the activity snapshot' }).min(1).max(100) })
  .strict();

export interface SignalResult {
  pid: number;
  action: 'cancel' | 'terminate';
  /** What pg_cancel_backend / pg_terminate_backend returned. */
  signalled: boolean;
  /** Checked afterwards: the backend is gone (terminate), or its query stopped (cancel). */
  effective: boolean;
  /** The session as it is after the wait (null when gone). */
  after: { state: string | null; query: string; queryDurationMs: number | null } | null;
  /** The session as it was, for the audit trail and the screen. */
  before: { user: string | null; application: string; state: string | null; query: string; durationMs: number | null };
  message: string;
}

export const cleanupRuleSchema = z
  .object({
    profileId: z.string().min(1),
    /** Exactly one rule: idle in transaction for more than N minutes, or idle for more than N minutes. */
    idleInTransactionMinutes: z.number().min(0).max(100_000).optional(),
    idleMinutes: z.number().min(0).max(100_000).optional(),
    excludeUsers: z.array(z.string().min(1).max(200)).max(100).default([]),
    excludeApps: z.array(z.string().min(1).max(200)).max(100).default([]),
    password: z.string().max(1024).optional(),
  })
  .strict()
  .refine((r) => (r.idleInTransactionMinutes === undefined) !== (r.idleMinutes === undefined), {
    message: 'choose exactly one rule: idleInTransactionMinutes or idleMinutes',
    path: ['idleInTransactionMinutes'],
  });

export const cleanupRunSchema = z
  .object({
    rule: cleanupRuleSchema,
    /** The pids the preview listed; only these are considered, each re-checked against the rule at execution. */
    pids: z.array(z.number().int().positive()).max(10_000),
    confirmName: z.string().optional(),
  })
  .strict();

export interface CleanupMatch {
  pid: number;
  user: string | null;
  application: string;
  state: string | null;
  durationMs: number;
  query: string;
}

export interface CleanupPreview {
  /** The rule in words: "idle in transaction for more than 10 minutes, except users replicator". */
  rule: string;
  matched: CleanupMatch[];
  /** Sessions the rule matched but an exclusion (or being this app's own) kept out. */
  excluded: Array<CleanupMatch & { why: string }>;
}

export interface CleanupResult {
  rule: string;
  matched: CleanupMatch[];
  terminated: number[];
  /** Previewed pids not terminated at execution, and why (became active, gone, refused). */
  skipped: Array<{ pid: number; reason: string }>;
}
