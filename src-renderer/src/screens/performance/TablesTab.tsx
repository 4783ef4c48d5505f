// Tables & storage: sizes (table, indexes, TOAST), row estimates, dead tuples, last
// (auto)vacuum/analyze, with a VACUUM… action per table; sequences near exhaustion; Supabase
// Storage buckets when storage.objects exists.
import { Badge, Button, Card, Center, Group, Loader, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useCallback, useState, type ReactNode } from 'react';
import type { TableReport, TableStats } from '@contract/monitoring';
import type { Profile } from '@contract/models';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { formatCount } from '../../shared/format/numbers';
import { formatTime } from '../../shared/format/time';
import { deadColor, formatBytes, sequenceColor, trimNumber } from './performance-model';
import type { PasswordState } from '../../shared/hooks/usePassword';
import { profileInput, useLoad } from './usePerformance';
import { VacuumDialog, type VacuumTarget } from './VacuumDialog';
import { NOWRAP, PINNED_RIGHT, WHOLE_BADGE, WRAP_NAME } from '../../shared/components/table-styles';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder padding="sm" radius="md" component="section" aria-label={title}>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      {children}
    </Card>
  );
}

/** The later of the manual and the automatic run, saying which. */
function lastRun(manual: string | null, auto: string | null): string {
  if (!manual && !auto) return 'never';
  if (manual && (!auto || manual >= auto)) return formatTime(manual);
  return `${formatTime(auto ?? '')} (auto)`;
}

