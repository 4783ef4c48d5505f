// Errors cross every boundary (IPC, HTTP, CLI) as plain `{ code, message, detail? }`.
// Electron's IPC keeps only `message` of a thrown Error, so handlers never rely on
// throwing across a transport: the dispatcher turns an OpsError into this shape.
import type { ErrorDetails } from './error-details';
export type { ErrorDetails, FieldProblem } from './error-details';

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
  /** An S3-compatible object store (Supabase Storage, an offsite destination) refused or failed; detail says why. */
  'STORAGE_FAILED',
  /** An encrypted copy could not be decrypted: another key, or bytes changed or cut short. */
  'DECRYPT_FAILED',
  'CANCELLED',
  'NOT_IMPLEMENTED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Codes every operation may answer with besides those it declares: the dispatcher's own
 * (input refused by the schema, an unexpected exception).
 */
export const UNIVERSAL_ERROR_CODES = ['INVALID_INPUT', 'INTERNAL'] as const satisfies readonly ErrorCode[];

/** The `detail` a code carries (error-details.ts); `never` for codes sent without one. */
export type ErrorDetail<C extends ErrorCode> = ErrorDetails[C];

export interface ApiError {
  code: ErrorCode;
  message: string;
  detail?: ErrorDetail<ErrorCode>;
}

/** The one error type the core throws on purpose. Anything else becomes INTERNAL. */
class OpsErrorBase extends Error {
  readonly code: ErrorCode;
  readonly detail?: ErrorDetail<ErrorCode>;

  constructor(code: ErrorCode, message: string, detail?: ErrorDetail<ErrorCode>) {
    super(message);
    this.name = 'OpsError';
    this.code = code;
    this.detail = detail;
  }

  toApiError(): ApiError {
    return this.detail === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, detail: this.detail };
  }
}

/**
 * The constructor checks `detail` against the code's shape in error-details.ts. It is
 * declared apart from the class because a class cannot tie a constructor argument's type
 * to another's without making every narrowed `err instanceof OpsError` generic (`any`).
 */
export const OpsError: {
  new <C extends ErrorCode>(code: C, message: string, detail?: ErrorDetail<C>): OpsErrorBase;
  readonly prototype: OpsErrorBase;
} = OpsErrorBase;
export type OpsError = OpsErrorBase;
/** For subclasses (TunnelError), which fix their code and detail in their own constructor. */
export { OpsErrorBase };

/**
 * The detail of an error answered with `code`, typed; undefined for another code or an
 * error without one. Works on an OpsError and on a plain `{ code, message, detail }`.
 * Details come from the same build's core, whose throw sites are checked against
 * ErrorDetails, so no run-time schema is applied here.
 */
export function errorDetail<C extends ErrorCode>(err: unknown, code: C): ErrorDetail<C> | undefined {
  if (!isApiError(err) || err.code !== code) return undefined;
  const detail: unknown = err.detail;
  return typeof detail === 'object' && detail !== null ? (detail as ErrorDetail<C>) : undefined;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && typeof (value as ApiError).code === 'string' && typeof (value as ApiError).message === 'string';
}
