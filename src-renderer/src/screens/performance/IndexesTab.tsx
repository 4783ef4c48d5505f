// Indexes: unused ones (with the statistics-reset caveat), duplicates and overlaps (which to
// keep, which to drop, sizes), invalid ones, tables read by sequential scans over many rows,
// and the usage of every index. Dropping is never done here: the DROP opens in the console,
// where its guards apply; an index in a platform-managed schema (auth, storage…) gets no DROP.
import { Alert, Badge, Button, Card, Center, Code, Group, Loader, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useCallback, type ReactNode } from 'react';
import type { IndexReport, IndexUsage } from '@contract/monitoring';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { useAppState } from '../../shared/state/app-state';
import { formatCount } from '../../shared/format/numbers';
import { formatTime } from '../../shared/format/time';
import { dropIndexSql, duplicateAdvice, formatBytes, resetCaveat } from './performance-model';
import type { PasswordState } from '../../shared/hooks/usePassword';
import { profileInput, useLoad } from './usePerformance';
import { NOWRAP, PINNED_RIGHT, WHOLE_BADGE, WRAP_NAME } from '../../shared/components/table-styles';

function Section({ title, count, children }: { title: string; count: number; children: ReactNode }) {
  return (
    <Card withBorder padding="sm" radius="md" component="section" aria-label={title}>
      <Group gap="xs" mb="xs">
        <Title order={3} size="h5">
          {title}
        </Title>
        <Badge variant="light" color={count > 0 ? 'yellow' : 'gray'}>
          {count}
        </Badge>
      </Group>
      {children}
    </Card>
  );
}

function DropButton({ index }: { index: IndexUsage }) {
  const { openInQuery } = useAppState();
  return (
    <Button
      size="compact-xs"
      variant="default"
      onClick={() => openInQuery(dropIndexSql(index.schema, index.index), `Drop ${index.index}`)}
      aria-label={`Open DROP INDEX ${index.index} in the console`}
    >
      DROP in console
    </Button>
  );
}