function TablesTable({ tables, onVacuum }: { tables: TableStats[]; onVacuum: (t: VacuumTarget) => void }) {
  if (tables.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No tables in this database.
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={720} type="native">
      <Table striped highlightOnHover fz="sm" aria-label="Tables">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Table</Table.Th>
            <Table.Th ta="right">Table</Table.Th>
            <Table.Th ta="right">Indexes</Table.Th>
            <Table.Th ta="right">TOAST</Table.Th>
            <Table.Th ta="right">Rows (est.)</Table.Th>
            <Table.Th ta="right">Dead tuples</Table.Th>
            <Table.Th>Last vacuum</Table.Th>
            <Table.Th>Last analyze</Table.Th>
            <Table.Th style={PINNED_RIGHT}>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tables.map((t) => (
            <Table.Tr key={`${t.schema}.${t.table}`} aria-label={`Table ${t.schema}.${t.table}`}>
              <Table.Td style={WRAP_NAME}>
                {t.schema}.{t.table}
                {t.platform ? (
                  <Badge ml={4} size="xs" color="gray" variant="outline" title="In a schema the platform manages" style={WHOLE_BADGE}>
                    platform
                  </Badge>
                ) : null}
              </Table.Td>
              <Table.Td ta="right" style={NOWRAP}>
                {formatBytes(t.tableBytes)}
              </Table.Td>
              <Table.Td ta="right" style={NOWRAP}>
                {formatBytes(t.indexBytes)}
              </Table.Td>
              <Table.Td ta="right" style={NOWRAP}>
                {formatBytes(t.toastBytes)}
              </Table.Td>
              <Table.Td ta="right">{formatCount(t.rowEstimate)}</Table.Td>
              <Table.Td ta="right" style={NOWRAP}>
                {formatCount(t.deadTuples)}{' '}
                <Text span size="xs" c={deadColor(t.deadPct)}>
                  ({trimNumber(t.deadPct)} %)
                </Text>
              </Table.Td>
              <Table.Td miw={90}>{lastRun(t.lastVacuum, t.lastAutovacuum)}</Table.Td>
              <Table.Td miw={90}>{lastRun(t.lastAnalyze, t.lastAutoanalyze)}</Table.Td>
              <Table.Td style={PINNED_RIGHT}>
                <Button
                  size="compact-xs"
                  variant="light"
                  onClick={() => onVacuum({ schema: t.schema, table: t.table })}
                  aria-label={`VACUUM ${t.schema}.${t.table}`}
                >
                  VACUUM…
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Sequences({ rows }: { rows: TableReport['sequences'] }) {
  if (rows.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No sequences.
      </Text>
    );
  return (
    <Table striped fz="sm" aria-label="Sequences">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Sequence</Table.Th>
          <Table.Th ta="right">Last value</Table.Th>
          <Table.Th ta="right">Maximum</Table.Th>
          <Table.Th ta="right">Used</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((s) => (
          <Table.Tr key={`${s.schema}.${s.sequence}`}>
            <Table.Td>
              {s.schema}.{s.sequence}
            </Table.Td>
            <Table.Td ta="right">{s.lastValueText === null ? 'not used yet' : formatCount(s.lastValueText)}</Table.Td>
            <Table.Td ta="right">
              {formatCount(s.maxValueText)}
              {/* The column's type, not the sequence, ends the range: say which column. */}
              {s.column ? (
                <Text size="xs" c="dimmed" title={`${s.column} is ${s.columnType ?? 'narrower'}: inserts fail when the sequence passes this value`}>
                  {s.columnType} column {s.column}
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td ta="right">
              <Text span size="sm" c={sequenceColor(s.pctUsed)}>
                {trimNumber(s.pctUsed)} %
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Buckets({ rows }: { rows: NonNullable<TableReport['buckets']> }) {
  if (rows.length === 0)
    return (
      <Text size="sm" c="dimmed">
        storage.objects exists but holds no objects.
      </Text>
    );
  return (
    <Table striped fz="sm" aria-label="Storage buckets">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Bucket</Table.Th>
          <Table.Th ta="right">Objects</Table.Th>
          <Table.Th ta="right">Size</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((b) => (
          <Table.Tr key={b.bucket}>
            <Table.Td>{b.bucket}</Table.Td>
            <Table.Td ta="right">{formatCount(b.objects)}</Table.Td>
            <Table.Td ta="right">{formatBytes(b.bytes)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function TablesTab({ profile, auth }: { profile: Profile; auth: PasswordState }) {
  const { password, needsPassword, noteError } = auth;
  const [vacuum, setVacuum] = useState<VacuumTarget | null>(null);
  const load = useCallback(() => api.getTableReport(profileInput(profile.id, password)), [profile.id, password]);
  const report = useLoad(load, !needsPassword, noteError);
  const { reload } = report;
  const onDone = useCallback(() => void reload(), [reload]);
  const data = report.data;
  const nearExhaustion = data ? data.sequences.filter((s) => s.pctUsed >= 75).length : 0;

  return (
    <Stack gap="md">
      <Group gap="sm">
        <Button size="xs" variant="default" onClick={() => void reload()} loading={report.loading}>
          Refresh
        </Button>
        {report.at ? (
          <Text size="xs" c="dimmed">
            Read {formatTime(report.at)}
          </Text>
        ) : null}
      </Group>
      {report.error ? <ErrorAlert title="Cannot read the table report" error={report.error} /> : null}
      {data ? (
        <>
          <Section title="Tables">
            <TablesTable tables={data.tables} onVacuum={setVacuum} />
          </Section>
          <Section title="Sequences">
            {nearExhaustion > 0 ? (
              <Badge color="red" mb="xs">
                {nearExhaustion} over 75 % of their range
              </Badge>
            ) : null}
            <Sequences rows={data.sequences} />
          </Section>
          {data.buckets ? (
            <Section title="Storage buckets">
              <Buckets rows={data.buckets} />
            </Section>
          ) : null}
        </>
      ) : !report.error ? (
        <Center h={160}>
          <Loader aria-label="Loading the table report" />
        </Center>
      ) : null}
      <VacuumDialog target={vacuum} profile={profile} password={password} onClose={() => setVacuum(null)} onDone={onDone} />
    </Stack>
  );
}
