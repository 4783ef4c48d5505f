// One step of a checklist run: its status, the summary line (value and thresholds), the
// rows it read, and the operator's decision — editable while signing off, read-only in a
// saved run.
import { Badge, Group, Paper, Radio, Stack, Table, Text, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import {
  stepStatusLabel,
  type ChecklistStepDecision,
  type ChecklistStepResult,
  type ProcedureStepInfo,
  type StepDecision,
  type StepKind,
} from '@contract/runbook';
import { formatDuration } from '../../shared/format/time';
import { cellText, DECISION_COLORS, DECISION_LABELS, KIND_COLORS, KIND_LABELS, shownSummary, STATUS_COLORS, type DraftDecision } from './checklist-model';

export function StatusBadge({ status, size = 'md' }: { status: ChecklistStepResult['status']; size?: 'sm' | 'md' | 'lg' }) {
  const solid = status === 'ok' || status === 'warning' || status === 'critical';
  // Not applicable: a light grey badge, so it reads as "does not concern this database", not as a failure.
  const variant = solid ? 'filled' : status === 'not_applicable' ? 'light' : 'outline';
  const label = stepStatusLabel(status);
  return (
    <Badge
      color={STATUS_COLORS[status]}
      variant={variant}
      radius="sm"
      size={size}
      aria-label={`Status: ${status === 'not_applicable' ? 'not applicable' : label}`}
    >
      {label}
    </Badge>
  );
}

/** Rows as read from the server; shared by step results and write-step previews. */
export function RowsTable({ label, columns, rows, rowCount }: { label: string; columns: string[]; rows: ChecklistStepResult['rows']; rowCount: number }) {
  if (columns.length === 0) return null;
  if (rows.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No rows.
      </Text>
    );
  return (
    <Stack gap={4}>
      <Table.ScrollContainer minWidth={400} maxHeight={320}>
        <Table withTableBorder withColumnBorders striped verticalSpacing={2} fz="xs" aria-label={label} stickyHeader>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c, i) => (
                <Table.Th key={`${c}-${i}`}>{c}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row, r) => (
              <Table.Tr key={r}>
                {row.map((cell, i) => (
                  <Table.Td key={i} ff="monospace" c={cell === null ? 'dimmed' : undefined}>
                    {cellText(cell)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {rowCount > rows.length ? (
        <Text size="xs" c="dimmed">
          First {rows.length} of {rowCount} rows.
        </Text>
      ) : null}
    </Stack>
  );
}

export function KindBadge({ kind }: { kind: StepKind }) {
  return (
    <Badge color={KIND_COLORS[kind]} variant={kind === 'read' ? 'outline' : 'light'} radius="sm" size="sm" aria-label={`Kind: ${KIND_LABELS[kind]}`}>
      {KIND_LABELS[kind]}
    </Badge>
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
      <TextInput
        size="xs"
        label={`Note for ${step.title}`}
        placeholder="Optional note"
        value={draft.note}
        onChange={(e) => onChange({ ...draft, note: e.currentTarget.value })}
      />
    </Stack>
  );
}

function SavedDecision({ decision }: { decision: ChecklistStepDecision | undefined }) {
  return (
    <Stack gap={2}>
      <Group gap="xs">
        <Text size="sm" fw={600}>
          Decision
        </Text>
        {decision ? (
          <Badge color={DECISION_COLORS[decision.decision]} variant="light" radius="sm">
            {DECISION_LABELS[decision.decision]}
          </Badge>
        ) : (
          <Text size="sm" c="dimmed">
            none
          </Text>
        )}
      </Group>
      {decision?.reason ? <Text size="sm">Reason: {decision.reason}</Text> : null}
      {decision?.note ? <Text size="sm">Note: {decision.note}</Text> : null}
    </Stack>
  );
}

export type StepCardProps = {
  step: ChecklistStepResult;
  /** What the step does, from the procedure (a fresh run shows it; a saved run keeps only results). */
  info?: ProcedureStepInfo | undefined;
  /** Buttons for this step (run it, preview it, go to its screen). */
  actions?: ReactNode;
} & ({ mode: 'edit'; draft: DraftDecision; onChange: (next: DraftDecision) => void } | { mode: 'saved'; decision: ChecklistStepDecision | undefined });

export function StepCard(props: StepCardProps) {
  const { step } = props;
  const listedOnly = step.status === 'manual' || step.status === 'skipped' || step.status === 'not_applicable';
  return (
    <Paper component="section" withBorder p="sm" aria-label={`Step: ${step.title}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap="sm" wrap="nowrap">
            <StatusBadge status={step.status} />
            <Text fw={600}>{step.title}</Text>
            {step.kind !== 'read' ? <KindBadge kind={step.kind} /> : null}
          </Group>
          {!listedOnly ? (
            <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
              {formatDuration(step.durationMs)}
            </Text>
          ) : null}
        </Group>
        <Text size="sm" c={step.status === 'unknown' ? 'red' : step.status === 'not_applicable' ? 'dimmed' : undefined}>
          {listedOnly ? (step.status === 'manual' ? 'To do by hand: ' : '') : ''}
          {shownSummary(step, props.info)}
        </Text>
        {props.info?.explanation ? (
          <Text size="xs" c="dimmed">
            {props.info.explanation}
          </Text>
        ) : null}
        {props.info?.correction ? (
          <Text size="xs" c="dimmed">
            Correction to the runbook: {props.info.correction}
          </Text>
        ) : null}
        {props.info?.check ? (
          <Text size="xs" c="dimmed">
            Built-in check: {props.info.check}
          </Text>
        ) : null}
        <RowsTable label={`Rows of ${step.title}`} columns={step.columns} rows={step.rows} rowCount={step.rowCount} />
        {props.actions}
        {props.mode === 'edit' ? <DecisionEditor step={step} draft={props.draft} onChange={props.onChange} /> : <SavedDecision decision={props.decision} />}
      </Stack>
    </Paper>
  );
}
