// Errors cross every boundary (IPC, HTTP, CLI) as plain `{ code, message, detail? }`.
// Electron's IPC keeps only `message` of a thrown Error, so handlers never rely on
// throwing across a transport: the dispatcher turns an OpsError into this shape.

export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'READ_ONLY',
  'CONFIRMATION_REQUIRED',
  'STORE_TOO_NEW',
  'STORE_CORRUPT',
  'SECRET_STORE_UNAVAILABLE',
  'PASSWORD_REQUIRED',
  'CONNECTION_FAILED',
  'AUTH_FAILED',
  'SANDBOX_FAILED',
  'BINARIES_NOT_FOUND',
  /** A statement the app ran on the user's behalf failed at the server (SQLSTATE in detail). */
  'QUERY_FAILED',
  /** Writing a local file failed (disk full, permissions). */
  'IO_FAILED',
  /** No installed pg_dump/pg_restore/psql is new enough for the server (or the archive). */
  'TOOL_VERSION_MISMATCH',
  /** pg_dump / pg_restore / psql failed or was stopped; detail has the stderr tail. */
  'BACKUP_FAILED',
  'CANCELLED',
  'NOT_IMPLEMENTED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
  detail?: unknown;
}

/** The one error type the core throws on purpose. Anything else becomes INTERNAL. */
export class OpsError extends Error {
  readonly code: ErrorCode;
  readonly detail?: unknown;

  constructor(code: ErrorCode, message: string, detail?: unknown) {
    super(message);
    this.name = 'OpsError';
    this.code = code;
    this.detail = detail;
  }

  toApiError(): ApiError {
    return this.detail === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, detail: this.detail };
  }
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && typeof (value as ApiError).code === 'string' && typeof (value as ApiError).message === 'string';
}
