// One row per profile, worst first: who it is, what the last overview said (and its worst
// check), how the last try to reach it went, size and connections, the last backup's age
// against the RPO, the last drill against the RTO, and today's morning and evening checklists.
// Clicking a row (or its Open button) makes that profile the active one and opens Performance.
import { Badge, Button, Group, Stack, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import type { FleetChecklist, FleetRow } from '@contract/fleet-screen';
import { EnvBadge } from '../../shared/components/EnvBadge';
import { NOWRAP, PINNED_RIGHT, WHOLE_BADGE, WRAP_NAME } from '../../shared/components/table-styles';
import { formatBytes, formatCount } from '../../shared/format/numbers';
import { formatTime } from '../../shared/format/time';
import { ageText, agoText, CHECKLIST_COLORS, connectionText, STATUS_COLORS, STATUS_LABELS } from './fleet-model';

function StatusCell({ row }: { row: FleetRow }) {
  const worst = row.overview?.worstCheck ?? null;
  return (
    <Stack gap={2}>
      <Badge
        color={STATUS_COLORS[row.status]}
        variant={row.status === 'unknown' ? 'outline' : 'filled'}
        radius="sm"
        style={WHOLE_BADGE}
        aria-label={`Status: ${STATUS_LABELS[row.status]}`}
      >
        {STATUS_LABELS[row.status]}
      </Badge>
      {worst ? (
        <Tooltip label={worst.summary} multiline w={320} withinPortal>
          <Text size="xs" c={STATUS_COLORS[worst.status]} style={NOWRAP}>
            {worst.label}: {STATUS_LABELS[worst.status]}
          </Text>
        </Tooltip>
      ) : row.overview ? (
        <Text size="xs" c="dimmed">
          every check ok
        </Text>
      ) : null}
    </Stack>
  );
}

function ConnectionCell({ row, now }: { row: FleetRow; now: number }) {
  const c = row.connection;
  return (
    <Stack gap={2} style={{ maxWidth: 260 }}>
      <Text size="sm" c={c.state === 'error' ? 'red' : c.state === 'never' ? 'dimmed' : undefined} lineClamp={2} title={connectionText(row)}>
        {connectionText(row)}
      </Text>
      {c.at ? (
        <Text size="xs" c="dimmed" title={formatTime(c.at)}>
          {agoText(c.at, now)}
          {c.state === 'error' && row.overview ? ` · last answer ${agoText(row.overview.at, now)}` : ''}
        </Text>
      ) : null}
    </Stack>
  );
}

function BackupCell({ row }: { row: FleetRow }) {
  const b = row.backup;
  if (!b)
    return (
      <Badge color="red" variant="light" radius="sm" style={WHOLE_BADGE}>
        no backup
      </Badge>
    );
  return (
    <Stack gap={2}>
      <Text size="sm" title={formatTime(b.at)} style={NOWRAP}>
        {ageText(b.ageMs)} old
      </Text>
      <Badge color={b.withinRpo ? 'green' : 'yellow'} variant="light" radius="sm" style={WHOLE_BADGE} title={`RPO ${ageText(b.rpoMs)}`}>
        {b.withinRpo ? 'within RPO' : `past RPO (${ageText(b.rpoMs)})`}
      </Badge>
    </Stack>
  );
}

function DrillCell({ row, now }: { row: FleetRow; now: number }) {
  const d = row.drill;
  if (!d)
    return (
      <Text size="sm" c="dimmed">
        no drill
      </Text>
    );
  const color = d.status === 'ok' ? 'green' : d.status === 'running' ? 'blue' : 'red';
  return (
    <Stack gap={2}>
      <Group gap={4} wrap="nowrap">
        <Badge color={color} variant="light" radius="sm" style={WHOLE_BADGE}>
          {d.status}
        </Badge>
        {d.rtoMet !== null ? (
          <Badge color={d.rtoMet ? 'green' : 'yellow'} variant="outline" radius="sm" style={WHOLE_BADGE} title={`RTO ${ageText(d.rtoMs)}`}>
            {d.rtoMet ? 'RTO met' : 'RTO missed'}
          </Badge>
        ) : null}
      </Group>
      <Text size="xs" c="dimmed" title={formatTime(d.at)} style={NOWRAP}>
        {agoText(d.at, now)}
        {d.restoreMs !== null ? ` · restore ${ageText(d.restoreMs)}` : ''}
      </Text>
    </Stack>
  );
}

function ChecklistCell({ item, name }: { item: FleetChecklist | null; name: string }) {
  if (!item) return <Text size="sm">—</Text>;
  const when = item.dueTime ? ` (due ${item.dueTime})` : '';
  return (
    <Badge
      color={CHECKLIST_COLORS[item.state]}
      variant={item.state === 'upcoming' ? 'outline' : 'filled'}
      radius="sm"
      style={WHOLE_BADGE}
      aria-label={`${name} checklist: ${item.state}${when}`}
      title={item.lastDoneAt ? `last signed off ${formatTime(item.lastDoneAt)}` : 'never signed off on this profile'}
    >
      {item.state}
    </Badge>
  );
}

export function FleetTable({ rows, now, onOpen }: { rows: FleetRow[]; now: number; onOpen: (row: FleetRow) => void }) {
  return (
    <Table.ScrollContainer minWidth={1180} type="native">
      <Table highlightOnHover verticalSpacing="xs" aria-label="Fleet">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Profile</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Connection</Table.Th>
            <Table.Th>Size</Table.Th>
            <Table.Th>Connections</Table.Th>
            <Table.Th>Last backup</Table.Th>
            <Table.Th>Last drill</Table.Th>
            <Table.Th>Morning</Table.Th>
            <Table.Th>Evening</Table.Th>
            <Table.Th style={PINNED_RIGHT}>
              <VisuallyHidden>Open</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.profileId} aria-label={row.name} data-status={row.status} onClick={() => onOpen(row)} style={{ cursor: 'pointer' }}>
              <Table.Td style={WRAP_NAME}>
                <Stack gap={2}>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={600} style={NOWRAP}>
                      {row.name}
                    </Text>
                    <EnvBadge env={row.env} size="xs" style={WHOLE_BADGE} />
                  </Group>
                  {row.tags.length > 0 || row.readOnly ? (
                    <Group gap={4}>
                      {row.tags.map((t) => (
                        <Badge key={t} size="xs" variant="default" radius="sm" tt="none" style={WHOLE_BADGE}>
                          {t}
                        </Badge>
                      ))}
                      {row.readOnly ? (
                        <Text size="xs" c="dimmed">
                          read-only
                        </Text>
                      ) : null}
                    </Group>
                  ) : null}
                  {row.attention.length > 0 ? (
                    <Text size="xs" c="yellow.8">
                      {row.attention.join(' · ')}
                    </Text>
                  ) : null}
                </Stack>
              </Table.Td>
              <Table.Td>
                <StatusCell row={row} />
              </Table.Td>
              <Table.Td>
                <ConnectionCell row={row} now={now} />
              </Table.Td>
              <Table.Td style={NOWRAP}>{row.overview ? formatBytes(row.overview.databaseSizeBytes) : '—'}</Table.Td>
              <Table.Td style={NOWRAP}>
                {row.overview ? `${formatCount(row.overview.connections)} of ${formatCount(row.overview.maxConnections)}` : '—'}
              </Table.Td>
              <Table.Td>
                <BackupCell row={row} />
              </Table.Td>
              <Table.Td>
                <DrillCell row={row} now={now} />
              </Table.Td>
              <Table.Td>
                <ChecklistCell item={row.checklists.morning} name="Morning" />
              </Table.Td>
              <Table.Td>
                <ChecklistCell item={row.checklists.evening} name="Evening" />
              </Table.Td>
              <Table.Td style={PINNED_RIGHT}>
                <Button
                  size="xs"
                  variant="light"
                  aria-label={`Open ${row.name}`}
                  onClick={(event) => {
                    event.stopPropagation();
                    onOpen(row);
                  }}
                >
                  Open
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
