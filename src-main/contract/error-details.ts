// What each error code carries in `detail`, for every code the core sends one with. The
// core's `new OpsError(code, message, detail)` is type-checked against this table, so a
// throw site cannot send a shape the clients do not know; clients read a detail through
// `errorDetail(err, code)` (errors.ts) instead of casting it. One code may be thrown from
// several places, each setting some of its fields: all fields are optional.
import type { QueryFailure, StatementPlan } from './models';
import type { ScriptLine } from './restore';

/** One field-level message (the dispatcher's input validation, the stores' own checks). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** What a server error adds: its SQLSTATE, and where it pointed in the user's text. */
interface ServerErrorDetail {
  sqlstate?: string | null;
  detail?: string;
  hint?: string;
  /** 1-based character position in the whole script. */
  position?: number;
}

/** A pg_dump / pg_restore / psql found on this machine, as a refusal lists it. */
interface FoundTool {
  version?: string;
  major: number;
  path?: string;
  binDir?: string;
}

/** The guard's reading of a script (classify.ts ScriptPlan) and why it refused. */
interface GuardDetail {
  statements?: StatementPlan[];
  needsConfirmation?: boolean;
  blocked?: Array<{ index: number; reason: string }>;
  readOnlyRefusal?: { index: number; reason: string };
  /** blocked: an UPDATE/DELETE without WHERE, TRUNCATE, DROP; production: the typed name is missing. */
  reason?: 'blocked' | 'production';
  /** The profile name to type. */
  expected?: string;
}

/** Why an SSH tunnel failed: one cause each (core/platform/ssh/tunnel-errors.ts throws them). */
export type TunnelCause =
  | 'auth-failed'
  | 'host-key-unknown'
  | 'host-key-mismatch'
  | 'host-key-revoked'
  | 'bastion-unreachable'
  | 'forward-refused'
  | 'target-unreachable'
  | 'link-lost'
  | 'key-unreadable'
  | 'passphrase-required'
  | 'passphrase-wrong'
  | 'password-required'
  | 'agent-unavailable'
  | 'closed';

/** Which SSH server an error is about: the bastion, or the jump host in front of it. */
export type HopRole = 'bastion' | 'jump';

export interface TunnelErrorDetail {
  cause: TunnelCause;
  hop?: HopRole;
  host?: string;
  port?: number;
  user?: string;
  /** Host key checks: what the server showed, and what the profile expected. */
  presentedFingerprint?: string;
  pinnedFingerprint?: string;
  /** The presented key itself (type and base64 wire blob), so the user can pin exactly it. */
  presentedType?: string;
  presentedKey?: string;
  /** OpenSSH-style multi-line warning for a changed key. */
  banner?: string;
  /** The lower-level reason (socket error code, SSH channel failure text). */
  reason?: string;
}

/**
 * Why an object store failed, as a client can act on it: 'auth' (keys refused), 'no-bucket',
 * 'not-found' (an object), 'unreachable' (no answer from the endpoint), 'changed' (an object
 * changed while it was read), 'integrity' (what the store holds is not what was written),
 * 'other' (the store's own code is in s3Code).
 */
export type StorageFailure = 'auth' | 'no-bucket' | 'not-found' | 'unreachable' | 'changed' | 'integrity' | 'other';

export interface StorageErrorDetail {
  reason: StorageFailure;
  /** The endpoint as the user configured it (never a key). */
  endpoint: string;
  bucket?: string;
  key?: string;
  /** The store's error code (AccessDenied, NoSuchBucket…) and HTTP status, when it answered. */
  s3Code?: string;
  status?: number;
}

