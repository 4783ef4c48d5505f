// "Import a runbook": a Markdown file is read in the page (File.text(), no Node here) and sent
// to importRunbook, which only parses it. What it found is shown read-only: the counts, the
// characters it repaired, its warnings, the placeholders, and each procedure with its steps.
// Nothing is run, and the screen says so, because a runbook is full of statements that change
// or stop a server.
import { Accordion, Alert, Badge, Button, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useId, useState } from 'react';
import type { ImportedProcedure, ImportedStep, RunbookImportResult } from '../../../../src-main/contract/runbook';
import { api } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { IconInfo } from '../../components/icons';
import { toShownError, type ShownError } from '../../state/errors';

const STEP_LABEL: Record<ImportedStep['type'], string> = { sql: 'SQL', command: 'Command', manual: 'Manual', reference: 'Reference' };

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function ParameterBadges({ names, label }: { names: string[]; label: string }) {
  if (names.length === 0) return null;
  return (
    <Group gap={4} aria-label={label}>
      {names.map((name) => (
        <Badge key={name} variant="light" color="grape" tt="none" ff="monospace">{name}</Badge>
      ))}
    </Group>
  );
}

function StepBody({ step }: { step: ImportedStep }) {
  if (step.type === 'sql' || step.type === 'command') {
    return <Code block ff="monospace" style={{ whiteSpace: 'pre-wrap' }}>{step.text}</Code>;
  }
  if (step.table) {
    return (
      <Table withTableBorder withColumnBorders fz="xs" aria-label={`Table of ${step.title}`}>
        <Table.Thead>
          <Table.Tr>{step.table.columns.map((c, i) => <Table.Th key={i}>{c}</Table.Th>)}</Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {step.table.rows.map((row, r) => <Table.Tr key={r}>{row.map((cell, i) => <Table.Td key={i}>{cell}</Table.Td>)}</Table.Tr>)}
        </Table.Tbody>
      </Table>
    );
  }
  return <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{step.text}</Text>;
}

function StepItem({ step }: { step: ImportedStep }) {
  return (
    <Stack component="li" gap={4} aria-label={`Step: ${step.title}`}>
      <Group gap="xs">
        <Badge size="sm" variant="outline">{STEP_LABEL[step.type]}</Badge>
        <Text size="sm" fw={600}>{step.title}</Text>
        <Text size="xs" c="dimmed">line {step.line}</Text>
      </Group>
      <StepBody step={step} />
      <ParameterBadges names={step.parameters} label={`Parameters of ${step.title}`} />
    </Stack>
  );
}

function ProcedureOutline({ outline }: { outline: ImportedProcedure[] }) {
  if (outline.length === 0) return <Text size="sm" c="dimmed">No procedures found: the file has no headings with steps under them.</Text>;
  return (
    <Accordion multiple variant="separated" aria-label="Procedures">
      {outline.map((proc, i) => (
        <Accordion.Item key={`${i}-${proc.title}`} value={`${i}`}>
          <Accordion.Control>
            <Group gap="xs">
              <Text fw={600}>{proc.title}</Text>
              <Text size="xs" c="dimmed">{proc.path.slice(0, -1).join(' › ')}</Text>
              <Text size="xs" c="dimmed">{plural(proc.steps.length, 'step')}</Text>
            </Group>
          </Accordion.Control>
          <Accordion.Panel>
            <Stack gap="sm">
              {proc.notes.map((note, n) => <Text key={n} size="sm" c="dimmed">{note}</Text>)}
              <Stack component="ol" gap="md" m={0} pl="md">
                {proc.steps.map((step, s) => <StepItem key={s} step={step} />)}
              </Stack>
            </Stack>
          </Accordion.Panel>
        </Accordion.Item>
      ))}
    </Accordion>
  );
}

function ImportedRunbookView({ result }: { result: RunbookImportResult }) {
  const counts: Array<[string, number]> = [
    ['Procedures', result.procedures],
    ['Steps', result.steps],
    ['SQL steps', result.sqlSteps],
    ['Commands', result.commandSteps],
    ['Manual', result.manualSteps],
    ['Reference', result.referenceSteps],
  ];
  return (
    <Paper component="section" withBorder p="md" aria-label="Imported runbook">
      <Stack gap="sm">
        <Title order={3}>{result.title}</Title>
        {result.source ? <Text size="sm" c="dimmed">From {result.source}</Text> : null}
        <Alert color="blue" variant="light" icon={<IconInfo />} role="status">Imported for reading: nothing was run.</Alert>
        <Group gap="lg" role="list" aria-label="Counts">
          {counts.map(([label, n]) => (
            <Stack key={label} gap={0} role="listitem" aria-label={`${label}: ${n}`}>
              <Text size="xl" fw={700}>{n}</Text>
              <Text size="xs" c="dimmed">{label}</Text>
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
              {result.warnings.map((w, i) => <Text component="li" key={i} size="sm">{w}</Text>)}
            </Stack>
          </Alert>
        ) : null}
        {result.parameters.length > 0 ? (
          <Stack gap={4}>
            <Text size="sm">Parameters to fill in before a step runs:</Text>
            <ParameterBadges names={result.parameters} label="Parameters found" />
          </Stack>
        ) : null}
        <ProcedureOutline outline={result.outline} />
      </Stack>
    </Paper>
  );
}

export function ImportRunbook() {
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [importing, setImporting] = useState(false);
  const [result, setResult] = useState<RunbookImportResult | null>(null);
  const [error, setError] = useState<ShownError | null>(null);

  async function importFile() {
    if (!file) return;
    setImporting(true);
    setError(null);
    try {
      const markdown = await file.text();
      setResult(await api.importRunbook({ markdown, source: file.name }));
    } catch (err) {
      setResult(null);
      setError(toShownError(err));
    } finally {
      setImporting(false);
    }
  }

  return (
    <Stack gap="md">
      <Paper component="section" withBorder p="md" aria-label="Import a runbook">
        <Stack gap="sm">
          <Title order={3}>Import a runbook</Title>
          <Text size="sm" c="dimmed">Reads a Markdown runbook into procedures and steps to look over. Nothing in it is run.</Text>
          <Group gap="sm" align="end">
            <Stack gap={4}>
              <Text component="label" htmlFor={inputId} size="sm" fw={500}>Runbook file (Markdown)</Text>
              <input
                id={inputId}
                type="file"
                accept=".md,.markdown,text/markdown"
                onChange={(e) => {
                  setFile(e.currentTarget.files?.[0] ?? null);
                  setError(null);
                }}
              />
            </Stack>
            <Button onClick={() => void importFile()} loading={importing} disabled={!file}>Import</Button>
          </Group>
          {error ? <ErrorAlert title="The runbook could not be imported" error={error} onClose={() => setError(null)} /> : null}
        </Stack>
      </Paper>
      {result ? <ImportedRunbookView result={result} /> : null}
    </Stack>
  );
}
