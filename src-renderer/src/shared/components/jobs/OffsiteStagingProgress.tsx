// A restore or drill of a backup whose dump lives only offsite fetches the copy back first
// (verified before anything is restored). While that runs, the call that starts the restore
// or drill is still waiting: this shows the download's bytes and ETA from the offsite domain's
// `offsite.progress` events (phase 'download', jobId stageJobIdFor(backupId)) and offers
// Cancel, which stops the download (the start then fails CANCELLED, nothing restored).
// Renders nothing until the first such event, so a local dump shows no trace of it.
import { Button, Group, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { stageJobIdFor, type OffsiteProgressEvent } from '@contract/offsite';
import { api } from '../../api/client';
import { formatBytes } from '../../format/numbers';
import { formatDuration } from '../../format/time';

export function OffsiteStagingProgress({ backupId }: { backupId: string | null }) {
  const [progress, setProgress] = useState<OffsiteProgressEvent | null>(null);
  const [cancelling, setCancelling] = useState(false);
  useEffect(() => {
    setProgress(null);
    setCancelling(false);
    if (backupId === null) return undefined;
    const jobId = stageJobIdFor(backupId);
    return api.onEvent((event) => {
      if (event.type === 'offsite.progress' && event.jobId === jobId && event.phase === 'download') setProgress(event);
    });
  }, [backupId]);
  if (backupId === null || progress === null) return null;
  const done = progress.bytesDone >= progress.bytesTotal;
  return (
    <Stack gap={4} aria-label="Offsite download">
      <Group justify="space-between">
        <Text size="sm" role="status">
          {done
            ? `Fetched from offsite (${formatBytes(progress.bytesTotal)}), sha256 checked`
            : `Fetching the dump from offsite: ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}${
                progress.etaSeconds !== null ? ` · about ${formatDuration(progress.etaSeconds * 1000)} left` : ''
              }`}
        </Text>
        {done ? null : (
          <Button
            size="xs"
            variant="default"
            color="red"
            loading={cancelling}
            onClick={() => {
              setCancelling(true);
              void api.cancelOffsiteCopy({ jobId: stageJobIdFor(backupId) }).finally(() => setCancelling(false));
            }}
          >
            Cancel download
          </Button>
        )}
      </Group>
      <Progress value={progress.bytesTotal > 0 ? (100 * progress.bytesDone) / progress.bytesTotal : 0} aria-label="Download progress" />
    </Stack>
  );
}
