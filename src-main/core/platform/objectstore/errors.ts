// One translation from what the AWS SDK throws to the app's STORAGE_FAILED, so every
// screen and command words a refused key, a missing bucket or a dead endpoint the same way
// and names the endpoint (never a key).
import { OpsError } from '../../../contract/errors';
import type { StorageFailure } from '../../../contract/error-details';

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const AUTH_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'Forbidden', 'Unauthorized']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'TimeoutError']);

/** Requests the SDK refuses itself, before anything is sent. */
const CLIENT_SIDE = new Set(['InvalidBucketName']);

export interface StorageTarget {
  endpoint: string;
  bucket?: string;
  key?: string;
}

/** True for failures worth retrying on the same request: the connection, not the request, failed. */
export function isTransient(err: unknown): boolean {
  const e = err as SdkErrorLike;
  const status = e.$metadata?.httpStatusCode;
  return NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(e.name ?? '') || (status !== undefined && status >= 500);
}

export function failureOf(err: unknown): StorageFailure {
  const e = err as SdkErrorLike;
  const name = e.name ?? e.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (AUTH_CODES.has(name) || status === 401 || status === 403) return 'auth';
  if (name === 'NoSuchBucket') return 'no-bucket';
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return 'not-found';
  // The SDK refuses some requests before sending them (a bucket name with '/' or '?'): no answer was awaited.
  if (CLIENT_SIDE.has(name)) return 'other';
  if (NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(name) || status === undefined) return 'unreachable';
  return 'other';
}

/** The OpsError for an SDK failure on `target`; an OpsError passes through unchanged. */
export function storageError(err: unknown, target: StorageTarget, doing: string): OpsError {
  if (err instanceof OpsError) return err;
  const e = err as SdkErrorLike;
  const reason = failureOf(err);
  const where = target.bucket === undefined ? target.endpoint : `bucket ${target.bucket} at ${target.endpoint}`;
  const what = target.key === undefined ? '' : ` (${target.key})`;
  const words: Record<StorageFailure, string> = {
    auth: `${target.endpoint} refused the access key while ${doing}: check the access key id and secret (and that the key may use this bucket).`,
    'no-bucket': `There is no bucket ${target.bucket ?? ''} at ${target.endpoint}.`,
    'not-found': `${where} has no object${what} while ${doing}.`,
    unreachable: `${target.endpoint} did not answer while ${doing}: ${e.message ?? e.code ?? 'no connection'}.`,
    changed: `${where}${what} changed while ${doing}.`,
    integrity: `${where}${what} does not hold what was written while ${doing}.`,
    other: `${where}${what} failed while ${doing}: ${e.name ?? 'error'}${e.message ? `: ${e.message}` : ''}.`,
  };
  return new OpsError('STORAGE_FAILED', words[reason], {
    reason,
    endpoint: target.endpoint,
    ...(target.bucket === undefined ? {} : { bucket: target.bucket }),
    ...(target.key === undefined ? {} : { key: target.key }),
    ...(e.name === undefined ? {} : { s3Code: e.name }),
    ...(e.$metadata?.httpStatusCode === undefined ? {} : { status: e.$metadata.httpStatusCode }),
  });
}
