// The Run step and what restores and drills share: the progress from `restore.progress`
// events (phase, items done of the total, elapsed, ETA, current item) with a confirmed
// Cancel, and the validation report (pass, warning or fail per check with its details).
import { Alert, Badge, Group, Stack, Table, Text } from '@mantine/core';
import type { RestoreProgressEvent, RestoreStatus, ValidationReport } from '@contract/restore';
import { JobProgressPanel } from '../../shared/components/jobs/JobProgressPanel';
import type { TrackedJob } from '../../shared/components/jobs/useTrackedJob';
import { verdictOf, withVerdicts } from '@contract/verdict';
import { VERDICT_COLORS, VerdictBadge } from '../../shared/components/VerdictBadge';
import { describeRestoreProgress, orderedChecks, STATUS_COLORS, STATUS_LABELS, validationHeadline, validationSummary } from './restore-model';

export interface JobProgressProps {
  /** "restore" or "drill": used in labels and the cancel dialog. */
  noun: 'restore' | 'drill';
  job: TrackedJob<{ status: RestoreStatus }, unknown, RestoreProgressEvent>;
  onCancel: () => void;
  cancelText: string;
}

const DONE_HEADLINES: Record<Exclude<RestoreStatus, 'running'>, string> = { ok: 'finished', failed: 'failed', cancelled: 'cancelled' };

export function JobProgress({ noun, job, onCancel, cancelText }: JobProgressProps) {
  const { progress } = job;
  const status = job.result?.status ?? null;
  const title = noun === 'restore' ? 'Restore' : 'Drill';
  const view = progress
    ? describeRestoreProgress(progress)
    : { percent: null, headline: `Starting the ${noun}…`, items: '—', elapsed: '—', eta: '—', current: '—' };
  const finished = status !== null && status !== 'running';
  return (
    <JobProgressPanel
      noun={noun}
      headline={finished ? `${title} ${DONE_HEADLINES[status]}` : view.headline}
      percent={finished && status === 'ok' ? 100 : view.percent}
      badge={progress && !finished ? progress.phase : null}
      figures={[
        { label: 'Done', value: view.items },
        { label: 'Elapsed', value: view.elapsed },
        { label: 'ETA', value: finished ? '—' : view.eta },
        { label: 'Current item', value: finished ? '—' : view.current },
      ]}
      breakValues
      running={!finished}
      failed={finished && status !== 'ok'}
      canCancel={Boolean(job.id)}
      cancelling={job.cancelling}
      cancelError={job.cancelError}
      onCancel={onCancel}
      cancelText={cancelText}
    />
  );
}

export function ValidationReportView({ report, label = 'Validation report' }: { report: ValidationReport; label?: string }) {
  return (
    <Stack gap="xs" role="region" aria-label={label}>
      <Group gap="xs">
        <Badge color={VERDICT_COLORS[withVerdicts(report).status]} c={withVerdicts(report).status === 'warning' ? 'dark' : undefined} size="lg">
          {validationHeadline(report)}
        </Badge>
        <Text size="sm">{validationSummary(report)}</Text>
      </Group>
      {report.checks.length > 0 ? (
        <Table.ScrollContainer minWidth={520}>
          <Table striped withTableBorder verticalSpacing={2} aria-label="Validation checks">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={96}>Result</Table.Th>
                <Table.Th>Check</Table.Th>
                <Table.Th>Detail</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {orderedChecks(report).map((check) => (
                <Table.Tr key={check.name} aria-label={`Check ${check.name}: ${verdictOf(check)}`}>
                  <Table.Td>
                    <VerdictBadge check={check} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{check.name}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" style={{ whiteSpace: 'pre-wrap' }}>
                      {check.detail}
                    </Text>
                  </Table.Td>
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
  return (
    <Badge color={STATUS_COLORS[status]} aria-label={`Status: ${STATUS_LABELS[status]}`}>
      {STATUS_LABELS[status]}
    </Badge>
  );
}

export function FailureAlert({ noun, status, error }: { noun: string; status: RestoreStatus; error: string | null }) {
  if (status === 'ok' || status === 'running') return null;
  return (
    <Alert
      role="alert"
      color={status === 'cancelled' ? 'gray' : 'red'}
      variant="light"
      title={status === 'cancelled' ? `The ${noun} was cancelled` : `The ${noun} failed`}
    >
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
        {error ?? 'No reason was recorded.'}
      </Text>
    </Alert>
  );
}
