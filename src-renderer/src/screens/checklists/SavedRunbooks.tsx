// Runbooks kept in the app after import: listed newest first with their counts; "Open" shows
// one with its procedures and steps (SQL steps can be filled in and opened in the query
// console), "Delete" removes it after a confirmation. Deleting a runbook touches no server.
import { Button, Group, Modal, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SavedRunbook, SavedRunbookSummary } from '@contract/runbook';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatTime } from '../../shared/format/time';
import { RunbookStepTools } from './RunbookStepTools';
import { RunbookSummary } from './runbook-outline';

function useSavedRunbooks(refreshKey: number) {
  const [runbooks, setRunbooks] = useState<SavedRunbookSummary[] | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const reload = useCallback(async () => {
    try {
      setRunbooks((await api.listRunbooks({})).runbooks);
      setError(null);
    } catch (err) {
      setError(toShownError(err));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload, refreshKey]);
  return { runbooks, error, reload };
}

function countsLine(r: SavedRunbookSummary): string {
  return `${r.procedures} procedures, ${r.steps} steps, ${r.sqlSteps} SQL`;
}

function SavedRunbookView({ runbook, onClose }: { runbook: SavedRunbook; onClose: () => void }) {
  // The list sits at the bottom of a long screen: bring the opened runbook into view.
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
  }, []);
  return (
    <Paper ref={ref} component="section" withBorder p="md" aria-label="Saved runbook">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Title order={3}>{runbook.title}</Title>
            <Text size="sm" c="dimmed">
              {runbook.source ? `From ${runbook.source}, imported` : 'Imported'} {formatTime(runbook.importedAt)}. SQL steps open in the query console with
              their placeholders filled in; nothing runs from here.
            </Text>
          </Stack>
          <Button variant="subtle" color="gray" onClick={onClose}>
            Close
          </Button>
        </Group>
        <RunbookSummary result={runbook.runbook} Tools={RunbookStepTools} />
      </Stack>
    </Paper>
  );
}

function ConfirmDelete({ runbook, busy, onCancel, onConfirm }: { runbook: SavedRunbookSummary; busy: boolean; onCancel: () => void; onConfirm: () => void }) {
  return (
    <Modal opened onClose={onCancel} title="Delete this saved runbook?" centered>
      <Stack gap="sm">
        <Text size="sm">
          "{runbook.title}"{runbook.source ? ` (${runbook.source})` : ''} is removed from the app. The Markdown file itself is not touched, and you can import
          it again.
        </Text>
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            Keep it
          </Button>
          <Button color="red" onClick={onConfirm} loading={busy}>
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function SavedRunbooks({ refreshKey }: { refreshKey: number }) {
  const { runbooks, error, reload } = useSavedRunbooks(refreshKey);
  const [opened, setOpened] = useState<SavedRunbook | null>(null);
  const [deleting, setDeleting] = useState<SavedRunbookSummary | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<ShownError | null>(null);

  async function open(id: string) {
    setActionError(null);
    try {
      setOpened(await api.getRunbook({ id }));
    } catch (err) {
      setActionError(toShownError(err));
    }
  }

  async function remove(target: SavedRunbookSummary) {
    setBusy(true);
    setActionError(null);
    try {
      await api.deleteRunbook({ id: target.id });
      if (opened?.id === target.id) setOpened(null);
      setDeleting(null);
      await reload();
    } catch (err) {
      setDeleting(null);
      setActionError(toShownError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="md">
      <Paper component="section" withBorder p="md" aria-label="Saved runbooks">
        <Stack gap="sm">
          <Title order={3}>Saved runbooks</Title>
          {error ? <ErrorAlert title="The saved runbooks could not be listed" error={error} /> : null}
          {actionError ? <ErrorAlert title="That did not work" error={actionError} onClose={() => setActionError(null)} /> : null}
          {!runbooks ? (
            error ? null : (
              <Text size="sm" c="dimmed">
                Loading…
              </Text>
            )
          ) : runbooks.length === 0 ? (
            <Text size="sm" c="dimmed">
              No runbook is saved yet. Import a Markdown runbook above with "Save in the app" on to keep it here.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing="xs" highlightOnHover aria-label="Saved runbook list">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Title</Table.Th>
                    <Table.Th>Source</Table.Th>
                    <Table.Th>Imported</Table.Th>
                    <Table.Th>Contents</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {runbooks.map((r) => (
                    <Table.Tr key={r.id} aria-label={r.title} aria-selected={opened?.id === r.id}>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {r.title}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c={r.source ? undefined : 'dimmed'}>
                          {r.source ?? '—'}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                          {formatTime(r.importedAt)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{countsLine(r)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Button size="xs" variant="light" onClick={() => void open(r.id)} aria-label={`Open ${r.title}`}>
                            Open
                          </Button>
                          <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(r)} aria-label={`Delete ${r.title}`}>
                            Delete
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      </Paper>
      {opened ? <SavedRunbookView key={opened.id} runbook={opened} onClose={() => setOpened(null)} /> : null}
      {deleting ? <ConfirmDelete runbook={deleting} busy={busy} onCancel={() => setDeleting(null)} onConfirm={() => void remove(deleting)} /> : null}
    </Stack>
  );
}
