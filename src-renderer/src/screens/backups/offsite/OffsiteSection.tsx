// Offsite on the Backups screen: the destinations, "Copy offsite" (a verified backup → a
// destination: multipart upload, then the object read back and its sha256 compared with the
// catalog's) and the copies already made, each with its destination and verification.
// copyBackupOffsite answers when the copy is verified; meanwhile its `offsite.progress` events
// (by the jobId we pass) drive a progress bar with bytes and ETA, and Cancel aborts the upload.
import { Alert, Badge, Button, Code, Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { BackupEntry } from '@contract/backup';
import type { BackupCopy, CopyResult } from '@contract/offsite';
import { api } from '../../../shared/api/client';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { useRefreshedRead } from '../../../shared/components/jobs/useRefreshedRead';
import { formatBytes } from '../../../shared/format/numbers';
import { formatDuration, formatTime } from '../../../shared/format/time';
import { DestinationsPanel } from './DestinationsPanel';
import { CopyProgressView, useOffsiteCopy } from './useOffsiteCopy';

const readDestinations = async () => (await api.listOffsiteDestinations({})).destinations;
const readCopies = async () => (await api.listBackupCopies({})).copies;

function backupLabel(b: BackupEntry): string {
  const file = b.path.split(/[\\/]/).filter(Boolean).pop() ?? b.path;
  return `${b.profileName} · ${formatTime(b.startedAt)} · ${formatBytes(b.bytes)} · ${file}`;
}

export const COPY_COLORS: Record<BackupCopy['status'], string> = { ok: 'green', failed: 'red', cancelled: 'gray', running: 'blue', deleted: 'gray' };

export function CopyResultView({ result }: { result: CopyResult }) {
  return (
    <Alert
      color="green"
      variant="light"
      title={result.alreadyThere ? 'Already there: the same copy was found, nothing uploaded' : 'Copied offsite and verified'}
      role="status"
    >
      <Stack gap={2}>
        <Text size="sm">
          {formatBytes(result.bytes)} to {result.destination} in {formatDuration(result.durationMs)}
          {result.encrypted ? ` · encrypted (key ${result.keyId ?? '?'})` : ''} · {result.verified ? 'sha256 read back and matched' : 'not verified'}
        </Text>
        <Code style={{ wordBreak: 'break-all' }}>{result.key}</Code>
      </Stack>
    </Alert>
  );
}

/** `refreshKey` changes when a backup finished on the screen: it joins the choices. */
export function OffsiteSection({ profileId, refreshKey: outerKey }: { profileId: string | null; refreshKey: number }) {
  const [localKey, setRefreshKey] = useState(0);
  const refreshKey = localKey + outerKey;
  const refresh = useCallback(() => setRefreshKey((k) => k + 1), []);
  const destinations = useRefreshedRead(readDestinations, refreshKey);
  const copies = useRefreshedRead(readCopies, refreshKey);
  const readBackups = useCallback(
    async () => (await api.listBackups(profileId ? { profileId, limit: 200 } : { limit: 200 })).backups.filter((b) => b.status === 'ok'),
    [profileId],
  );
  const backups = useRefreshedRead(readBackups, refreshKey);
  const [backupId, setBackupId] = useState<string | null>(null);
  const [destination, setDestination] = useState<string | null>(null);
  const run = useOffsiteCopy(refresh);
  const { busy, result, error, progress } = run;

  const backupName = new Map((backups.value ?? []).map((b) => [b.id, backupLabel(b)]));
  return (
    <Stack gap="md">
      <DestinationsPanel destinations={destinations.value} error={destinations.error} onChanged={refresh} />
      <Paper withBorder p="md" component="section" aria-label="Copy offsite">
        <Stack gap="sm">
          <Title order={3} size="h4">
            Copy offsite
          </Title>
          <Group align="flex-end">
            <Select
              label="Backup (verified)"
              data={(backups.value ?? []).map((b) => ({ value: b.id, label: backupLabel(b) }))}
              value={backupId}
              onChange={setBackupId}
              w={520}
              searchable
              nothingFoundMessage="No verified backup"
            />
            <Select
              label="Destination"
              data={(destinations.value ?? []).map((d) => ({ value: d.name, label: d.name }))}
              value={destination}
              onChange={setDestination}
              w={220}
            />
            <Button onClick={() => void (backupId && destination && run.start(backupId, destination))} disabled={!backupId || !destination} loading={busy}>
              Copy offsite
            </Button>
          </Group>
          {busy ? <CopyProgressView progress={progress} onCancel={run.cancel} /> : null}
          {result ? <CopyResultView result={result} /> : null}
          {error ? <ErrorAlert title="The offsite copy failed" error={error} onClose={run.clearError} /> : null}
          {copies.error ? <ErrorAlert title="The copies could not be read" error={copies.error} /> : null}
          {copies.value && copies.value.length > 0 ? (
            <Table withTableBorder striped aria-label="Offsite copies" verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Backup</Table.Th>
                  <Table.Th>Destination</Table.Th>
                  <Table.Th ta="right">Bytes</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Verified</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {copies.value.map((c) => (
                  <Table.Tr key={c.id} aria-label={`Copy ${c.key}`}>
                    <Table.Td title={c.key}>
                      {backupName.get(c.backupId) ??
                        (c.kind === 'storage'
                          ? `storage snapshot · ${
                              c.key
                                .split('/')
                                .pop()
                                ?.replace(/\.manifest\.json$/, '') ?? c.backupId
                            }`
                          : c.backupId)}
                    </Table.Td>
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
                    <Table.Td>{c.verifiedAt ? formatTime(c.verifiedAt) : c.error ? c.error : '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : null}
        </Stack>
      </Paper>
    </Stack>
  );
}
