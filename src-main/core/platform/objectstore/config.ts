// How the app reaches one S3-compatible object store: Supabase Storage's S3 endpoint
// (https://<ref>.supabase.co/storage/v1/s3), AWS S3, MinIO, R2… The secret access key is
// never stored with the rest: callers read it from the secret store, the environment or a
// prompt and hand the whole config to ObjectStore for the length of one job.
import { OpsError } from '../../../contract/errors';

export interface ObjectStoreConfig {
  /** http(s) URL of the S3 endpoint, without bucket. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * Bucket in the path (`endpoint/bucket/key`) rather than in the host name. Supabase
   * Storage, MinIO and most self-hosted stores need it; AWS accepts both.
   */
  forcePathStyle: boolean;
  /**
   * The first pause before a transfer tries again after a dropped connection, doubled at each
   * attempt (default 200 ms for downloads, 250 ms for parts). Tests that prove the giving up
   * pass a few ms, so they do not sleep through the whole back-off.
   */
  retryDelayMs?: number;
}

/** The endpoint checked and normalised (no trailing slash), or INVALID_INPUT naming the field. */
export function normaliseEndpoint(text: string, field = 'endpoint'): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new OpsError('INVALID_INPUT', `${text} is not a URL: give the S3 endpoint, e.g. https://<project-ref>.supabase.co/storage/v1/s3.`, { field });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new OpsError('INVALID_INPUT', `The S3 endpoint must be an http(s) URL, not ${url.protocol}.`, { field });
  if (url.username !== '' || url.password !== '')
    throw new OpsError('INVALID_INPUT', 'Keys never go in the endpoint URL: give the access key id on its own and the secret through the secret store.', {
      field,
    });
  if (url.search !== '' || url.hash !== '') throw new OpsError('INVALID_INPUT', 'The S3 endpoint takes no query or fragment.', { field });
  return url.toString().replace(/\/+$/, '');
}

/** Bucket names as S3 accepts them (3-63 of a-z 0-9 . -), checked before any request. */
export function checkBucketName(name: string, field = 'bucket'): string {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name))
    throw new OpsError('INVALID_INPUT', `${JSON.stringify(name)} is not a bucket name: 3-63 characters of a-z, 0-9, "." and "-".`, { field });
  return name;
}
