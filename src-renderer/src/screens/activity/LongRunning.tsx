// Active queries over the profile's query-time warning threshold, slowest first (the
// snapshot's order), each judged WARNING or CRITICAL.
import { Badge, Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import type { ActivitySnapshot, SessionRow } from '@contract/activity';
import { formatDuration } from '../../shared/format/time';
import { longRunningRows, msAsSeconds, thresholdText, type SignalAction } from './activity-model';
import { PINNED_RIGHT, WHOLE_BADGE } from '../../shared/components/table-styles';
import { QueryCell } from './SessionsTable';

export function LongRunning({ snapshot, onSignal }: { snapshot: ActivitySnapshot; onSignal: (action: SignalAction, row: SessionRow) => void }) {
  const rows = longRunningRows(snapshot);
  const thresholds = thresholdText(snapshot.queryWarnMs / 1000, snapshot.queryCriticalMs === null ? null : snapshot.queryCriticalMs / 1000, ' s');
  return (
    <Paper withBorder p="md" component="section" aria-label="Long-running queries">
      <Stack gap="sm">
        <Text size="xs" c="dimmed">
          Active queries {thresholds} (editable per profile in Checklists → Alert thresholds).
        </Text>
        {rows.length === 0 ? (
          <Text size="sm" c="dimmed">
            No query has been running longer than{msAsSeconds(snapshot.queryWarnMs)}.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={700} type="native">
            <Table aria-label="Long-running queries" striped verticalSpacing={4} fz="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Level</Table.Th>
                  <Table.Th ta="right">Running for</Table.Th>
                  <Table.Th>pid</Table.Th>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Application</Table.Th>
                  <Table.Th>Wait event</Table.Th>
                  <Table.Th>Query</Table.Th>
                  <Table.Th style={PINNED_RIGHT}>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map(({ row, level }) => (
                  <Table.Tr key={row.pid} aria-label={`Long-running ${row.pid}`}>
                    <Table.Td>
                      <Badge color={level === 'critical' ? 'red' : 'yellow'} variant="filled" aria-label={`Level: ${level.toUpperCase()}`} style={WHOLE_BADGE}>
                        {level === 'ok' ? 'OK' : level.toUpperCase()}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {formatDuration(row.queryDurationMs)}
                    </Table.Td>
                    <Table.Td ff="monospace">{row.pid}</Table.Td>
                    <Table.Td>{row.user ?? '—'}</Table.Td>
                    <Table.Td>{row.application || '—'}</Table.Td>
                    <Table.Td>{row.waitEventType ? `${row.waitEventType}: ${row.waitEvent ?? ''}` : '—'}</Table.Td>
                    <Table.Td miw={220}>
                      <QueryCell row={row} expanded={false} />
                    </Table.Td>
                    <Table.Td style={PINNED_RIGHT}>
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-xs" variant="light" color="orange" onClick={() => onSignal('cancel', row)} aria-label={`Cancel ${row.pid}`}>
                          Cancel
                        </Button>
                        <Button size="compact-xs" variant="light" color="red" onClick={() => onSignal('terminate', row)} aria-label={`Terminate ${row.pid}`}>
                          Terminate
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