function IndexRows({ rows, withDrop }: { rows: IndexUsage[]; withDrop: boolean }) {
  return (
    <Table.ScrollContainer minWidth={720} type="native">
      <Table striped fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Index</Table.Th>
            <Table.Th>Table</Table.Th>
            <Table.Th ta="right">Scans</Table.Th>
            <Table.Th ta="right">Tuples read</Table.Th>
            <Table.Th ta="right">Tuples fetched</Table.Th>
            <Table.Th ta="right">Size</Table.Th>
            <Table.Th>Kind</Table.Th>
            {withDrop ? (
              <Table.Th style={PINNED_RIGHT}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            ) : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((i) => (
            <Table.Tr key={`${i.schema}.${i.index}`} aria-label={`Index ${i.schema}.${i.index}`}>
              <Table.Td style={WRAP_NAME}>
                <Text size="sm" ff="monospace" title={i.definition} style={WRAP_NAME}>
                  {i.index}
                </Text>
              </Table.Td>
              <Table.Td style={WRAP_NAME}>
                {i.schema}.{i.table}
              </Table.Td>
              <Table.Td ta="right">{formatCount(i.scans)}</Table.Td>
              <Table.Td ta="right">{formatCount(i.tuplesRead)}</Table.Td>
              <Table.Td ta="right">{formatCount(i.tuplesFetched)}</Table.Td>
              <Table.Td ta="right" style={NOWRAP}>
                {formatBytes(i.bytes)}
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {i.primary ? (
                    <Badge size="xs" variant="light" style={WHOLE_BADGE}>
                      primary
                    </Badge>
                  ) : i.unique ? (
                    <Badge size="xs" variant="light" style={WHOLE_BADGE}>
                      unique
                    </Badge>
                  ) : null}
                  {i.constraint && !i.primary ? (
                    <Badge size="xs" variant="light" style={WHOLE_BADGE}>
                      constraint
                    </Badge>
                  ) : null}
                  {!i.valid ? (
                    <Badge size="xs" color="red" style={WHOLE_BADGE}>
                      invalid
                    </Badge>
                  ) : null}
                  {i.platform ? (
                    <Badge size="xs" color="gray" variant="outline" style={WHOLE_BADGE} title="In a schema the platform manages: not for dropping">
                      platform
                    </Badge>
                  ) : null}
                </Group>
              </Table.Td>
              {withDrop ? <Table.Td style={PINNED_RIGHT}>{i.platform ? null : <DropButton index={i} />}</Table.Td> : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Duplicates({ pairs }: { pairs: IndexReport['duplicates'] }) {
  if (pairs.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No duplicate or overlapping indexes.
      </Text>
    );
  return (
    <Stack gap="xs">
      {pairs.map((p) => (
        <Card
          key={`${p.drop.schema}.${p.drop.index}`}
          withBorder
          padding="xs"
          role="group"
          aria-label={`${p.kind === 'duplicate' ? 'Duplicate' : 'Overlapping'} index ${p.drop.index}`}
        >
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
              <Group gap="xs">
                <Badge color={p.kind === 'duplicate' ? 'red' : 'yellow'} variant="light">
                  {p.kind}
                </Badge>
                <Text size="sm">{duplicateAdvice(p)}</Text>
              </Group>
              <Text size="xs">
                Keep <Code style={{ overflowWrap: 'anywhere' }}>{p.keep.definition}</Code> ({formatBytes(p.keep.bytes)}, {formatCount(p.keep.scans)} scans)
              </Text>
              <Text size="xs">
                Drop <Code style={{ overflowWrap: 'anywhere' }}>{p.drop.definition}</Code> ({formatBytes(p.drop.bytes)}, {formatCount(p.drop.scans)} scans)
              </Text>
            </Stack>
            {p.drop.constraint ? (
              <Text size="xs" c="dimmed">
                backs a constraint: drop the constraint instead
              </Text>
            ) : (
              <DropButton index={p.drop} />
            )}
          </Group>
        </Card>
      ))}
    </Stack>
  );
}

function SeqScans({ rows }: { rows: IndexReport['seqScanHeavy'] }) {
  if (rows.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No table is read mostly by sequential scans over many rows.
      </Text>
    );
  return (
    <Table striped fz="sm" aria-label="Sequential scans">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Table</Table.Th>
          <Table.Th ta="right">Sequential scans</Table.Th>
          <Table.Th ta="right">Rows read by them</Table.Th>
          <Table.Th ta="right">Index scans</Table.Th>
          <Table.Th ta="right">Rows</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={`${r.schema}.${r.table}`}>
            <Table.Td style={WRAP_NAME}>
              {r.schema}.{r.table}
            </Table.Td>
            <Table.Td ta="right">{formatCount(r.seqScans)}</Table.Td>
            <Table.Td ta="right">{formatCount(r.seqTuplesRead)}</Table.Td>
            <Table.Td ta="right">{formatCount(r.indexScans)}</Table.Td>
            <Table.Td ta="right">{formatCount(r.rows)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Report({ report }: { report: IndexReport }) {
  return (
    <Stack gap="md">
      <Section title="Unused indexes" count={report.unused.length}>
        <Alert color="blue" variant="light" mb="xs">
          <Text size="xs">{resetCaveat(report.statsReset, formatTime)} Unique, primary-key and constraint-backing indexes are never listed.</Text>
        </Alert>
        {report.unused.length === 0 ? (
          <Text size="sm" c="dimmed">
            Every other index has been scanned.
          </Text>
        ) : (
          <IndexRows rows={report.unused} withDrop />
        )}
      </Section>
      <Section title="Duplicate and overlapping indexes" count={report.duplicates.length}>
        <Duplicates pairs={report.duplicates} />
      </Section>
      <Section title="Invalid indexes" count={report.invalid.length}>
        {report.invalid.length === 0 ? (
          <Text size="sm" c="dimmed">
            No invalid index.
          </Text>
        ) : (
          <>
            <Text size="xs" mb="xs">
              An invalid index (a failed CREATE INDEX CONCURRENTLY) is maintained on every write but never used: rebuild it (REINDEX INDEX CONCURRENTLY) or drop
              it.
            </Text>
            <IndexRows rows={report.invalid} withDrop />
          </>
        )}
      </Section>
      <Section title="Tables with heavy sequential scans" count={report.seqScanHeavy.length}>
        <SeqScans rows={report.seqScanHeavy} />
      </Section>
      <Section title="Index usage" count={report.indexes.length}>
        {report.indexes.length === 0 ? (
          <Text size="sm" c="dimmed">
            No index in this database.
          </Text>
        ) : (
          <IndexRows rows={report.indexes} withDrop={false} />
        )}
      </Section>
    </Stack>
  );
}

export function IndexesTab({ profileId, auth }: { profileId: string; auth: PasswordState }) {
  const { password, needsPassword, noteError } = auth;
  const load = useCallback(() => api.getIndexReport(profileInput(profileId, password)), [profileId, password]);
  const report = useLoad(load, !needsPassword, noteError);
  return (
    <Stack gap="md">
      <Group gap="sm">
        <Button size="xs" variant="default" onClick={() => void report.reload()} loading={report.loading}>
          Refresh
        </Button>
        {report.at ? (
          <Text size="xs" c="dimmed">
            Read {formatTime(report.at)}
          </Text>
        ) : null}
      </Group>
      {report.error ? <ErrorAlert title="Cannot read the index report" error={report.error} /> : null}
      {report.data ? (
        <Report report={report.data} />
      ) : !report.error ? (
        <Center h={160}>
          <Loader aria-label="Loading the index report" />
        </Center>
      ) : null}
    </Stack>
  );
}
