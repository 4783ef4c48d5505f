// The navigation's reminder: a dot with a count on "Checklists" while the active profile's
// morning or evening checklist is due or overdue. The count is a description of the button
// (aria-description), not part of its name, so "Checklists" stays what a screen reader and
// a shortcut hint call it. A calendar that cannot be read shows nothing: a reminder must
// never get in the way of the screens.
import { Badge, Group } from '@mantine/core';
import { dueChecklists } from './panels-model';
import { useCalendar } from './useCalendar';

export interface DueChecklists {
  count: number;
  overdue: boolean;
  /** "1 due: Morning checklist (9 AM)"; null when nothing is due. */
  text: string | null;
}

export function useDueChecklists(profileId: string | null): DueChecklists {
  const { calendar } = useCalendar(profileId);
  if (!profileId || !calendar || calendar.profileId !== profileId) return { count: 0, overdue: false, text: null };
  const due = dueChecklists(calendar);
  if (due.length === 0) return { count: 0, overdue: false, text: null };
  const overdue = due.some((i) => i.state === 'overdue');
  return { count: due.length, overdue, text: `${due.length} ${overdue ? 'due (overdue)' : 'due'}: ${due.map((i) => i.title).join(', ')}` };
}

export function DueDot({ label, count, overdue }: { label: string; count: number; overdue: boolean }) {
  return (
    <Group gap={6} wrap="nowrap">
      <span>{label}</span>
      <Badge size="xs" circle color={overdue ? 'red' : 'yellow'} variant="filled" aria-hidden="true" data-due-count={count}>
        {count}
      </Badge>
    </Group>
  );
}
