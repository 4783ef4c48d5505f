// The snapshot rows' dialogs. Details: the manifest summed per bucket (objects, bytes,
// changed during the snapshot, linked from the previous one, left out). Delete: the folder
// that goes, confirmed by typing its name (objects linked into newer snapshots stay there:
// a hard link's data lives while any snapshot still names it).
import { Alert, Button, Code, Group, Loader, Modal, Stack, Table, Text, TextInput } from '@mantine/core';
import { SnapshotCopies } from '../offsite/SnapshotOffsite';
import { useEffect, useState } from 'react';
import type { StorageManifest, StorageSnapshotEntry } from '@contract/storage';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../../shared/state/errors';
import { formatBytes, formatCount } from '../../../shared/format/numbers';
import { formatDuration, formatTime } from '../../../shared/format/time';
import { bucketSummaries, SNAPSHOT_STATUS_LABELS, snapshotName } from './storage-model';
import { storageApi } from './storage-api';

function ManifestSummary({ id }: { id: string }) {
  const [manifest, setManifest] = useState<StorageManifest | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  useEffect(() => {
    let live = true;
    storageApi.manifest(id).then(
      (m) => live && setManifest(m),
      (err: unknown) => live && setError(toShownError(err)),
    );
    return () => {
      live = false;
    };
  }, [id]);
  if (error) return <ErrorAlert title="The manifest could not be read" error={error} />;
  if (!manifest) return <Loader size="sm" aria-label="Reading the manifest" />;
  return (
    <Table striped withTableBorder aria-label="Buckets in the snapshot" verticalSpacing={4}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Bucket</Table.Th>
          <Table.Th ta="right">Objects</Table.Th>
          <Table.Th ta="right">Bytes</Table.Th>
          <Table.Th ta="right">Linked</Table.Th>
          <Table.Th ta="right">Changed during</Table.Th>
          <Table.Th ta="right">Left out</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {bucketSummaries(manifest).map((b) => (
          <Table.Tr key={b.bucket}>
            <Table.Td>{b.bucket}</Table.Td>
            <Table.Td ta="right">{formatCount(b.objects)}</Table.Td>
            <Table.Td ta="right">{formatBytes(b.bytes)}</Table.Td>
            <Table.Td ta="right">{formatCount(b.reused)}</Table.Td>
            <Table.Td ta="right">{formatCount(b.changedDuring)}</Table.Td>
            <Table.Td ta="right">{formatCount(b.skipped)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function SnapshotDetailsModal({ entry, onClose }: { entry: StorageSnapshotEntry | null; onClose: () => void }) {
  return (
    <Modal opened={entry !== null} onClose={onClose} size="xl" title={entry ? `Storage snapshot ${snapshotName(entry)}` : ''}>
      {entry ? (
        <Stack gap="sm">
          <Text size="sm">
            {entry.profileName} · {SNAPSHOT_STATUS_LABELS[entry.status]} · {formatTime(entry.startedAt)} · {formatDuration(entry.durationMs)}
          </Text>
          <Code style={{ wordBreak: 'break-all' }}>{entry.path}</Code>
          {entry.manifestSha256 ? (
            <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
              manifest sha256 {entry.manifestSha256}
            </Text>
          ) : null}
          {entry.error ? (
            <Alert color="red" variant="light" title="Error">
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {entry.error}
              </Text>
            </Alert>
          ) : null}
          {entry.status === 'ok' ? (
            <>
              <ManifestSummary id={entry.id} />
              <Text fw={600} size="sm">
                Offsite copies
              </Text>
              <SnapshotCopies snapshotId={entry.id} />
            </>
          ) : (
            <Text size="sm" c="dimmed">
              No manifest: only a finished, verified snapshot has one.
            </Text>
          )}
        </Stack>
      ) : null}
    </Modal>
  );
}

export function DeleteSnapshotModal({ entry, onClose, onDeleted }: { entry: StorageSnapshotEntry | null; onClose: () => void; onDeleted: () => void }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const name = entry ? snapshotName(entry) : '';
  function close() {
    setTyped('');
    setError(null);
    onClose();
  }
  async function remove() {
    if (!entry) return;
    setBusy(true);
    setError(null);
    try {
      await storageApi.remove(entry.id, typed);
      setTyped('');
      onDeleted();
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal opened={entry !== null} onClose={close} title="Delete this storage snapshot?">
      {entry ? (
        <Stack gap="sm">
          <Text size="sm">
            This folder is deleted from disk (manifest and object files), and the snapshot leaves the catalog (the audit trail keeps its record):
          </Text>
          <Code style={{ wordBreak: 'break-all' }}>{entry.path}</Code>
          <Text size="sm">
            {entry.profileName} · {formatCount(entry.objects)} objects · {formatBytes(entry.bytes)} · {formatTime(entry.startedAt)}
          </Text>
          <Text size="xs" c="dimmed">
            Newer snapshots that linked these objects keep their own links: they stay complete.
          </Text>
          <TextInput
            label={`Type the folder name (${name}) to confirm`}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            spellCheck={false}
            data-autofocus
          />
          {error ? <ErrorAlert title="The snapshot was not deleted" error={error} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep it
            </Button>
            <Button color="red" onClick={() => void remove()} disabled={typed !== name} loading={busy}>
              Delete snapshot
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
