// What every transfer of this folder shares (downloads in client.ts, multipart.ts,
// stream-upload.ts): ETags as S3 quotes them, a cancellable back-off pause, the failure worth
// resuming, and a local write's failure worded as the workstation's.
import { OpsError } from '../../../contract/errors';

export function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new OpsError('CANCELLED', 'Cancelled.'));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new OpsError('CANCELLED', 'Cancelled.'));
    });
  });
}

/**
 * A local write. Its failure (a full disk, a read-only folder) is the workstation's, not the
 * store's: IO_FAILED at once, never worded as the endpoint or retried as a dropped connection.
 */
export async function writeLocal(write: () => Promise<unknown>, file: string): Promise<void> {
  try {
    await write();
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code ?? null;
    const words = errno === 'ENOSPC' || errno === 'EDQUOT' ? 'the disk is full' : (err as Error).message;
    throw new OpsError('IO_FAILED', `Could not write ${file}: ${words}.`, { path: file, errno });
  }
}

/** A failure of the connection (worth resuming), as opposed to a refusal or a cancel. */
export function isUnreachable(err: OpsError): boolean {
  return err.code === 'STORAGE_FAILED' && (err.detail as { reason?: string } | undefined)?.reason === 'unreachable';
}
