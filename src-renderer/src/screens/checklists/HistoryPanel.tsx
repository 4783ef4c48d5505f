// Past signed-off runs of the profile, newest first; "Open" shows one read-only with its
// snapshot and decisions, and exports it as Markdown or HTML (a file download).
import { Badge, Button, Group, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { ChecklistRunRecord, ChecklistRunSummary } from '@contract/runbook';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatTime } from '../../shared/format/time';
import { downloadText } from '../../shared/dom';
import { StatusBadge, StepCard } from './StepCard';

function decisionsLine(run: ChecklistRunSummary): string {
  const { done, skipped, escalated } = run.decisions;
  return `${done} done, ${skipped} skipped, ${escalated} escalated`;
}

export function HistoryTable({ runs, openId, onOpen }: { runs: ChecklistRunSummary[]; openId: string | null; onOpen: (id: string) => void }) {
  if (runs.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No signed-off runs for this profile yet. Run a checklist above, decide each step and press "Sign off": the run is kept here.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table highlightOnHover verticalSpacing="xs" aria-label="Past checklist runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Signed off</Table.Th>
            <Table.Th>Checklist</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>By</Table.Th>
            <Table.Th>Decisions</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((r) => (
            <Table.Tr key={r.id} aria-selected={r.id === openId}>
              <Table.Td>
                <Text size="sm" ff="monospace" title={r.signedAt} style={{ whiteSpace: 'nowrap' }}>
                  {formatTime(r.signedAt)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{r.title}</Text>
              </Table.Td>
              <Table.Td>
                <StatusBadge status={r.status} size="sm" />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{r.actor}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{decisionsLine(r)}</Text>
              </Table.Td>
              <Table.Td>
                <Button size="xs" variant="light" onClick={() => onOpen(r.id)}>
                  Open
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const MIME = { markdown: 'text/markdown;charset=utf-8', html: 'text/html;charset=utf-8' } as const;

export function SavedRunView({ run, onClose }: { run: ChecklistRunRecord; onClose: () => void }) {
  const [error, setError] = useState<ShownError | null>(null);
  const decisions = new Map(run.stepDecisions.map((d) => [d.stepId, d]));

  async function exportAs(format: 'markdown' | 'html') {
    setError(null);
    try {
      const file = await api.exportChecklistRun({ id: run.id, format });
      downloadText(file.content, file.filename, MIME[format]);
    } catch (err) {
      setError(toShownError(err));
    }
  }

  return (
    <Paper component="section" withBorder p="md" aria-label="Saved checklist run">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Group gap="sm">
              <Title order={3}>{run.title}</Title>
              <StatusBadge status={run.status} size="lg" />
              <Badge variant="outline" color="gray" radius="sm">
                signed off
              </Badge>
            </Group>
            <Text size="sm" c="dimmed">
              On {run.profileName}; checks ran at {formatTime(run.startedAt)}, signed off at {formatTime(run.signedAt)} by {run.actor}. {decisionsLine(run)}.
            </Text>
          </Stack>
          <Group gap="xs">
            <Button variant="light" onClick={() => void exportAs('markdown')}>
              Export Markdown
            </Button>
            <Button variant="light" onClick={() => void exportAs('html')}>
              Export HTML
            </Button>
            <Button variant="subtle" color="gray" onClick={onClose}>
              Close
            </Button>
          </Group>
        </Group>
        {error ? <ErrorAlert title="The export did not work" error={error} onClose={() => setError(null)} /> : null}
        <Stack gap={2} aria-label="Overall note" role="group">
          <Text size="sm" fw={600}>
            Overall note
          </Text>
          <Text size="sm" c={run.note ? undefined : 'dimmed'} style={{ whiteSpace: 'pre-wrap' }}>
            {run.note || 'No note.'}
          </Text>
        </Stack>
        {run.result.steps.map((step) => (
          <StepCard key={step.id} mode="saved" step={step} decision={decisions.get(step.id)} />
        ))}
      </Stack>
    </Paper>
  );
}
