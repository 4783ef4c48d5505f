// A storage backup written straight to an offsite destination (issue #18), as the database
// backup wizard offers it (OffsiteTarget.tsx): the choice of where the snapshot goes, and the
// run. storageBackupToOffsite answers only when the snapshot ended (every object read back,
// the manifest written last), so the run follows it by the jobId we pass: `storage.progress`
// events (objects, bytes, ETA), cancelled with cancelOffsiteCopy.
import { Alert, Button, Code, Group, Radio, Stack, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { CopyResult, OffsiteDestination } from '@contract/offsite';
import type { StorageSnapshotEntry, StorageSnapshotProgress } from '@contract/storage';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { JobProgressPanel } from '../../../shared/components/jobs/JobProgressPanel';
import { formatBytes, formatCount } from '../../../shared/format/numbers';
import { formatDuration } from '../../../shared/format/time';
import { randomId } from '../../../shared/ids';
import { toShownError, type ShownError } from '../../../shared/state/errors';
import { describeSnapshotProgress } from './storage-model';
import { storageApi } from './storage-api';

const LOCAL = '__local__';

/** This computer (a snapshot folder) or one of the offsite destinations. */
export function StorageTargetChoice({
  value,
  onChange,
  destinations,
}: {
  value: string | null;
  onChange: (destination: string | null) => void;
  destinations: OffsiteDestination[];
}) {
  if (destinations.length === 0) return null;
  return (
    <Radio.Group label="Write the snapshot to" value={value ?? LOCAL} onChange={(v) => onChange(v === LOCAL ? null : v)}>
      <Stack gap="xs" mt="xs">
        <Radio value={LOCAL} label="This computer (snapshot folder)" description="Incremental: unchanged objects are hard-linked from the previous snapshot" />
        {destinations.map((d) => (
          <Radio
            key={d.id}
            value={d.name}
            label={`Offsite destination: ${d.name}`}
            description={`s3://${[d.bucket, d.prefix].filter(Boolean).join('/')}${d.encrypt ? ', encrypted' : ''}: nothing is kept on this computer; objects unchanged since the previous snapshot there are not sent again`}
          />
        ))}
      </Stack>
    </Radio.Group>
  );
}

export interface DirectSnapshotRun {
  busy: boolean;
  progress: StorageSnapshotProgress | null;
  result: { snapshot: StorageSnapshotEntry; copy: CopyResult } | null;
  error: ShownError | null;
}

const IDLE: DirectSnapshotRun = { busy: false, progress: null, result: null, error: null };

export function useDirectSnapshot(onFinished: () => void) {
  const [run, setRun] = useState<DirectSnapshotRun>(IDLE);
  const [jobId, setJobId] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const start = useCallback(
    async (input: { profileId: string; buckets: string[]; storageSecret?: string; destination: string }) => {
      const id = randomId();
      setRun({ ...IDLE, busy: true });
      setJobId(id);
      setCancelling(false);
      try {
        const result = await storageApi.startOffsite({ ...input, jobId: id }, (progress) => setRun((r) => ({ ...r, progress })));
        setRun((r) => ({ ...r, busy: false, result }));
      } catch (err) {
        setRun((r) => ({ ...r, busy: false, error: toShownError(err) }));
      } finally {
        setJobId(null);
        onFinished();
      }
    },
    [onFinished],
  );
  const cancel = useCallback(() => {
    if (jobId === null) return;
    setCancelling(true);
    storageApi.cancelOffsite(jobId).catch((err: unknown) => setRun((r) => ({ ...r, error: toShownError(err) })));
  }, [jobId]);
  return { run, start, cancel, cancelling };
}

/** Progress (objects, bytes, ETA) with Cancel, then where the snapshot is and what was sent, or why it failed. */
export function DirectSnapshotView({
  run,
  cancelling,
  onCancel,
  onDone,
}: {
  run: DirectSnapshotRun;
  cancelling: boolean;
  onCancel: () => void;
  onDone: () => void;
}) {
  const { busy, progress, result, error } = run;
  const view = describeSnapshotProgress(progress, result?.snapshot ?? null);
  return (
    <Stack gap="sm" role="region" aria-label="Offsite storage backup">
      <JobProgressPanel
        noun="storage backup"
        headline={busy ? view.headline.replace('Downloading objects', 'Sending objects offsite') : view.headline}
        percent={view.percent}
        figures={[
          { label: 'Objects', value: view.objects },
          { label: 'Bytes', value: view.bytes },
          { label: 'ETA', value: busy ? view.eta : '—' },
        ]}
        running={busy}
        failed={error !== null}
        canCancel={busy}
        cancelling={cancelling}
        cancelError={null}
        onCancel={onCancel}
        cancelText="The transfers stop and no manifest is written, so nothing counts as a snapshot; the catalog records it as cancelled."
      />
      {result ? (
        <div role="region" aria-label="Offsite storage backup result">
          <Alert color="green" variant="light" title="Snapshot written offsite and verified">
            <Stack gap={2}>
              <Text size="sm">
                {formatCount(result.snapshot.objects)} objects · {formatBytes(result.snapshot.bytes)} · {formatCount(result.copy.uploadedObjects ?? 0)} sent ·{' '}
                {formatCount(result.snapshot.reusedObjects)} unchanged since the previous snapshot there · {formatDuration(result.snapshot.durationMs)}
              </Text>
              <Text size="sm">
                On {result.copy.destination}: <Code>{result.copy.key}</Code>
                {result.copy.encrypted ? ' (encrypted)' : ''}; every object read back and its sha256 matched.
              </Text>
              <Text size="xs" c="dimmed">
                Nothing was kept on this computer: Restore… fetches it from {result.copy.destination} first.
              </Text>
            </Stack>
          </Alert>
        </div>
      ) : null}
      {error ? (
        <ErrorAlert
          title={error.code === 'CANCELLED' ? 'The offsite storage backup was cancelled' : 'The offsite storage backup failed: nothing was published'}
          error={error}
        />
      ) : null}
      {!busy ? (
        <Group>
          <Button variant="default" onClick={onDone}>
            Done
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}
