// The maintenance calendar of a profile: each procedure with a cadence (the morning and
// evening checklists, weekly, monthly and quarterly maintenance), when it was last signed
// off and how that run went, when it is next due, and whether it is done, upcoming, due or
// overdue. "Start" hands the procedure to the screen, which runs it.
import { Badge, Button, Group, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import type { Profile } from '@contract/models';
import type { CalendarItem } from '@contract/runbook';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { formatTime } from '../../shared/format/time';
import { CADENCE_LABEL, CALENDAR_STATE_COLOR, relativeTime } from './panels-model';
import { StatusBadge } from './StepCard';
import { useCalendar } from './useCalendar';

export interface CalendarPanelProps {
  profile: Profile;
  /** Start a run of this procedure (its id, e.g. "maintenance.weekly" or "daily.morning"). */
  onStart: (procedureId: string) => void;
  /** Bumped by the screen after a sign-off so the panel reloads. */
  refreshKey: number;
}

export function CalendarStateBadge({ state }: { state: CalendarItem['state'] }) {
  return (
    <Badge color={CALENDAR_STATE_COLOR[state]} variant={state === 'upcoming' ? 'outline' : 'filled'} radius="sm" aria-label={`State: ${state.toUpperCase()}`}>
      {state.toUpperCase()}
    </Badge>
  );
}

function When({ iso, now }: { iso: string; now: number }) {
  return (
    <Stack gap={0}>
      <Text size="sm">{relativeTime(iso, now)}</Text>
      <Text size="xs" c="dimmed" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
        {formatTime(iso)}
      </Text>
    </Stack>
  );
}

function CalendarRow({ item, now, onStart }: { item: CalendarItem; now: number; onStart: (id: string) => void }) {
  return (
    <Table.Tr aria-label={item.title}>
      <Table.Td>
        <Text size="sm" fw={500}>
          {item.title}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">
          {CADENCE_LABEL[item.cadence]}
          {item.dueTime ? ` at ${item.dueTime}` : ''}
        </Text>
      </Table.Td>
      <Table.Td>
        {item.lastDoneAt ? (
          <Group gap="xs" wrap="nowrap">
            <When iso={item.lastDoneAt} now={now} />
            {item.lastStatus ? <StatusBadge status={item.lastStatus} size="sm" /> : null}
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            Never on this profile
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <When iso={item.dueAt} now={now} />
      </Table.Td>
      <Table.Td>
        <CalendarStateBadge state={item.state} />
      </Table.Td>
      <Table.Td>
        <Button
          size="xs"
          variant={item.state === 'due' || item.state === 'overdue' ? 'filled' : 'light'}
          onClick={() => onStart(item.procedureId)}
          aria-label={`Start ${item.title}`}
        >
          Start
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

export function CalendarPanel({ profile, onStart, refreshKey }: CalendarPanelProps) {
  const { calendar, error } = useCalendar(profile.id, refreshKey);
  // Relative times are measured from when the core computed the states, so they agree.
  const now = calendar ? new Date(calendar.now).getTime() : Date.now();
  return (
    <Paper component="section" withBorder p="md" aria-label="Maintenance calendar">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3}>Maintenance calendar</Title>
          {calendar ? (
            <Text size="xs" c="dimmed">
              As of {formatTime(calendar.now)}; refreshed every minute.
            </Text>
          ) : null}
        </Group>
        {error ? <ErrorAlert title="The maintenance calendar could not be read" error={error} /> : null}
        {!calendar ? (
          error ? null : (
            <Text size="sm" c="dimmed">
              Loading…
            </Text>
          )
        ) : calendar.items.length === 0 ? (
          <Text size="sm" c="dimmed">
            No procedure has a cadence, so nothing is scheduled. Checklists can still be run on demand above.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="xs" highlightOnHover aria-label="Maintenance items">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Item</Table.Th>
                  <Table.Th>Cadence</Table.Th>
                  <Table.Th>Last done</Table.Th>
                  <Table.Th>Next due</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {calendar.items.map((item) => (
                  <CalendarRow key={item.procedureId} item={item} now={now} onStart={onStart} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
