// The Run step and what restores and drills share: the progress from `restore.progress`
// events (phase, items done of the total, elapsed, ETA, current item) with a confirmed
// Cancel, and the validation report (pass/fail per check with its details).
import { Alert, Badge, Button, Group, Modal, Paper, Progress, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { RestoreProgressEvent, RestoreStatus, ValidationReport } from '../../../../src-main/contract/restore';
import { ErrorAlert } from '../../components/ErrorAlert';
import type { ShownError } from '../../state/errors';
import { describeRestoreProgress, orderedChecks, STATUS_COLORS, STATUS_LABELS, validationSummary } from './restore-model';

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text size="sm" fw={600} aria-label={label} style={{ wordBreak: 'break-all' }}>{value}</Text>
    </Stack>
  );
}

export interface JobProgressProps {
  /** "Restore" or "Drill": used in labels and the cancel dialog. */
  noun: 'restore' | 'drill';
  progress: RestoreProgressEvent | null;
  status: RestoreStatus | null;
  canCancel: boolean;
  cancelling: boolean;
  cancelError: ShownError | null;
  onCancel: () => void;
  cancelText: string;
}

const DONE_HEADLINES: Record<Exclude<RestoreStatus, 'running'>, string> = { ok: 'finished', failed: 'failed', cancelled: 'cancelled' };

export function JobProgress({ noun, progress, status, canCancel, cancelling, cancelError, onCancel, cancelText }: JobProgressProps) {
  const [confirming, setConfirming] = useState(false);
  const title = noun === 'restore' ? 'Restore' : 'Drill';
  const view = progress ? describeRestoreProgress(progress) : { percent: null, headline: `Starting the ${noun}…`, items: '—', elapsed: '—', eta: '—', current: '—' };
  const finished = status !== null && status !== 'running';
  const headline = finished ? `${title} ${DONE_HEADLINES[status]}` : view.headline;
  const percent = finished && status === 'ok' ? 100 : view.percent;
  return (
    <Paper withBorder p="md" component="section" aria-label={`${title} progress`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm" fw={600} role="status" aria-live="polite">{headline}</Text>
          <Group gap="xs" wrap="nowrap">
            {progress && !finished ? <Badge variant="light">{progress.phase}</Badge> : null}
            <Text size="sm" fw={600} aria-label="Percent done">{percent === null ? '…' : `${Math.floor(percent)}%`}</Text>
          </Group>
        </Group>
        <Progress
          value={percent ?? 100}
          animated={!finished}
          striped={!finished && percent === null}
          color={finished && status !== 'ok' ? 'red' : undefined}
          aria-label={`Share of the ${noun} done`}
          size="lg"
        />
        <SimpleGrid cols={4}>
          <Figure label="Done" value={view.items} />
          <Figure label="Elapsed" value={view.elapsed} />
          <Figure label="ETA" value={finished ? '—' : view.eta} />
          <Figure label="Current item" value={finished ? '—' : view.current} />
        </SimpleGrid>
        {!finished ? (
          <Group>
            <Button color="red" variant="light" onClick={() => setConfirming(true)} disabled={!canCancel || cancelling} loading={cancelling}>Cancel {noun}</Button>
          </Group>
        ) : null}
        {cancelError ? <ErrorAlert title="Cancel did not work" error={cancelError} /> : null}
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={`Cancel this ${noun}?`}>
        <Stack gap="sm">
          <Text size="sm">{cancelText}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>Keep running</Button>
            <Button
              color="red"
              onClick={() => {
                setConfirming(false);
                onCancel();
              }}
            >
              Cancel {noun}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}

export function ValidationReportView({ report, label = 'Validation report' }: { report: ValidationReport; label?: string }) {
  return (
    <Stack gap="xs" role="region" aria-label={label}>
      <Group gap="xs">
        <Badge color={report.ok ? 'green' : 'red'} size="lg">{report.ok ? 'Validation OK' : 'Validation FAILED'}</Badge>
        <Text size="sm">{validationSummary(report)}</Text>
      </Group>
      {report.checks.length > 0 ? (
        <Table.ScrollContainer minWidth={520}>
          <Table striped withTableBorder verticalSpacing={2} aria-label="Validation checks">
            <Table.Thead>
              <Table.Tr><Table.Th w={80}>Result</Table.Th><Table.Th>Check</Table.Th><Table.Th>Detail</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {orderedChecks(report).map((check) => (
                <Table.Tr key={check.name} aria-label={`Check ${check.name}: ${check.ok ? 'pass' : 'fail'}`}>
                  <Table.Td><Badge size="sm" color={check.ok ? 'green' : 'red'}>{check.ok ? 'pass' : 'fail'}</Badge></Table.Td>
                  <Table.Td><Text size="sm">{check.name}</Text></Table.Td>
                  <Table.Td><Text size="xs" style={{ whiteSpace: 'pre-wrap' }}>{check.detail}</Text></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Stack>
  );
}

export function StatusBadge({ status }: { status: RestoreStatus }) {
  return <Badge color={STATUS_COLORS[status]} aria-label={`Status: ${STATUS_LABELS[status]}`}>{STATUS_LABELS[status]}</Badge>;
}

export function FailureAlert({ noun, status, error }: { noun: string; status: RestoreStatus; error: string | null }) {
  if (status === 'ok' || status === 'running') return null;
  return (
    <Alert role="alert" color={status === 'cancelled' ? 'gray' : 'red'} variant="light" title={status === 'cancelled' ? `The ${noun} was cancelled` : `The ${noun} failed`}>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{error ?? 'No reason was recorded.'}</Text>
    </Alert>
  );
}
