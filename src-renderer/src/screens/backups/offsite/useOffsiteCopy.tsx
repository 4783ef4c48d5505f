// One offsite copy run from a screen: copyBackupOffsite answers when the copy is verified;
// meanwhile its `offsite.progress` events (by the jobId we pass) feed the progress shown, and
// cancel aborts the upload. Used by "Copy offsite" for a backup and for a storage snapshot.
import { Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { CopyResult, OffsiteProgressEvent } from '@contract/offsite';
import { api } from '../../../shared/api/client';
import { toShownError, type ShownError } from '../../../shared/state/errors';
import { formatBytes } from '../../../shared/format/numbers';
import { formatDuration } from '../../../shared/format/time';

export interface OffsiteCopyRun {
  busy: boolean;
  result: CopyResult | null;
  error: ShownError | null;
  progress: OffsiteProgressEvent | null;
  start(backupId: string, destination: string): Promise<void>;
  cancel(): void;
  clearError(): void;
}

/** `onFinished` runs after every attempt (ok or not), e.g. to re-read the copies. */
export function useOffsiteCopy(onFinished: () => void): OffsiteCopyRun {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<CopyResult | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [progress, setProgress] = useState<OffsiteProgressEvent | null>(null);

  useEffect(() => {
    if (jobId === null) return undefined;
    return api.onEvent((event) => {
      if (event.type === 'offsite.progress' && event.jobId === jobId) setProgress(event);
    });
  }, [jobId]);

  async function start(backupId: string, destination: string) {
    const id = crypto.randomUUID();
    setBusy(true);
    setResult(null);
    setError(null);
    setProgress(null);
    setJobId(id);
    try {
      setResult(await api.copyBackupOffsite({ backupId, destination, jobId: id }));
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(false);
      setJobId(null);
      onFinished();
    }
  }

  function cancel() {
    if (jobId !== null) void api.cancelOffsiteCopy({ jobId }).catch((err: unknown) => setError(toShownError(err)));
  }

  return { busy, result, error, progress, start, cancel, clearError: () => setError(null) };
}

/** The running copy's phase, bytes and ETA, with Cancel. */
export function CopyProgressView({ progress, onCancel }: { progress: OffsiteProgressEvent | null; onCancel: () => void }) {
  return (
    <Stack gap={4} aria-label="Copy progress">
      <Group justify="space-between">
        <Text size="sm" role="status">
          {progress === null
            ? 'Uploading, then reading the copy back to compare its sha256…'
            : `${progress.phase === 'upload' ? 'Uploading' : 'Reading back to verify'}: ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}${
                progress.etaSeconds !== null ? ` · about ${formatDuration(progress.etaSeconds * 1000)} left` : ''
              }`}
        </Text>
        <Button size="xs" variant="default" color="red" onClick={onCancel}>
          Cancel
        </Button>
      </Group>
      <Progress
        value={progress !== null && progress.bytesTotal > 0 ? (100 * progress.bytesDone) / progress.bytesTotal : 0}
        animated={progress === null}
        aria-label={progress?.phase === 'verify' ? 'Verify progress' : 'Upload progress'}
      />
    </Stack>
  );
}
