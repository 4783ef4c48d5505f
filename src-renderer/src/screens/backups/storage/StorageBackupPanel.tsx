// "Storage backup" for one profile: pick the buckets (all by default, as the access key lists
// them), run with progress (objects, bytes, ETA) and Cancel, then the summary: objects,
// bytes, what was downloaded versus linked from the previous snapshot, and the objects that
// changed while they were being taken (kept at their newer version, so they are named).
// With an offsite destination chosen, the snapshot is written straight there (StorageOffsiteRun.tsx).
import { Alert, Button, Checkbox, Group, List, Loader, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { StorageSnapshotDetails, StorageSnapshotProgress } from '@contract/storage';
import type { Profile } from '@contract/models';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { JobProgressPanel } from '../../../shared/components/jobs/JobProgressPanel';
import { useTrackedJob, type TrackedJob } from '../../../shared/components/jobs/useTrackedJob';
import { toShownError, type ShownError } from '../../../shared/state/errors';
import { formatBytes, formatCount } from '../../../shared/format/numbers';
import { formatDuration } from '../../../shared/format/time';
import { describeSnapshotProgress } from './storage-model';
import { STORAGE_JOB_OPS, storageApi } from './storage-api';
import { useOffsiteDestinations } from '../OffsiteTarget';
import { DirectSnapshotView, StorageTargetChoice, useDirectSnapshot } from './StorageOffsiteRun';

type SnapshotJob = TrackedJob<StorageSnapshotDetails, null, StorageSnapshotProgress>;

/**
 * Without a saved secret access key (the browser and CLI keep none across restarts) the
 * secret is asked here, used for the listing and the run, and never kept by the screen.
 */
function BucketPicker({
  profile,
  onRun,
  onClose,
}: {
  profile: Profile;
  onRun: (buckets: string[], secret: string | undefined, destination: string | null) => void;
  onClose: () => void;
}) {
  const [buckets, setBuckets] = useState<string[] | null>(null);
  const { destinations } = useOffsiteDestinations(0);
  const [destination, setDestination] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<ShownError | null>(null);
  const [secret, setSecret] = useState('');
  const [listing, setListing] = useState(profile.hasStorageSecret);
  const asking = !profile.hasStorageSecret;
  const given = asking ? secret : undefined;
  useEffect(() => {
    if (!listing) return;
    let live = true;
    setError(null);
    storageApi.buckets(profile.id, given).then(
      (names) => {
        if (!live) return;
        setBuckets(names);
        setChosen(names);
        setListing(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(toShownError(err));
        setListing(false);
      },
    );
    return () => {
      live = false;
    };
    // `given` is read when a listing starts (not a dependency): typing must not list again.
  }, [profile.id, listing]);
  const all = buckets !== null && chosen.length === buckets.length;
  return (
    <Stack gap="sm">
      {error ? <ErrorAlert title="The buckets could not be listed" error={error} /> : null}
      {asking && buckets === null ? (
        <Group align="flex-end">
          <PasswordInput
            label="Secret access key"
            description="Not saved for this profile: used for this backup only"
            value={secret}
            onChange={(e) => setSecret(e.currentTarget.value)}
            autoComplete="off"
            w={320}
          />
          <Button variant="light" onClick={() => setListing(true)} disabled={secret === '' || listing}>
            List buckets
          </Button>
        </Group>
      ) : null}
      {listing ? <Loader size="sm" aria-label="Listing the buckets" /> : null}
      {buckets !== null && buckets.length === 0 ? (
        <Text size="sm" c="dimmed">
          The access key sees no bucket: nothing to back up.
        </Text>
      ) : null}
      {buckets !== null && buckets.length > 0 ? (
        <Checkbox.Group
          label="Buckets"
          description="All of them by default; a new bucket is included on the next run only if all are chosen."
          value={chosen}
          onChange={setChosen}
        >
          <Stack gap={4} mt={4}>
            {buckets.map((name) => (
              <Checkbox key={name} value={name} label={name} />
            ))}
          </Stack>
        </Checkbox.Group>
      ) : null}
      {buckets !== null && buckets.length > 0 ? <StorageTargetChoice value={destination} onChange={setDestination} destinations={destinations} /> : null}
      <Group>
        <Button onClick={() => onRun(all ? [] : chosen, given, destination)} disabled={buckets === null || chosen.length === 0}>
          Run storage backup
        </Button>
        <Button variant="default" onClick={onClose}>
          Close
        </Button>
      </Group>
    </Stack>
  );
}

/** Objects replaced while they were taken (kept at the newer version) and objects left out. */
function ChangedDuring({ entry }: { entry: StorageSnapshotDetails }) {
  const { changedDuring, skipped } = entry;
  if (changedDuring.length === 0 && skipped.length === 0) return null;
  return (
    <Alert color="yellow" variant="light" title={`${changedDuring.length + skipped.length} objects changed during the snapshot`}>
      <List size="sm" spacing={2}>
        {changedDuring.slice(0, 20).map((o) => (
          <List.Item key={`c:${o.bucket}/${o.key}`}>
            {o.bucket}/{o.key}: replaced while it was taken, kept at its newer version
          </List.Item>
        ))}
        {skipped.slice(0, 20).map((o) => (
          <List.Item key={`s:${o.bucket}/${o.key}`}>
            {o.bucket}/{o.key}: left out ({o.reason === 'deleted' ? 'deleted after the listing' : 'changed again while taken a second time'})
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

function Summary({ entry }: { entry: StorageSnapshotDetails }) {
  if (entry.status !== 'ok') {
    return (
      <Alert
        role="alert"
        color={entry.status === 'cancelled' ? 'gray' : 'red'}
        variant="light"
        title={entry.status === 'cancelled' ? 'Cancelled: nothing was kept' : 'The storage backup failed: nothing was kept'}
      >
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {entry.error ?? 'No reason was recorded.'}
        </Text>
      </Alert>
    );
  }
  return (
    <Paper withBorder p="sm" component="section" aria-label="Storage backup result">
      <Stack gap={4}>
        <Text fw={600}>Snapshot written and verified</Text>
        <Text size="sm">
          {formatCount(entry.objects)} objects · {formatBytes(entry.bytes)} · {formatCount(entry.changedObjects)} downloaded (new or changed) ·{' '}
          {formatCount(entry.reusedObjects)} linked from the previous snapshot · {formatDuration(entry.durationMs)}
        </Text>
        <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
          {entry.path}
        </Text>
        <ChangedDuring entry={entry} />
      </Stack>
    </Paper>
  );
}

function Running({ job, onCancel, onNew }: { job: SnapshotJob; onCancel: () => void; onNew: () => void }) {
  if (job.startError) {
    return (
      <Stack gap="sm">
        <ErrorAlert title="The storage backup did not start" error={job.startError} />
        <Group>
          <Button variant="default" onClick={onNew}>
            Back
          </Button>
        </Group>
      </Stack>
    );
  }
  const view = describeSnapshotProgress(job.progress, job.result);
  const running = !job.result;
  return (
    <Stack gap="sm">
      <JobProgressPanel
        noun="storage backup"
        headline={view.headline}
        percent={view.percent}
        figures={[
          { label: 'Objects', value: view.objects },
          { label: 'Bytes', value: view.bytes },
          { label: 'ETA', value: running ? view.eta : '—' },
        ]}
        running={running}
        failed={Boolean(job.result && job.result.status !== 'ok')}
        canCancel={Boolean(job.id)}
        cancelling={job.cancelling}
        cancelError={job.cancelError}
        onCancel={onCancel}
        cancelText="The downloads stop and the unfinished snapshot folder is deleted; the catalog records the snapshot as cancelled."
      />
      {job.result ? <Summary entry={job.result} /> : null}
      {job.result ? (
        <Group>
          <Button variant="default" onClick={onNew}>
            Done
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

export function StorageBackupPanel({ profile, onFinished, onClose }: { profile: Profile; onFinished: () => void; onClose: () => void }) {
  const { job, start, cancel, reset } = useTrackedJob<StorageSnapshotDetails, null, StorageSnapshotProgress>(STORAGE_JOB_OPS, onFinished);
  const direct = useDirectSnapshot(onFinished);
  const [offsite, setOffsite] = useState(false);
  function run(buckets: string[], storageSecret: string | undefined, destination: string | null) {
    if (destination !== null) {
      setOffsite(true);
      void direct.start({ profileId: profile.id, buckets, destination, ...(storageSecret !== undefined ? { storageSecret } : {}) });
      return;
    }
    void start(async (jobId) => ({ id: await storageApi.start({ profileId: profile.id, buckets, jobId, storageSecret }), started: null }));
  }
  return (
    <Paper withBorder p="md" component="section" aria-label="Storage backup">
      <Stack gap="sm">
        <Title order={4} size="h5">
          Storage backup of {profile.name}
        </Title>
        {offsite ? (
          <DirectSnapshotView run={direct.run} cancelling={direct.cancelling} onCancel={direct.cancel} onDone={onClose} />
        ) : job ? (
          <Running
            job={job}
            onCancel={() => void cancel()}
            onNew={() => {
              reset();
              onClose();
            }}
          />
        ) : (
          <BucketPicker profile={profile} onRun={run} onClose={onClose} />
        )}
      </Stack>
    </Paper>
  );
}
