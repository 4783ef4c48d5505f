// One drill's report: restore time against the RTO, backup age against the RPO (met / not
// met), the validation, prepare_disaster_recovery() rows when the source had the toolkit,
// and Markdown/HTML export as a file download.
import { Badge, Button, Code, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { DrillRecord } from '@contract/restore';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatDuration, formatTime } from '../../shared/format/time';
import { downloadText } from '../../shared/dom';
import { ageText, formatTarget, objectiveBadge } from './restore-model';
import { FailureAlert, StatusBadge, ValidationReportView } from './RestoreProgress';

const MIME = { markdown: 'text/markdown;charset=utf-8', html: 'text/html;charset=utf-8' } as const;

function Objective({ label, value, target, met }: { label: string; value: string; target: number; met: boolean | null }) {
  const badge = objectiveBadge(met);
  return (
    <Paper withBorder p="xs" role="group" aria-label={label}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Group gap="xs" align="baseline">
        <Text size="lg" fw={700}>
          {value}
        </Text>
        <Text size="sm" c="dimmed">
          target {formatTarget(target)}
        </Text>
      </Group>
      <Badge color={badge.color} aria-label={`${label}: ${badge.label}`}>
        {badge.label}
      </Badge>
    </Paper>
  );
}

function DisasterRecoveryTable({ data }: { data: NonNullable<DrillRecord['disasterRecovery']> }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        prepare_disaster_recovery() on the source
      </Text>
      <Table.ScrollContainer minWidth={480} mah={260}>
        <Table striped withTableBorder verticalSpacing={2} aria-label="Disaster recovery checklist">
          <Table.Thead>
            <Table.Tr>
              {data.columns.map((c) => (
                <Table.Th key={c}>{c}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.rows.map((row, i) => (
              // Rows have no identity of their own: their position is it.
              <Table.Tr key={i}>
                {row.map((cell, j) => (
                  <Table.Td key={data.columns[j] ?? j}>
                    <Text size="xs">{cell === null ? '—' : String(cell)}</Text>
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

export function DrillReport({ drill, onClose }: { drill: DrillRecord; onClose?: () => void }) {
  const [error, setError] = useState<ShownError | null>(null);

  async function exportAs(format: 'markdown' | 'html') {
    setError(null);
    try {
      const file = await api.exportDrillReport({ id: drill.id, format });
      downloadText(file.content, file.filename, MIME[format]);
    } catch (err) {
      setError(toShownError(err));
    }
  }

  return (
    <Paper withBorder p="md" component="section" aria-label="Drill report">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Group gap="sm">
              <Title order={4}>Restore drill of {drill.profileName ?? 'a dump file'}</Title>
              <StatusBadge status={drill.status} />
            </Group>
            <Text size="sm" c="dimmed">
              Started {formatTime(drill.startedAt)}; whole drill {formatDuration(drill.totalMs)}; scratch PostgreSQL {drill.scratchVersion ?? '—'}.
            </Text>
            <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
              Backup <Code>{drill.backupPath}</Code>
              {drill.backupCreatedAt ? `, taken ${formatTime(drill.backupCreatedAt)}` : ''}
            </Text>
          </Stack>
          <Group gap="xs">
            <Button size="xs" variant="light" onClick={() => void exportAs('markdown')}>
              Export Markdown
            </Button>
            <Button size="xs" variant="light" onClick={() => void exportAs('html')}>
              Export HTML
            </Button>
            {onClose ? (
              <Button size="xs" variant="default" onClick={onClose}>
                Close
              </Button>
            ) : null}
          </Group>
        </Group>
        {error ? <ErrorAlert title="The report could not be exported" error={error} /> : null}
        <SimpleGrid cols={2}>
          <Objective label="Restore time vs RTO" value={formatDuration(drill.restoreMs)} target={drill.rtoTargetMs} met={drill.rtoMet} />
          <Objective label="Backup age vs RPO" value={ageText(drill.backupAgeMs)} target={drill.rpoTargetMs} met={drill.rpoMet} />
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          Targets from the runbook’s corruption scenario: recovery within {formatTarget(drill.rtoTargetMs)}, at most {formatTarget(drill.rpoTargetMs)} of data
          lost. A backup older than the RPO means the data since it would be lost.
        </Text>
        <FailureAlert noun="drill" status={drill.status} error={drill.error} />
        {drill.validation ? <ValidationReportView report={drill.validation} label="Drill validation" /> : null}
        {drill.disasterRecovery ? <DisasterRecoveryTable data={drill.disasterRecovery} /> : null}
      </Stack>
    </Paper>
  );
}
