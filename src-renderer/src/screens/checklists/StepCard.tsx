// One step of a checklist run: its status, the summary line (value and thresholds), the
// rows it read, and the operator's decision — editable while signing off, read-only in a
// saved run.
import { Badge, Group, Paper, Radio, Stack, Table, Text, TextInput } from '@mantine/core';
import type { ChecklistStepDecision, ChecklistStepResult, StepDecision } from '../../../../src-main/contract/runbook';
import { formatDuration } from '../../state/format';
import { cellText, DECISION_COLORS, DECISION_LABELS, STATUS_COLORS, type DraftDecision } from './checklist-model';

export function StatusBadge({ status, size = 'md' }: { status: ChecklistStepResult['status']; size?: 'sm' | 'md' | 'lg' }) {
  const solid = status === 'ok' || status === 'warning' || status === 'critical';
  return (
    <Badge color={STATUS_COLORS[status]} variant={solid ? 'filled' : 'outline'} radius="sm" size={size} aria-label={`Status: ${status.toUpperCase()}`}>
      {status.toUpperCase()}
    </Badge>
  );
}

function RowsTable({ step }: { step: ChecklistStepResult }) {
  if (step.columns.length === 0) return null;
  if (step.rows.length === 0) return <Text size="sm" c="dimmed">No rows.</Text>;
  return (
    <Stack gap={4}>
      <Table.ScrollContainer minWidth={400} maxHeight={320}>
        <Table withTableBorder withColumnBorders striped verticalSpacing={2} fz="xs" aria-label={`Rows of ${step.title}`} stickyHeader>
          <Table.Thead>
            <Table.Tr>
              {step.columns.map((c, i) => (
                <Table.Th key={`${c}-${i}`}>{c}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {step.rows.map((row, r) => (
              <Table.Tr key={r}>
                {row.map((cell, i) => (
                  <Table.Td key={i} ff="monospace" c={cell === null ? 'dimmed' : undefined}>{cellText(cell)}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {step.rowCount > step.rows.length ? <Text size="xs" c="dimmed">First {step.rows.length} of {step.rowCount} rows.</Text> : null}
    </Stack>
  );
}

function DecisionEditor({ step, draft, onChange }: { step: ChecklistStepResult; draft: DraftDecision; onChange: (next: DraftDecision) => void }) {
  const needsReason = draft.decision === 'skipped' && draft.reason.trim() === '';
  return (
    <Stack gap="xs">
      <Radio.Group
        label={`Decision for ${step.title}`}
        value={draft.decision ?? ''}
        onChange={(value) => onChange({ ...draft, decision: value as StepDecision })}
        styles={{ label: { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' } }}
      >
        <Group gap="lg">
          <Radio value="done" label="Done" />
          <Radio value="skipped" label="Skipped" />
          <Radio value="escalated" label="Escalated" />
        </Group>
      </Radio.Group>
      {draft.decision === 'skipped' ? (
        <TextInput
          size="xs"
          label={`Reason for skipping ${step.title}`}
          placeholder="Why this step was not done"
          required
          value={draft.reason}
          onChange={(e) => onChange({ ...draft, reason: e.currentTarget.value })}
          error={needsReason ? 'A skipped step needs a reason' : undefined}
        />
      ) : null}
      <TextInput size="xs" label={`Note for ${step.title}`} placeholder="Optional note" value={draft.note} onChange={(e) => onChange({ ...draft, note: e.currentTarget.value })} />
    </Stack>
  );
}

function SavedDecision({ decision }: { decision: ChecklistStepDecision | undefined }) {
  return (
    <Stack gap={2}>
      <Group gap="xs">
        <Text size="sm" fw={600}>Decision</Text>
        {decision ? <Badge color={DECISION_COLORS[decision.decision]} variant="light" radius="sm">{DECISION_LABELS[decision.decision]}</Badge> : <Text size="sm" c="dimmed">none</Text>}
      </Group>
      {decision?.reason ? <Text size="sm">Reason: {decision.reason}</Text> : null}
      {decision?.note ? <Text size="sm">Note: {decision.note}</Text> : null}
    </Stack>
  );
}

export type StepCardProps = { step: ChecklistStepResult } & (
  | { mode: 'edit'; draft: DraftDecision; onChange: (next: DraftDecision) => void }
  | { mode: 'saved'; decision: ChecklistStepDecision | undefined }
);

export function StepCard(props: StepCardProps) {
  const { step } = props;
  const listedOnly = step.status === 'manual' || step.status === 'skipped';
  return (
    <Paper component="section" withBorder p="sm" aria-label={`Step: ${step.title}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap="sm" wrap="nowrap">
            <StatusBadge status={step.status} />
            <Text fw={600}>{step.title}</Text>
          </Group>
          {!listedOnly ? <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>{formatDuration(step.durationMs)}</Text> : null}
        </Group>
        <Text size="sm" c={step.status === 'unknown' ? 'red' : undefined}>
          {listedOnly ? (step.status === 'manual' ? 'To do by hand: ' : '') : ''}
          {step.summary}
        </Text>
        <RowsTable step={step} />
        {props.mode === 'edit' ? <DecisionEditor step={step} draft={props.draft} onChange={props.onChange} /> : <SavedDecision decision={props.decision} />}
      </Stack>
    </Paper>
  );
}
