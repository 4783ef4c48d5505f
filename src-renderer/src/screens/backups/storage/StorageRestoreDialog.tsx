// "Restore…" of a storage snapshot (issue #18): into the buckets of any profile with a storage
// connection, either all into one bucket or each object into its own bucket's name; the whole
// snapshot or the buckets, folders and objects chosen from its manifest (RestoreChooser). The
// preview (HEADs only) comes first and counts what would be created, overwritten or left
// unchanged; a production target needs its profile name typed. The restore is a job: its
// progress (check, upload, read back) shows with a Cancel button; a failure or a cancel says
// which objects were already written; the result lists the validation checks (every restored
// object read back: present, size, sha256). A snapshot that lives only offsite is fetched
// back (verified) first (StorageOffsiteFetch.tsx).
import { Alert, Button, Group, List, Loader, Modal, Paper, PasswordInput, Progress, Select, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { StorageRestorePreview, StorageRestoreProgressEvent, StorageRestoreResult, StorageSnapshotEntry } from '@contract/storage';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { useAppState } from '../../../shared/state/app-state';
import { toShownError, type ShownError } from '../../../shared/state/errors';
import { formatBytes, formatCount } from '../../../shared/format/numbers';
import { formatDuration } from '../../../shared/format/time';
import { randomId } from '../../../shared/ids';
import { snapshotName } from './storage-model';
import { storageApi } from './storage-api';
import { RestoreChooser } from './RestoreChooser';
import { choosable, requestOf, type Choosable } from './restore-choice';
import { FetchFromOffsite, useSnapshotFetch } from './StorageOffsiteFetch';

const PHASE_LABEL = { check: 'Checking the snapshot files', upload: 'Uploading', verify: 'Reading back' } as const;

function ProgressView({ progress, onCancel, cancelling }: { progress: StorageRestoreProgressEvent | null; onCancel: () => void; cancelling: boolean }) {
  const pct = progress && progress.bytesTotal > 0 ? (100 * progress.bytesDone) / progress.bytesTotal : progress && progress.objectsTotal === 0 ? 100 : 0;
  return (
    <Paper withBorder p="sm" component="section" aria-label="Restore progress">
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm" fw={600} role="status">
            {progress ? `${PHASE_LABEL[progress.phase]}: ${formatCount(progress.objectsDone)} of ${formatCount(progress.objectsTotal)} objects` : 'Starting…'}
          </Text>
          <Button size="xs" variant="default" color="red" onClick={onCancel} loading={cancelling}>
            Cancel restore
          </Button>
        </Group>
        <Progress value={pct} aria-label="Restore progress" animated />
        <Text size="xs" c="dimmed">
          {progress ? `${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}` : ''}
          {progress && progress.etaSeconds ? ` · about ${formatDuration(progress.etaSeconds * 1000)} left in this step` : ''}
        </Text>
      </Stack>
    </Paper>
  );
}

function PreviewView({ preview }: { preview: StorageRestorePreview }) {
  const more = preview.overwrite - preview.overwritten.length;
  return (
    <Paper withBorder p="sm" component="section" aria-label="Restore preview">
      <Stack gap={4}>
        <Text fw={600}>
          Into {preview.target}: {preview.bucket ? `bucket ${preview.bucket}` : preview.buckets.join(', ') || 'no bucket'}
        </Text>
        <Text size="sm">
          {formatCount(preview.objects)} objects: {formatCount(preview.create)} to create · {formatCount(preview.overwrite)} to overwrite ·{' '}
          {formatCount(preview.unchanged)} unchanged · {formatBytes(preview.bytes)} to upload
        </Text>
        {preview.overwritten.length > 0 ? (
          <Alert color="yellow" variant="light" title={`${formatCount(preview.overwrite)} objects will be overwritten`}>
            <List size="sm" spacing={2} aria-label="Overwritten objects">
              {preview.overwritten.map((key) => (
                <List.Item key={key}>{key}</List.Item>
              ))}
            </List>
            {more > 0 ? (
              <Text size="xs" c="dimmed" mt={4}>
                and {formatCount(more)} more
              </Text>
            ) : null}
          </Alert>
        ) : null}
        {preview.refused > 0 ? (
          <Alert color="red" variant="light" title={`${formatCount(preview.refused)} objects will not be uploaded: the target refuses them`}>
            <Text size="xs" mb={4}>
              The restore uploads the others, then fails its validation naming these. For a size or type, change the bucket&apos;s settings (Storage → the
              bucket → Edit) and restore them again; a key Supabase cannot hold has to go to another store.
            </Text>
            <List size="sm" spacing={2} aria-label="Refused objects">
              {preview.refusedObjects.map((key) => (
                <List.Item key={key}>{key}</List.Item>
              ))}
            </List>
            {preview.refused > preview.refusedObjects.length ? (
              <Text size="xs" c="dimmed" mt={4}>
                and {formatCount(preview.refused - preview.refusedObjects.length)} more
              </Text>
            ) : null}
          </Alert>
        ) : null}
        {preview.skipped > 0 ? (
          <Alert color="gray" variant="light" title={`${formatCount(preview.skipped)} objects left out, nothing lost`}>
            <List size="sm" spacing={2} aria-label="Skipped objects">
              {preview.skippedObjects.map((key) => (
                <List.Item key={key}>{key}</List.Item>
              ))}
            </List>
          </Alert>
        ) : null}
        {preview.rulesNote ? (
          <Text size="xs" c="dimmed">
            Note: {preview.rulesNote}
          </Text>
        ) : null}
      </Stack>
    </Paper>
  );
}

function ResultView({ result }: { result: StorageRestoreResult }) {
  return (
    <Paper withBorder p="sm" component="section" aria-label="Restore result">
      <Stack gap={4}>
        <Text fw={600} c={result.ok ? 'green' : 'red'}>
          {result.ok ? 'Restored and validated' : 'Restored, but the validation FAILED'}
        </Text>
        <Text size="sm">
          {formatCount(result.created)} created · {formatCount(result.overwritten)} overwritten · {formatCount(result.unchanged)} unchanged ·{' '}
          {result.refused > 0 ? `${formatCount(result.refused)} refused by the target · ` : ''}
          {result.skipped > 0 ? `${formatCount(result.skipped)} skipped · ` : ''}
          {formatBytes(result.bytes)} uploaded · {formatDuration(result.durationMs)}
        </Text>
        <List size="sm" spacing={2} aria-label="Validation checks">
          {result.validation.checks.map((check) => (
            <List.Item key={check.name}>
              <Text span size="sm" fw={600} c={check.ok ? 'green' : 'red'}>
                {check.ok ? 'OK' : 'FAILED'}
              </Text>{' '}
              {check.name}: {check.detail}
            </List.Item>
          ))}
        </List>
      </Stack>
    </Paper>
  );
}

export function StorageRestoreDialog({ entry, onClose }: { entry: StorageSnapshotEntry | null; onClose: () => void }) {
  const { profiles } = useAppState();
  const [targetId, setTargetId] = useState<string | null>(null);
  const [bucket, setBucket] = useState('');
  const [secret, setSecret] = useState('');
  const [typed, setTyped] = useState('');
  const [preview, setPreview] = useState<StorageRestorePreview | null>(null);
  const [result, setResult] = useState<StorageRestoreResult | null>(null);
  const [busy, setBusy] = useState<'preview' | 'restore' | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [objects, setObjects] = useState<Choosable[] | null>(null);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [jobId, setJobId] = useState<string | null>(null);
  const [progress, setProgress] = useState<StorageRestoreProgressEvent | null>(null);
  const [cancelling, setCancelling] = useState(false);

  const fetch = useSnapshotFetch(entry);
  // The manifest lists what can be chosen; everything is chosen at first (the whole snapshot).
  // An offsite-only snapshot's manifest is read once it has been fetched.
  const entryId = entry?.id ?? null;
  const readable = fetch.ready;
  useEffect(() => {
    if (entryId === null || !readable) return;
    let live = true;
    setObjects(null);
    storageApi.manifest(entryId).then(
      (m) => {
        if (!live) return;
        const all = choosable(m);
        setObjects(all);
        setChosen(new Set(all.map((o) => o.id)));
      },
      (err: unknown) => live && setError(toShownError(err)),
    );
    return () => {
      live = false;
    };
  }, [entryId, readable]);
  const choice = useMemo(() => (objects ? requestOf(objects, chosen) : null), [objects, chosen]);

  // The snapshot's own profile is the default target when it still has a connection.
  const fallback = entry && profiles.some((p) => p.id === entry.profileId && p.storage) ? entry.profileId : null;
  const target = profiles.find((p) => p.id === (targetId ?? fallback)) ?? null;
  const asking = target !== null && !target.hasStorageSecret;
  const production = target?.env === 'production';
  const confirmed = !production || typed === target?.name;
  const canPreview = target !== null && choice !== null && (!asking || secret !== '') && busy === null && result === null;
  const canRestore = preview !== null && confirmed && busy === null && result === null;

  // Any change to what is restored where makes the preview stale: it is asked again.
  function changed() {
    setPreview(null);
    setTyped('');
    setError(null);
  }
  function close() {
    setTargetId(null);
    setBucket('');
    setSecret('');
    setResult(null);
    setBusy(null);
    setObjects(null);
    setProgress(null);
    changed();
    onClose();
  }
  function request() {
    if (!entry || !target || !choice) throw new Error('no target');
    return { snapshotId: entry.id, targetProfileId: target.id, bucket, ...(asking ? { storageSecret: secret } : {}), ...choice };
  }
  async function runPreview() {
    setBusy('preview');
    setError(null);
    try {
      setPreview(await storageApi.previewRestore(request()));
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(null);
    }
  }
  async function runRestore() {
    const id = randomId();
    setBusy('restore');
    setError(null);
    setProgress(null);
    setCancelling(false);
    setJobId(id);
    try {
      setResult(await storageApi.restore({ ...request(), jobId: id, ...(production ? { confirmName: typed } : {}) }, setProgress));
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(null);
      setJobId(null);
    }
  }
  function cancelRestore() {
    if (jobId === null) return;
    setCancelling(true);
    storageApi.cancelRestore(jobId).catch((err: unknown) => setError(toShownError(err)));
  }
  // Enter does the next step: the preview first, then the restore once it is allowed.
  function submit(event: FormEvent) {
    event.preventDefault();
    if (canRestore) void runRestore();
    else if (canPreview && preview === null) void runPreview();
  }

  return (
    <Modal
      opened={entry !== null}
      onClose={busy === 'restore' ? () => undefined : close}
      closeOnClickOutside={busy !== 'restore'}
      size="lg"
      title={entry ? `Restore storage snapshot ${snapshotName(entry)}` : ''}
    >
      {entry ? (
        <form onSubmit={submit}>
          <Stack gap="sm">
            <Text size="sm">
              {entry.profileName} · {formatCount(entry.objects)} objects · {formatBytes(entry.bytes)} · buckets {entry.buckets.join(', ') || '—'}
            </Text>
            <Select
              label="Target profile"
              description="Only profiles with a storage connection can be restored into (add one in Profiles)."
              data={profiles.map((p) => ({
                value: p.id,
                label: p.storage ? `${p.name} (${p.env})` : `${p.name}: no storage connection`,
                disabled: !p.storage,
              }))}
              value={target?.id ?? null}
              onChange={(value) => {
                setTargetId(value);
                setSecret('');
                changed();
              }}
              allowDeselect={false}
              disabled={result !== null}
              data-autofocus
            />
            <TextInput
              label="Target bucket"
              description="Optional. Empty: each object goes back into a bucket of its own bucket's name (which must exist)."
              value={bucket}
              onChange={(e) => {
                setBucket(e.currentTarget.value);
                changed();
              }}
              autoComplete="off"
              spellCheck={false}
              disabled={result !== null}
            />
            {asking ? (
              <PasswordInput
                label="Secret access key"
                description={`Not saved for ${target?.name ?? 'this profile'}: used for this restore only`}
                value={secret}
                onChange={(e) => {
                  setSecret(e.currentTarget.value);
                  changed();
                }}
                autoComplete="off"
                disabled={result !== null}
              />
            ) : null}
            {fetch.needed ? <FetchFromOffsite fetch={fetch} /> : null}
            {!readable ? null : objects ? (
              <RestoreChooser
                objects={objects}
                chosen={chosen}
                onChange={(next) => {
                  setChosen(next);
                  changed();
                }}
                disabled={busy !== null || result !== null}
              />
            ) : error === null ? (
              <Group gap="xs">
                <Loader size="xs" />
                <Text size="sm" c="dimmed">
                  Reading the snapshot&apos;s manifest…
                </Text>
              </Group>
            ) : null}
            {preview ? <PreviewView preview={preview} /> : null}
            {preview && production && result === null ? (
              <TextInput
                label={`${target?.name ?? ''} is production: type its name (${target?.name ?? ''}) to confirm`}
                value={typed}
                onChange={(e) => setTyped(e.currentTarget.value)}
                autoComplete="off"
                spellCheck={false}
              />
            ) : null}
            {busy === 'restore' ? <ProgressView progress={progress} onCancel={cancelRestore} cancelling={cancelling} /> : null}
            {error ? <ErrorAlert title={preview ? 'The restore failed' : 'The preview failed'} error={error} onClose={() => setError(null)} /> : null}
            {result ? <ResultView result={result} /> : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={close} disabled={busy === 'restore'}>
                {result ? 'Close' : 'Cancel'}
              </Button>
              {result === null ? (
                <>
                  {/* Enter submits to the first enabled submit button: Preview until there is one, then Restore. */}
                  <Button
                    variant="light"
                    type={preview ? 'button' : 'submit'}
                    onClick={preview ? () => void runPreview() : undefined}
                    disabled={!canPreview}
                    loading={busy === 'preview'}
                  >
                    Preview
                  </Button>
                  <Button type="submit" color={production ? 'red' : undefined} disabled={!canRestore} loading={busy === 'restore'}>
                    Restore
                  </Button>
                </>
              ) : null}
            </Group>
          </Stack>
        </form>
      ) : null}
    </Modal>
  );
}
