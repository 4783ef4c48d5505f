import { Badge, Table, Text } from '@mantine/core';
import type { AuditEntry } from '@contract/models';
import { formatDuration, formatTime, OUTCOME_COLORS } from './audit-tools';

export function OutcomeBadge({ outcome }: { outcome: AuditEntry['outcome'] }) {
  return (
    <Badge color={OUTCOME_COLORS[outcome]} variant={outcome === 'error' ? 'filled' : 'light'} radius="sm">
      {outcome}
    </Badge>
  );
}

type Row = AuditEntry & { workstation?: string; workstationId?: string };

/** `showWorkstation`: the team's trail (issue #22), where ids repeat across workstations; host names may too, so the id's start is shown beside the name. */
export function AuditTable<E extends Row>({
  entries,
  onOpen,
  showWorkstation = false,
}: {
  entries: E[];
  onOpen: (entry: E) => void;
  showWorkstation?: boolean;
}) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table highlightOnHover verticalSpacing="xs" aria-label="Audit entries" stickyHeader>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            {showWorkstation ? <Table.Th>Workstation</Table.Th> : null}
            <Table.Th>Actor</Table.Th>
            <Table.Th>Profile</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th>Summary</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((e) => (
            <Table.Tr
              key={`${e.workstationId ?? ''}:${e.id}`}
              onClick={() => onOpen(e)}
              onKeyDown={(ev) => {
                if (ev.key === 'Enter' || ev.key === ' ') {
                  ev.preventDefault();
                  onOpen(e);
                }
              }}
              tabIndex={0}
              style={{ cursor: 'pointer' }}
              data-entry-id={e.id}
            >
              <Table.Td>
                <Text size="sm" ff="monospace" title={e.at} style={{ whiteSpace: 'nowrap' }}>
                  {formatTime(e.at)}
                </Text>
              </Table.Td>
              {showWorkstation ? (
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: 'nowrap' }} title={e.workstationId}>
                    {e.workstation ?? '—'}
                    {e.workstationId ? ` · ${e.workstationId.slice(0, 8)}` : ''}
                  </Text>
                </Table.Td>
              ) : null}
              <Table.Td>
                <Text size="sm">{e.actor}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={e.profile ? undefined : 'dimmed'} style={{ whiteSpace: 'nowrap' }}>
                  {e.profile ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {e.action}
                </Text>
              </Table.Td>
              <Table.Td>
                <OutcomeBadge outcome={e.outcome} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                  {formatDuration(e.durationMs)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" lineClamp={1} title={e.summary}>
                  {e.summary}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
