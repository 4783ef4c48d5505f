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

/**
 * Names the SDK makes up when an error answer carries no S3 error document: 'Unknown' for a
 * body without one (an HTML page from a proxy), 'NotFound' for an empty 404. A JSON body (an
 * API gateway's) fails the SDK's XML parse instead. S3 itself names every error of a request
 * that has a body (NoSuchKey, NoSuchBucket, AccessDenied…); a HEAD answer has none, so there
 * these names prove nothing (`bodyless`).
 */
const NO_S3_DOCUMENT = new Set(['Unknown', 'NotFound']);

/** Node's codes for a certificate it refused: the endpoint answered, but not as one it can trust. */
const CERT_CODE =
  /^(?:CERT_|UNABLE_TO_(?:GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE|DECRYPT_CERT)|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|ERR_TLS_CERT_ALTNAME_INVALID$)/;

/** Where the S3 endpoint is, for a message about an endpoint that does not speak S3. */
export const S3_ENDPOINT_HINT = 'For Supabase Storage it is https://<project-ref>.supabase.co/storage/v1/s3 (in the dashboard: Storage → S3 Connection).';

/**
 * Refusals of what was sent (not of who sent it), in Supabase Storage's codes (supabase/storage
 * errors/codes.ts; S3 has EntityTooLarge too, for one PUT over 5 GB): what to change, said once
 * for every caller.
 */
const WHAT_TO_CHANGE: Record<string, string> = {
  EntityTooLarge:
    "The store limits the size of one object: on Supabase Storage, the bucket's file size limit and the project's upload limit (Project Settings → Storage; 50 MB on the Free plan); on S3, 5 GB in one PUT.",
  InvalidMimeType: "The bucket accepts only some content types: on Supabase Storage, the bucket's allowed MIME types (Storage → the bucket → Edit).",
  InvalidKey: "The store does not accept this key: Supabase Storage takes ASCII letters, digits and _ / ! - . * ' ( ) space & $ @ = ; : + , ? only.",
};

export interface StorageTarget {
  endpoint: string;
  /** A HEAD request: its error answers never carry a document, so their made-up names prove nothing. */
  bodyless?: boolean;
  /** The signing region: a signature refused may be a wrong region, not a wrong key. */
  region?: string;
  bucket?: string;
  key?: string;
}

/** True for failures worth retrying on the same request: the connection, not the request, failed. */
export function isTransient(err: unknown): boolean {
  const e = err as SdkErrorLike;
  const status = e.$metadata?.httpStatusCode;
  return NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(e.name ?? '') || (status !== undefined && status >= 500);
}

/** A body the SDK could not read as XML at all (JSON, plain text). */
function unreadable(e: SdkErrorLike): boolean {
  return e.name === 'Error' && /Deserialization error|XML parse error/.test(e.message ?? '');
}

/** What came back was not an S3 answer: no S3 error document where S3 always sends one, or a body that is not XML. */
function notS3(e: SdkErrorLike, bodyless: boolean): boolean {
  return (!bodyless && NO_S3_DOCUMENT.has(e.name ?? '')) || unreadable(e);
}

function tlsRefused(e: SdkErrorLike): boolean {
  return CERT_CODE.test(e.code ?? '');
}

export function failureOf(err: unknown, bodyless = false): StorageFailure {
  const e = err as SdkErrorLike;
  const name = e.name ?? e.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (AUTH_CODES.has(name) || status === 401 || status === 403) return 'auth';
  // Before the 404 rule: a gateway's 404 means a wrong endpoint, not an object deleted since the
  // listing (which a snapshot would note and skip).
  if (notS3(e, bodyless) || tlsRefused(e)) return 'other';
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
  const bodyless = target.bodyless === true;
  const reason = failureOf(err, bodyless);
  const where = target.bucket === undefined ? target.endpoint : `bucket ${target.bucket} at ${target.endpoint}`;
  const what = target.key === undefined ? '' : ` (${target.key})`;
  const status = e.$metadata?.httpStatusCode;
  const other = tlsRefused(e)
    ? `${target.endpoint} sent a TLS certificate this machine does not trust while ${doing}: ${e.message ?? e.code}. Check the endpoint's host name, or the proxy between here and it.`
    : status !== undefined && status >= 500 && (NO_S3_DOCUMENT.has(e.name ?? '') || unreadable(e))
      ? `${target.endpoint} answered HTTP ${status} while ${doing}: the server, or a gateway in front of it, failed. Try again later; if it lasts, check the endpoint.`
      : notS3(e, bodyless)
        ? `${target.endpoint} answered ${status === undefined ? 'something' : `HTTP ${status}`} that is not an S3 answer while ${doing}. Is it the S3 endpoint? ${S3_ENDPOINT_HINT}`
        : `${where}${what} failed while ${doing}: ${e.name ?? 'error'}${e.message ? `: ${e.message}` : ''}.${e.name !== undefined && WHAT_TO_CHANGE[e.name] !== undefined ? ` ${WHAT_TO_CHANGE[e.name]}` : ''}`;
  const words: Record<StorageFailure, string> = {
    auth:
      e.name === 'SignatureDoesNotMatch'
        ? `${target.endpoint} refused the request's signature while ${doing}: check the secret, and the region${target.region === undefined ? '' : ` (${target.region})`}, which must be the project's own (Supabase Storage checks the signature against its region).`
        : `${target.endpoint} refused the access key while ${doing}: check the access key id and secret (and that the key may use this bucket).`,
    'no-bucket': `There is no bucket ${target.bucket ?? ''} at ${target.endpoint}.`,
    'not-found': `${where} has no object${what} while ${doing}.`,
    unreachable: `${target.endpoint} did not answer while ${doing}: ${e.message ?? e.code ?? 'no connection'}.`,
    changed: `${where}${what} changed while ${doing}.`,
    integrity: `${where}${what} does not hold what was written while ${doing}.`,
    other,
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

/** A successful answer that is not what S3 sends (no bucket name in a listing, no ETag on an object): a web page or another API. */
export function notS3Answer(endpoint: string, request: string, missing: string, target: { bucket?: string; key?: string } = {}): OpsError {
  return new OpsError(
    'STORAGE_FAILED',
    `${endpoint} answered ${request} without ${missing}: that is not an S3 answer. Is it the S3 endpoint? ${S3_ENDPOINT_HINT}`,
    {
      reason: 'other',
      endpoint,
      ...target,
    },
  );
}
