// A storage snapshot's offsite side, shown from the storage section: "Copy offsite" (a modal:
// pick a destination; only the objects the destination lacks are sent, each read back and
// checked, the manifest object last) and the snapshot's copies in its Details.
import { Alert, Badge, Button, Group, Modal, Select, Stack, Table, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { StorageSnapshotEntry } from '@contract/storage';
import { api } from '../../../shared/api/client';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { useRefreshedRead } from '../../../shared/components/jobs/useRefreshedRead';
import { formatBytes } from '../../../shared/format/numbers';
import { formatTime } from '../../../shared/format/time';
import { COPY_COLORS, CopyResultView } from './OffsiteSection';
import { CopyProgressView, useOffsiteCopy } from './useOffsiteCopy';

const readDestinations = async () => (await api.listOffsiteDestinations({})).destinations;

export function CopySnapshotOffsiteModal({ entry, name, onClose }: { entry: StorageSnapshotEntry | null; name: string; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <Modal opened={entry !== null} onClose={() => !busy && onClose()} size="lg" title={`Copy ${name} offsite`}>
      {/* Mounted while open only: the destinations are read when it opens (one may have just been added). */}
      {entry ? <CopySnapshotBody entry={entry} onBusy={setBusy} /> : null}
    </Modal>
  );
}

function CopySnapshotBody({ entry, onBusy }: { entry: StorageSnapshotEntry; onBusy: (busy: boolean) => void }) {
  const [refreshKey, setRefreshKey] = useState(0);
  const destinations = useRefreshedRead(readDestinations, refreshKey);
  const [destination, setDestination] = useState<string | null>(null);
  const run = useOffsiteCopy(() => setRefreshKey((k) => k + 1));
  useEffect(() => onBusy(run.busy), [run.busy, onBusy]);
  return (
    <Stack gap="sm">
      <Text size="sm">
        {entry.objects} objects · {formatBytes(entry.bytes)}. Only objects the destination does not hold yet are sent (they are stored by their sha256); each is
        read back and checked, and the snapshot&apos;s manifest is written last.
      </Text>
      {destinations.value && destinations.value.length === 0 ? (
        <Alert color="gray" variant="light">
          No offsite destination yet: add one under Offsite below.
        </Alert>
      ) : null}
      <Group align="flex-end">
        <Select
          label="Destination"
          data={(destinations.value ?? []).map((d) => ({ value: d.name, label: `${d.name}${d.encrypt ? ' · encrypted' : ''}` }))}
          value={destination}
          onChange={setDestination}
          w={260}
        />
        <Button onClick={() => void (destination && run.start(entry.id, destination))} disabled={!destination || run.busy} loading={run.busy}>
          Copy offsite
        </Button>
      </Group>
      {run.busy ? <CopyProgressView progress={run.progress} onCancel={run.cancel} /> : null}
      {run.result ? <CopyResultView result={run.result} /> : null}
      {run.result && run.result.kind === 'storage' && !run.result.alreadyThere ? (
        <Text size="sm" role="status">
          {run.result.uploadedObjects ?? 0} of {run.result.objects ?? 0} objects sent; the rest were on {run.result.destination} already.
        </Text>
      ) : null}
      {run.error ? <ErrorAlert title="The offsite copy failed" error={run.error} onClose={run.clearError} /> : null}
    </Stack>
  );
}

/** The snapshot's offsite copies (Details). */
export function SnapshotCopies({ snapshotId }: { snapshotId: string }) {
  const read = useCallback(async () => (await api.listBackupCopies({ backupId: snapshotId })).copies, [snapshotId]);
  const copies = useRefreshedRead(read, 0);
  if (copies.error) return <ErrorAlert title="The offsite copies could not be read" error={copies.error} />;
  if (!copies.value) return null;
  if (copies.value.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No offsite copy of this snapshot.
      </Text>
    );
  return (
    <Table withTableBorder striped aria-label="Offsite copies of this snapshot" verticalSpacing={4}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Destination</Table.Th>
          <Table.Th ta="right">Stored</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Verified</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {copies.value.map((c) => (
          <Table.Tr key={c.id} title={c.key}>
            <Table.Td>
              {c.destination}
              {c.encrypted ? ' · encrypted' : ''}
            </Table.Td>
            <Table.Td ta="right">{formatBytes(c.bytes)}</Table.Td>
            <Table.Td>
              <Badge color={COPY_COLORS[c.status]} variant="light">
                {c.status.toUpperCase()}
              </Badge>
            </Table.Td>
            <Table.Td>{c.verifiedAt ? formatTime(c.verifiedAt) : (c.error ?? '—')}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
