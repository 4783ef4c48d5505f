// Storage snapshots on the Backups screen (issue #18): the Supabase Storage buckets of a
// profile copied into local snapshot folders. The list (profile, when, buckets, objects,
// bytes, changed, status, verified) follows the catalog's profile filter; "Storage backup"
// runs one for the active profile; per row Verify (every object file hashed again against
// the manifest), Details, Restore… (into any profile's buckets), Copy offsite, Show in folder
// and Delete. A snapshot whose folder is not on this computer (written straight offsite) is
// marked "offsite only": Restore… fetches it back first; Verify, Copy offsite and Show in
// folder, which read the folder, are not offered.
import { Alert, Badge, Button, Group, List, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { Fragment, useCallback, useState } from 'react';
import type { Profile } from '@contract/models';
import type { StorageSnapshotEntry, StorageVerifyResult } from '@contract/storage';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { useRefreshedRead } from '../../../shared/components/jobs/useRefreshedRead';
import { toShownError, type ShownError } from '../../../shared/state/errors';
import { formatBytes, formatCount } from '../../../shared/format/numbers';
import { formatTime } from '../../../shared/format/time';
import { bucketsText, emptyStateText, SNAPSHOT_STATUS_COLORS, SNAPSHOT_STATUS_LABELS, snapshotName, snapshotVerificationText } from './storage-model';
import { storageApi } from './storage-api';
import { StorageBackupPanel } from './StorageBackupPanel';
import { DeleteSnapshotModal, SnapshotDetailsModal } from './StorageSnapshotDialogs';
import { CrossCheckModal } from './CrossCheckModal';
import { StorageRestoreDialog } from './StorageRestoreDialog';
import { CopySnapshotOffsiteModal } from '../offsite/SnapshotOffsite';

const COLUMNS = 9;
const NOWRAP = { whiteSpace: 'nowrap' } as const;

type VerifyState = { running: true } | { running: false; result: StorageVerifyResult | null; error: ShownError | null };

function VerifyRow({ name, state, onDismiss }: { name: string; state: VerifyState; onDismiss: () => void }) {
  return (
    <Table.Tr>
      <Table.Td colSpan={COLUMNS}>
        <section aria-label={`Verification of ${name}`}>
          {state.running ? (
            <Group gap="xs">
              <Loader size="xs" />
              <Text size="sm">Verifying {name}: hashing every object file against the manifest…</Text>
            </Group>
          ) : state.error ? (
            <ErrorAlert title={`Verification of ${name} could not run`} error={state.error} onClose={onDismiss} />
          ) : state.result ? (
            <Alert
              color={state.result.ok ? 'green' : 'red'}
              variant="light"
              title={state.result.ok ? `Verification OK: ${name} (${formatCount(state.result.objects)} objects)` : `Verification FAILED: ${name}`}
              withCloseButton
              closeButtonLabel="Hide the verification"
              onClose={onDismiss}
            >
              {state.result.problems.length > 0 ? (
                <List size="sm" spacing={2}>
                  {state.result.problems.slice(0, 50).map((p) => (
                    <List.Item key={`${p.bucket}/${p.key}`}>
                      {p.bucket}/{p.key}: {p.problem === 'missing' ? 'file missing' : p.problem === 'size' ? 'another size' : 'another sha256'}
                    </List.Item>
                  ))}
                </List>
              ) : null}
            </Alert>
          ) : null}
        </section>
      </Table.Td>
    </Table.Tr>
  );
}

export interface StorageSnapshotsSectionProps {
  active: Profile | null;
  /** The catalog's filter: a profile id, or null for all profiles. */
  profileId: string | null;
  onAddConnection: () => void;
}

export function StorageSnapshotsSection({ active, profileId, onAddConnection }: StorageSnapshotsSectionProps) {
  const [refreshKey, setRefreshKey] = useState(0);
  const read = useCallback(() => storageApi.list(profileId), [profileId]);
  const { value: snapshots, error, reload } = useRefreshedRead(read, refreshKey);
  const [running, setRunning] = useState(false);
  const [details, setDetails] = useState<StorageSnapshotEntry | null>(null);
  const [deleting, setDeleting] = useState<StorageSnapshotEntry | null>(null);
  const [restoring, setRestoring] = useState<StorageSnapshotEntry | null>(null);
  const [copying, setCopying] = useState<StorageSnapshotEntry | null>(null);
  const [verifications, setVerifications] = useState<Record<string, VerifyState>>({});
  const [note, setNote] = useState<string | null>(null);
  const [checking, setChecking] = useState<Profile | null>(null);
  const connected = active ? active.storage !== null : null;

  async function verify(id: string) {
    setVerifications((all) => ({ ...all, [id]: { running: true } }));
    try {
      const result = await storageApi.verify(id);
      setVerifications((all) => ({ ...all, [id]: { running: false, result, error: null } }));
    } catch (err) {
      setVerifications((all) => ({ ...all, [id]: { running: false, result: null, error: toShownError(err) } }));
    }
    await reload();
  }
  async function reveal(entry: StorageSnapshotEntry) {
    try {
      const answer = await storageApi.reveal(entry.id);
      setNote(answer.revealed ? null : `No file manager could be opened from here. The snapshot is at ${answer.path}`);
    } catch (err) {
      setNote(toShownError(err).message);
    }
  }
  function dismiss(id: string) {
    setVerifications((all) => {
      const { [id]: _gone, ...rest } = all;
      return rest;
    });
  }

  return (
    <Paper withBorder p="md" component="section" aria-label="Storage snapshots">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end">
          <Title order={3} size="h4">
            Storage snapshots
          </Title>
          <Group gap="xs">
            <Button onClick={() => setRunning(true)} disabled={!active || !connected || running}>
              Storage backup
            </Button>
            <Button variant="default" onClick={() => setChecking(active)} disabled={!active || !connected}>
              Cross-check
            </Button>
            <Button variant="default" onClick={() => void reload()}>
              Refresh
            </Button>
          </Group>
        </Group>
        {running && active ? <StorageBackupPanel profile={active} onFinished={() => setRefreshKey((k) => k + 1)} onClose={() => setRunning(false)} /> : null}
        {error ? <ErrorAlert title="The storage snapshots could not be read" error={error} /> : null}
        {note ? (
          <Alert color="gray" variant="light" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNote(null)}>
            {note}
          </Alert>
        ) : null}
        {snapshots === null && !error ? <Loader size="sm" aria-label="Loading the storage snapshots" /> : null}
        {snapshots !== null && snapshots.length === 0 ? (
          <Stack gap={4} align="flex-start">
            <Text size="sm" c="dimmed">
              {emptyStateText(connected, active?.name ?? null)}
            </Text>
            {connected === false ? (
              <Button size="xs" variant="light" onClick={onAddConnection}>
                Add a storage connection
              </Button>
            ) : null}
          </Stack>
        ) : null}
        {snapshots !== null && snapshots.length > 0 ? (
          <Table striped highlightOnHover withTableBorder aria-label="Storage snapshot list" verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Profile</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th>Buckets</Table.Th>
                <Table.Th ta="right">Objects</Table.Th>
                <Table.Th ta="right">Bytes</Table.Th>
                <Table.Th ta="right">Changed</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Verified</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {snapshots.map((entry) => {
                const name = snapshotName(entry);
                const verification = verifications[entry.id];
                return (
                  <Fragment key={entry.id}>
                    <Table.Tr aria-label={`Storage snapshot ${name}`}>
                      <Table.Td>{entry.profileName}</Table.Td>
                      <Table.Td style={NOWRAP} title={entry.path}>
                        {formatTime(entry.startedAt)}
                      </Table.Td>
                      <Table.Td title={entry.buckets.join(', ')}>{bucketsText(entry.buckets)}</Table.Td>
                      <Table.Td ta="right">{formatCount(entry.objects)}</Table.Td>
                      <Table.Td ta="right" style={NOWRAP}>
                        {formatBytes(entry.bytes)}
                      </Table.Td>
                      <Table.Td ta="right">{formatCount(entry.changedObjects)}</Table.Td>
                      <Table.Td>
                        <Badge
                          color={SNAPSHOT_STATUS_COLORS[entry.status]}
                          variant={entry.status === 'ok' ? 'light' : 'filled'}
                          aria-label={`Status: ${SNAPSHOT_STATUS_LABELS[entry.status]}`}
                        >
                          {SNAPSHOT_STATUS_LABELS[entry.status]}
                        </Badge>
                        {entry.folderGone ? (
                          <Badge
                            ml={4}
                            color="grape"
                            variant="light"
                            aria-label="Lives only offsite"
                            title="Its folder is not on this computer: Restore… fetches it from offsite"
                          >
                            offsite only
                          </Badge>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{snapshotVerificationText(entry)}</Table.Td>
                      <Table.Td>
                        <Group gap={4} wrap="wrap">
                          {entry.folderGone ? null : (
                            <Button
                              size="compact-xs"
                              variant="light"
                              onClick={() => void verify(entry.id)}
                              disabled={entry.status !== 'ok' || verification?.running === true}
                              aria-label={`Verify ${name}`}
                            >
                              Verify
                            </Button>
                          )}
                          <Button size="compact-xs" variant="subtle" onClick={() => setDetails(entry)} aria-label={`Details of ${name}`}>
                            Details
                          </Button>
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            onClick={() => setRestoring(entry)}
                            disabled={entry.status !== 'ok'}
                            aria-label={`Restore ${name}`}
                          >
                            Restore…
                          </Button>
                          {entry.folderGone ? null : (
                            <>
                              <Button
                                size="compact-xs"
                                variant="subtle"
                                onClick={() => setCopying(entry)}
                                disabled={entry.status !== 'ok'}
                                aria-label={`Copy ${name} offsite`}
                              >
                                Copy offsite
                              </Button>
                              <Button
                                size="compact-xs"
                                variant="subtle"
                                onClick={() => void reveal(entry)}
                                disabled={entry.status !== 'ok'}
                                aria-label={`Show ${name} in its folder`}
                              >
                                Show in folder
                              </Button>
                            </>
                          )}
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            color="red"
                            onClick={() => setDeleting(entry)}
                            disabled={entry.status === 'running'}
                            aria-label={`Delete ${name}`}
                          >
                            Delete
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                    {verification ? <VerifyRow name={name} state={verification} onDismiss={() => dismiss(entry.id)} /> : null}
                  </Fragment>
                );
              })}
            </Table.Tbody>
          </Table>
        ) : null}
      </Stack>
      <CrossCheckModal profile={checking} onClose={() => setChecking(null)} />
      <SnapshotDetailsModal entry={details} onClose={() => setDetails(null)} />
      <StorageRestoreDialog entry={restoring} onClose={() => setRestoring(null)} />
      <CopySnapshotOffsiteModal entry={copying} name={copying ? snapshotName(copying) : ''} onClose={() => setCopying(null)} />
      <DeleteSnapshotModal
        entry={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={() => {
          setDeleting(null);
          void reload();
        }}
      />
    </Paper>
  );
}