export interface ErrorDetails {
  INVALID_INPUT: {
    fields?: FieldProblem[];
    /** A script the parser refused: the 1-based position of the error and SQLSTATE 42601. */
    position?: number;
    sqlstate?: string;
    /** The one option a plan refused (jobs, format, compression, tabs). */
    field?: string;
    path?: string;
    /** Explain and export take one statement: how many were given. */
    statements?: number;
    command?: string;
    kind?: string;
    effects?: string[];
    /** A statement that changes a setting the console pins. */
    index?: number;
    reason?: 'pinned-setting';
    /** A backup that cannot be a restore's source. */
    id?: string;
    status?: string;
    source?: string;
    metaCommands?: { total: number; lines: ScriptLine[] };
  };
  NOT_FOUND: { id?: string; path?: string; profile?: string; profileId?: string };
  CONFLICT: {
    fields?: FieldProblem[];
    /** A host key pin replaced by another: the pinned and presented fingerprints. */
    expected?: string;
    presented?: string;
    /** The session signalled is not the one the user saw (its backend_start changed). */
    backendStart?: string;
    /** A runbook write step whose row count moved since its preview. */
    rowsNow?: number;
    rowsPreviewed?: number;
    /** A restore target holding objects of the dump. */
    conflicts?: unknown[];
    /** The file or database a start was told to create, found existing (names decided at review are never renamed). */
    path?: string;
    database?: string;
  };
  FORBIDDEN: { sqlstate?: string; pid?: number; user?: string | null };
  READ_ONLY: { sqlstate?: string; index?: number; reason?: 'read-only'; rule?: string };
  CONFIRMATION_REQUIRED: GuardDetail;
  STORE_TOO_NEW: { path: string; found: number; latest: number };
  STORE_CORRUPT: { path: string; reason: string };
  SECRET_STORE_UNAVAILABLE: never;
  /**
   * No detail: the database password. `secret: 'storage'`: the profile's storage (S3) secret
   * access key, which the database password prompt must not answer.
   */
  PASSWORD_REQUIRED: { secret?: 'storage' | 'encryption' };
  /** A server error's SQLSTATE, an SSH tunnel's cause, or a console statement's failure. */
  CONNECTION_FAILED: ServerErrorDetail & Partial<TunnelErrorDetail> & { cancelled?: boolean; message?: string };
  AUTH_FAILED: { sqlstate?: string };
  SANDBOX_FAILED: {
    command?: string;
    port?: number;
    logFile?: string;
    dataDir?: string;
    major?: number;
    serverVersion?: string | null;
    requiredMajor?: number;
  };
  BINARIES_NOT_FOUND: { searched?: string[]; found?: FoundTool[]; requiredMajor?: number };
  /** A console statement's failure (QueryFailure), or the SQLSTATE of one the app ran. */
  QUERY_FAILED: ServerErrorDetail & Partial<Pick<QueryFailure, 'message'>> & { cancelled?: boolean };
  IO_FAILED: { path: string; errno?: string | null };
  /**
   * What the installed tools are, against what the server (or the archive) needs; an
   * archive too new for pg_restore keeps the listing's stderr and exit code.
   */
  TOOL_VERSION_MISMATCH: {
    tool?: string;
    requiredMajor?: number;
    serverVersion?: string | null;
    found?: FoundTool[];
    version?: string;
    stderr?: string;
    exit?: number | string | null;
  };
  BACKUP_FAILED: {
    /** The tool's stderr tail and exit code (or signal). */
    stderr?: string;
    exit?: number | string | null;
    tool?: string;
    path?: string;
    bytes?: number;
    expected?: number;
    id?: string;
    backupId?: string;
    /** Roles the dump names that the target lacks (CREATE ROLE fixes it). */
    missingRoles?: string[];
  };
  STORAGE_FAILED: StorageErrorDetail;
  /**
   * 'wrong-key': the copy names another key id than the one given (nothing was decrypted);
   * 'tampered': a chunk failed authentication; 'truncated': the end marker is missing;
   * 'not-encrypted': the bytes do not start with the app's encryption header.
   */
  DECRYPT_FAILED: { reason: 'wrong-key' | 'tampered' | 'truncated' | 'not-encrypted'; keyId?: string; expectedKeyId?: string };
  UNAUTHORIZED: never;
  CANCELLED: never;
  NOT_IMPLEMENTED: never;
  INTERNAL: never;
}
