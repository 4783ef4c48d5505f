// How an imported runbook reads on screen, shared by the import preview and saved runbooks:
// its counts, repairs and warnings, the headings that are not procedures and why, and each
// procedure with its steps (SQL and commands in monospace, tables as tables, how the importer
// read a block when the runbook did not say). `StepTools` adds what a step offers (fill its
// placeholders and open it in the query console, copy a command); the outline runs nothing.
import { Accordion, Alert, Badge, Code, Group, Stack, Table, Text } from '@mantine/core';
import type { ComponentType } from 'react';
import type { ImportedProcedure, ImportedSection, ImportedStep, RunbookImportResult } from '@contract/runbook';
import { plural } from '../../shared/format/text';

const STEP_LABEL: Record<ImportedStep['type'], string> = { sql: 'SQL', command: 'Command', manual: 'Manual', reference: 'Reference' };

/** What a step offers besides its text; given the step and its procedure. */
export type StepTools = ComponentType<{ step: ImportedStep; procedure: ImportedProcedure }>;

export function ParameterBadges({ names, label }: { names: string[]; label: string }) {
  if (names.length === 0) return null;
  return (
    <Group gap={4} aria-label={label}>
      {names.map((name) => (
        <Badge key={name} variant="light" color="grape" tt="none" ff="monospace">
          {name}
        </Badge>
      ))}
    </Group>
  );
}

function StepBody({ step }: { step: ImportedStep }) {
  if (step.type === 'sql' || step.type === 'command') {
    return (
      <Code block ff="monospace" style={{ whiteSpace: 'pre-wrap' }}>
        {step.text}
      </Code>
    );
  }
  if (step.table) {
    return (
      <Table withTableBorder withColumnBorders fz="xs" aria-label={`Table of ${step.title}`}>
        <Table.Thead>
          <Table.Tr>
            {step.table.columns.map((c, i) => (
              <Table.Th key={i}>{c}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {step.table.rows.map((row, r) => (
            <Table.Tr key={r}>
              {row.map((cell, i) => (
                <Table.Td key={i}>{cell}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    );
  }
  return (
    <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
      {step.text}
    </Text>
  );
}

function StepItem({ step, procedure, Tools }: { step: ImportedStep; procedure: ImportedProcedure; Tools: StepTools | undefined }) {
  return (
    <Stack component="li" gap={4} aria-label={`Step: ${step.title}`}>
      <Group gap="xs">
        <Badge size="sm" variant="outline">
          {STEP_LABEL[step.type]}
        </Badge>
        <Text size="sm" fw={600}>
          {step.title}
        </Text>
        <Text size="xs" c="dimmed">
          line {step.line}
        </Text>
      </Group>
      {step.note ? (
        <Text size="xs" c="dimmed" fs="italic">
          {step.note}
        </Text>
      ) : null}
      <StepBody step={step} />
      {Tools ? <Tools step={step} procedure={procedure} /> : <ParameterBadges names={step.parameters} label={`Parameters of ${step.title}`} />}
    </Stack>
  );
}

export function ProcedureOutline({ outline, Tools }: { outline: ImportedProcedure[]; Tools?: StepTools | undefined }) {
  if (outline.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No procedures found: the file has no headings with steps under them.
      </Text>
    );
  return (
    <Accordion multiple variant="separated" aria-label="Procedures">
      {outline.map((proc, i) => (
        <Accordion.Item key={`${i}-${proc.title}`} value={`${i}`}>
          <Accordion.Control>
            <Group gap="xs">
              <Text fw={600}>{proc.title}</Text>
              <Text size="xs" c="dimmed">
                {proc.path.slice(0, -1).join(' › ')}
              </Text>
              <Text size="xs" c="dimmed">
                {plural(proc.steps.length, 'step')}
              </Text>
            </Group>
          </Accordion.Control>
          <Accordion.Panel>
            <Stack gap="sm">
              {proc.notes.map((note, n) => (
                <Text key={n} size="sm" c="dimmed">
                  {note}
                </Text>
              ))}
              <Stack component="ol" gap="md" m={0} pl="md">
                {proc.steps.map((step, s) => (
                  <StepItem key={s} step={step} procedure={proc} Tools={Tools} />
                ))}
              </Stack>
            </Stack>
          </Accordion.Panel>
        </Accordion.Item>
      ))}
    </Accordion>
  );
}

const SKIPPED_ROLE: Partial<Record<ImportedSection['role'], string>> = { contents: 'a table of contents', empty: 'nothing under it' };

/**
 * Headings that are not procedures and not merely the parents of some: so a section that
 * is missing from the outline says why (a table of contents, an empty heading).
 */
function SkippedSections({ sections }: { sections: ImportedSection[] | undefined }) {
  const skipped = (sections ?? []).filter((s) => SKIPPED_ROLE[s.role]);
  if (skipped.length === 0) return null;
  return (
    <Text size="sm" c="dimmed" aria-label="Sections without steps">
      Not procedures: {skipped.map((s) => `${s.title} (line ${s.line}, ${SKIPPED_ROLE[s.role]})`).join('; ')}.
    </Text>
  );
}

/** Counts, repairs, warnings and placeholders of an import, then its outline. */
export function RunbookSummary({ result, Tools }: { result: RunbookImportResult; Tools?: StepTools | undefined }) {
  const counts: Array<[string, number]> = [
    ['Procedures', result.procedures],
    ['Steps', result.steps],
    ['SQL steps', result.sqlSteps],
    ['Commands', result.commandSteps],
    ['Manual', result.manualSteps],
    ['Reference', result.referenceSteps],
  ];
  return (
    <Stack gap="sm">
      <Group gap="lg" role="list" aria-label="Counts">
        {counts.map(([label, n]) => (
          <Stack key={label} gap={0} role="listitem" aria-label={`${label}: ${n}`}>
            <Text size="xl" fw={700}>
              {n}
            </Text>
            <Text size="xs" c="dimmed">
              {label}
            </Text>
          </Stack>
        ))}
      </Group>
      <Text size="sm">
        {result.repairedCharacters > 0
          ? `${plural(result.repairedCharacters, 'character')} repaired (UTF-8 that had been read as Windows-1252).`
          : 'No characters needed repairing.'}
      </Text>
      {result.warnings.length > 0 ? (
        <Alert color="yellow" variant="light" title={plural(result.warnings.length, 'warning')}>
          <Stack component="ul" gap={2} m={0} pl="md" aria-label="Import warnings">
            {result.warnings.map((w, i) => (
              <Text component="li" key={i} size="sm">
                {w}
              </Text>
            ))}
          </Stack>
        </Alert>
      ) : null}
      <SkippedSections sections={result.sections} />
      {result.parameters.length > 0 ? (
        <Stack gap={4}>
          <Text size="sm">Parameters to fill in before a step runs:</Text>
          <ParameterBadges names={result.parameters} label="Parameters found" />
        </Stack>
      ) : null}
      <ProcedureOutline outline={result.outline} Tools={Tools} />
    </Stack>
  );
}
