// Offsite destinations (issue #18): the S3-compatible buckets backups are copied to, so a
// lost laptop does not take the backups with it. List, add/edit (secret to the secret store),
// Test (HeadBucket, then a probe object written and deleted) and Delete (the objects already
// in the bucket stay: forgetting a destination never deletes copies).
import { Alert, Badge, Button, Group, Loader, Modal, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { OffsiteDestination } from '@contract/offsite';
import { api } from '../../../shared/api/client';
import { ErrorAlert } from '../../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../../shared/state/errors';
import { formatDuration } from '../../../shared/format/time';
import { DestinationForm } from './DestinationForm';
import { RetentionPruneModal } from './RetentionPruneModal';

type TestState = { running: true } | { running: false; ok: true; text: string } | { running: false; ok: false; error: ShownError };

export function DestinationsPanel({
  destinations,
  error,
  onChanged,
}: {
  destinations: OffsiteDestination[] | null;
  error: ShownError | null;
  onChanged: () => void;
}) {
  const [form, setForm] = useState<{ editing: OffsiteDestination | null } | null>(null);
  const [tests, setTests] = useState<Record<string, TestState>>({});
  const [deleting, setDeleting] = useState<OffsiteDestination | null>(null);
  const [deleteError, setDeleteError] = useState<ShownError | null>(null);
  const [retention, setRetention] = useState<OffsiteDestination | null>(null);

  async function test(d: OffsiteDestination) {
    setTests((all) => ({ ...all, [d.id]: { running: true } }));
    try {
      const r = await api.testOffsiteDestination({ id: d.id });
      setTests((all) => ({
        ...all,
        [d.id]: { running: false, ok: true, text: `OK: ${r.endpoint}, bucket ${r.bucket} is writable (${formatDuration(r.durationMs)})` },
      }));
    } catch (err) {
      setTests((all) => ({ ...all, [d.id]: { running: false, ok: false, error: toShownError(err) } }));
    }
  }
  async function remove() {
    if (!deleting) return;
    try {
      await api.deleteOffsiteDestination({ id: deleting.id });
      setDeleting(null);
      onChanged();
    } catch (err) {
      setDeleteError(toShownError(err));
    }
  }

  return (
    <Paper withBorder p="md" component="section" aria-label="Offsite destinations">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4">
            Offsite destinations
          </Title>
          <Button variant="light" onClick={() => setForm({ editing: null })}>
            Add destination
          </Button>
        </Group>
        {error ? <ErrorAlert title="The destinations could not be read" error={error} /> : null}
        {destinations === null && !error ? <Loader size="sm" aria-label="Loading the destinations" /> : null}
        {destinations !== null && destinations.length === 0 ? (
          <Text size="sm" c="dimmed">
            No offsite destination yet: add an S3-compatible bucket (AWS S3, Backblaze B2, Cloudflare R2, MinIO…) to copy backups off this machine.
          </Text>
        ) : null}
        {destinations !== null && destinations.length > 0 ? (
          <Table withTableBorder striped aria-label="Destination list" verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Endpoint</Table.Th>
                <Table.Th>Bucket / prefix</Table.Th>
                <Table.Th>Secret</Table.Th>
                <Table.Th>Encryption</Table.Th>
                <Table.Th>Retention</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {destinations.map((d) => {
                const t = tests[d.id];
                return (
                  <Table.Tr key={d.id} aria-label={`Destination ${d.name}`}>
                    <Table.Td>{d.name}</Table.Td>
                    <Table.Td style={{ wordBreak: 'break-all' }}>{d.endpoint}</Table.Td>
                    <Table.Td>
                      {d.bucket}
                      {d.prefix ? `/${d.prefix}` : ''}
                    </Table.Td>
                    <Table.Td>{d.hasSecret ? <Badge variant="light">saved</Badge> : <Badge color="yellow">missing</Badge>}</Table.Td>
                    <Table.Td>{d.encrypt ? <Badge color="grape" variant="light">{`AES-256-GCM${d.keyId ? ` · ${d.keyId}` : ''}`}</Badge> : 'none'}</Table.Td>
                    <Table.Td>
                      {d.retention ? `last ${d.retention.keepLast} · ${d.retention.keepDaily}d ${d.retention.keepWeekly}w ${d.retention.keepMonthly}m` : 'none'}
                    </Table.Td>
                    <Table.Td>
                      <Stack gap={4}>
                        <Group gap={4} wrap="nowrap">
                          <Button size="compact-xs" variant="light" onClick={() => void test(d)} loading={t?.running === true} aria-label={`Test ${d.name}`}>
                            Test
                          </Button>
                          <Button size="compact-xs" variant="subtle" onClick={() => setRetention(d)} aria-label={`Retention and prune of ${d.name}`}>
                            Retention
                          </Button>
                          <Button size="compact-xs" variant="subtle" onClick={() => setForm({ editing: d })} aria-label={`Edit ${d.name}`}>
                            Edit
                          </Button>
                          <Button size="compact-xs" variant="subtle" color="red" onClick={() => setDeleting(d)} aria-label={`Delete ${d.name}`}>
                            Delete
                          </Button>
                        </Group>
                        {t && !t.running ? (
                          t.ok ? (
                            <Text size="xs" c="green" role="status">
                              {t.text}
                            </Text>
                          ) : (
                            <ErrorAlert title={`Test of ${d.name} failed`} error={t.error} />
                          )
                        ) : null}
                      </Stack>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        ) : null}
      </Stack>
      <RetentionPruneModal destination={retention} onClose={() => setRetention(null)} onChanged={onChanged} />
      <DestinationForm
        opened={form !== null}
        editing={form?.editing ?? null}
        onClose={() => setForm(null)}
        onSaved={() => {
          setForm(null);
          onChanged();
        }}
      />
      <Modal
        opened={deleting !== null}
        onClose={() => {
          setDeleting(null);
          setDeleteError(null);
        }}
        title="Forget this destination?"
      >
        <Stack gap="sm">
          <Text size="sm">
            {deleting?.name} and its saved secret are forgotten. The copies already in {deleting?.bucket} stay there: delete them in the bucket if they should
            go.
          </Text>
          {deleteError ? <ErrorAlert title="The destination was not deleted" error={deleteError} /> : null}
          <Alert color="gray" variant="light">
            The audit trail keeps a record of the destination and its copies.
          </Alert>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(null)}>
              Keep it
            </Button>
            <Button color="red" onClick={() => void remove()} data-autofocus>
              Forget destination
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
