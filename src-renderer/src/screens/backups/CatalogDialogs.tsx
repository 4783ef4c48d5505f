// The catalog's two dialogs. Details: the manifest written beside the backup (versions,
// options, checksum, row counts per table flagged exact or estimated, object counts), or
// for a failed attempt its error and command. Delete: what goes (the backup and its
// manifest), confirmed by typing the file name, which the core checks again.
import { Alert, Badge, Button, Code, Group, Modal, ScrollArea, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { BackupEntry, BackupManifest } from '@contract/backup';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatCount, formatBytes } from '../../shared/format/numbers';
import { formatDuration, formatTime } from '../../shared/format/time';
import { FORMAT_LABELS, KIND_LABELS } from '../../shared/labels/backup';
import { fileNameOf, manifestPathOf, rowCountSummary, STATUS_LABELS } from './backup-wizard-model';
import { shortVersion } from '../../shared/client-tools/client-tools-model';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0} miw={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Stack>
  );
}

function ManifestView({ manifest }: { manifest: BackupManifest }) {
  const objects = Object.entries(manifest.objects).sort((a, b) => b[1] - a[1]);
  const o = manifest.options;
  const flags = [
    o.noOwner ? '--no-owner' : null,
    o.noPrivileges ? '--no-privileges' : null,
    o.supabase ? 'Supabase preset' : null,
    o.jobs > 1 ? `${o.jobs} jobs` : null,
    o.compression !== null ? `compression ${o.compression}` : null,
  ].filter(Boolean);
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm">
        <Field label="Server">PostgreSQL {shortVersion(manifest.serverVersion)}</Field>
        <Field label="pg_dump">{shortVersion(manifest.pgDumpVersion)}</Field>
        <Field label="Database">
          {manifest.profile.user}@{manifest.profile.host}:{manifest.profile.port}/{manifest.profile.database}
        </Field>
        <Field label="Started">{formatTime(manifest.startedAt)}</Field>
        <Field label="Finished">{formatTime(manifest.finishedAt)}</Field>
        <Field label="Size">{formatBytes(manifest.bytes)}</Field>
        <Field label="Options">{flags.length > 0 ? flags.join(', ') : 'none'}</Field>
        <Field label="TOC entries">{manifest.tocEntries === null ? '— (plain SQL)' : formatCount(manifest.tocEntries)}</Field>
        <Field label="Pre-operation marker">
          {manifest.preOperationMarker
            ? `${manifest.preOperationMarker.id}${manifest.preOperationMarker.lsn ? ` at ${manifest.preOperationMarker.lsn}` : ''}`
            : 'none'}
        </Field>
      </SimpleGrid>
      <Field label="sha256">
        <Code style={{ wordBreak: 'break-all' }}>{manifest.sha256}</Code>
      </Field>
      {objects.length > 0 ? (
        <Field label="Objects in the dump">
          <Group gap={6} mt={2}>
            {objects.map(([type, n]) => (
              <Badge key={type} variant="light" color="gray">
                {type}: {formatCount(n)}
              </Badge>
            ))}
          </Group>
        </Field>
      ) : null}
      <Text size="sm" fw={600}>
        Row counts ({rowCountSummary(manifest.tables)})
      </Text>
      {/* Vertical scrolling only: table names wrap, so the dialog never scrolls sideways. */}
      <ScrollArea.Autosize mah={320} scrollbars="y" type="auto">
        <Table striped withTableBorder aria-label="Row counts per table" verticalSpacing={2} layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Table</Table.Th>
              <Table.Th ta="right" w={110}>
                Rows
              </Table.Th>
              <Table.Th w={90}>Count</Table.Th>
              <Table.Th ta="right" w={100}>
                Size
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {manifest.tables.map((t) => (
              <Table.Tr key={`${t.schema}.${t.name}`}>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>
                  {t.schema}.{t.name}
                </Table.Td>
                <Table.Td ta="right">{formatCount(t.rows)}</Table.Td>
                <Table.Td>
                  {t.exact ? (
                    <Badge size="xs" color="green" variant="light">
                      exact
                    </Badge>
                  ) : (
                    <Badge size="xs" color="yellow" variant="light">
                      estimate
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td ta="right">{formatBytes(t.bytes)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </Stack>
  );
}

export function BackupDetailsModal({ entry, onClose }: { entry: BackupEntry | null; onClose: () => void }) {
  return (
    <Modal
      opened={entry !== null}
      onClose={onClose}
      size="xl"
      title={entry ? `Backup ${fileNameOf(entry.path)}` : ''}
      styles={{ title: { overflowWrap: 'anywhere', minWidth: 0 } }}
    >
      {entry ? (
        <Stack gap="sm">
          <Group gap="xs">
            <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
              {entry.profileName} · {KIND_LABELS[entry.kind]} · {FORMAT_LABELS[entry.format]} · {STATUS_LABELS[entry.status]} ·{' '}
              {formatDuration(entry.durationMs)}
            </Text>
          </Group>
          <Field label="Path">
            <Code style={{ wordBreak: 'break-all' }}>{entry.path}</Code>
          </Field>
          {entry.error ? (
            <Alert color="red" variant="light" title="Error">
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {entry.error}
              </Text>
            </Alert>
          ) : null}
          <Field label="Command">
            <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {entry.command}
            </Code>
          </Field>
          {entry.manifest ? (
            <ManifestView manifest={entry.manifest} />
          ) : (
            <Text size="sm" c="dimmed">
              No manifest: only a finished, verified backup has one.
            </Text>
          )}
        </Stack>
      ) : null}
    </Modal>
  );
}

export function DeleteBackupModal({ entry, onClose, onDeleted }: { entry: BackupEntry | null; onClose: () => void; onDeleted: () => void }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const name = entry ? fileNameOf(entry.path) : '';

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
      await api.deleteBackup({ id: entry.id, confirmName: typed });
      setTyped('');
      onDeleted();
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={entry !== null} onClose={close} title="Delete this backup?">
      {entry ? (
        <Stack gap="sm">
          <Text size="sm">These are deleted from disk, and the backup leaves the catalog (the audit trail keeps its record):</Text>
          <Stack gap={4}>
            <Code style={{ wordBreak: 'break-all' }}>
              {entry.path}
              {entry.format === 'directory' ? ' (folder and every file in it)' : ''}
            </Code>
            <Code style={{ wordBreak: 'break-all' }}>{manifestPathOf(entry.path)}</Code>
          </Stack>
          <Text size="sm">
            {entry.profileName} · {KIND_LABELS[entry.kind]} · {formatBytes(entry.bytes)} · {formatTime(entry.startedAt)}
          </Text>
          <TextInput
            label={`Type the file name (${name}) to confirm`}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            spellCheck={false}
            data-autofocus
          />
          {error ? <ErrorAlert title="The backup was not deleted" error={error} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep it
            </Button>
            <Button color="red" onClick={() => void remove()} disabled={typed !== name} loading={busy}>
              Delete backup
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
