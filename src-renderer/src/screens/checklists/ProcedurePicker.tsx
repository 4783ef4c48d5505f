// Which procedure to run: the morning and evening checklists stay one click away; every
// other procedure of the runbook is in a searchable list grouped by its runbook section.
// Before a run, the chosen procedure's steps are listed so the operator sees what will run.
import { Badge, Code, Group, List, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import type { ChecklistSummary, ProcedureInfo, ProcedureStepInfo } from '@contract/runbook';
import { choiceFor, findProcedure, groupProcedures } from './checklist-model';
import { KindBadge } from './StepCard';

export interface ProcedurePickerProps {
  checklists: ChecklistSummary[];
  /** Null while loading or when the list could not be read: the checklists still work. */
  procedures: ProcedureInfo[] | null;
  /** A checklist's run name or a procedure id. */
  value: string;
  onChange: (choice: string) => void;
  disabled?: boolean;
}

export function ProcedurePicker({ checklists, procedures, value, onChange, disabled }: ProcedurePickerProps) {
  const chosen = procedures ? findProcedure(procedures, value) : undefined;
  const checklist = checklists.find((c) => c.id === value);
  const isChecklist = checklist !== undefined;
  return (
    <Stack gap={6}>
      <Group gap="md" align="flex-end" wrap="wrap">
        <SegmentedControl
          aria-label="Checklist"
          value={isChecklist ? value : ''}
          onChange={onChange}
          disabled={disabled}
          data={checklists.map((c) => ({ value: c.id, label: c.title }))}
        />
        <Select
          label="Procedure"
          placeholder={procedures ? 'Search every procedure of the runbook' : 'Loading the runbook…'}
          searchable
          nothingFoundMessage="No procedure by that name"
          data={procedures ? groupProcedures(procedures) : []}
          value={chosen?.id ?? null}
          onChange={(id) => {
            const picked = id && procedures ? procedures.find((p) => p.id === id) : undefined;
            if (picked) onChange(choiceFor(picked));
          }}
          allowDeselect={false}
          disabled={disabled || !procedures}
          w={360}
          maxDropdownHeight={360}
        />
      </Group>
      {chosen ? (
        <Text size="sm" c="dimmed">
          {chosen.section} · {chosen.description} {chosen.steps.length} steps{chosen.cadence ? `, ${chosen.cadence}` : ''}.
        </Text>
      ) : checklist ? (
        <Text size="sm" c="dimmed">
          {checklist.description} {checklist.steps} steps.
        </Text>
      ) : null}
    </Stack>
  );
}

function StepBody({ step }: { step: ProcedureStepInfo }) {
  return (
    <Stack gap={2}>
      <Group gap="xs">
        <KindBadge kind={step.kind} />
        <Text size="sm" fw={600}>
          {step.title}
        </Text>
        {step.type !== 'sql' ? (
          <Badge size="xs" variant="outline" color="blue" radius="sm">
            {step.type}
          </Badge>
        ) : null}
      </Group>
      <Text size="xs">{step.explanation}</Text>
      {step.instruction ? <Text size="xs">To do by hand: {step.instruction}</Text> : null}
      {step.actionLabel ? <Text size="xs">In the app: {step.actionLabel}</Text> : null}
      {step.check ? (
        <Text size="xs">
          Built-in check: <Code>{step.check}</Code>
        </Text>
      ) : null}
      {step.correction ? (
        <Text size="xs" c="dimmed">
          Correction to the runbook: {step.correction}
        </Text>
      ) : null}
      {step.sql ? (
        <details>
          <summary style={{ cursor: 'pointer', fontSize: 'var(--mantine-font-size-xs)' }}>SQL</summary>
          <Code block style={{ whiteSpace: 'pre-wrap' }}>
            {step.sql}
          </Code>
        </details>
      ) : null}
    </Stack>
  );
}

/** The steps a run of this procedure would go through, in order. */
export function ProcedureSteps({ procedure }: { procedure: ProcedureInfo }) {
  return (
    <List type="ordered" spacing="xs" size="sm" aria-label={`Steps of ${procedure.title}`}>
      {procedure.steps.map((step) => (
        <List.Item key={step.id}>
          <StepBody step={step} />
        </List.Item>
      ))}
    </List>
  );
}
