// The restore dialog's choice of what to restore: a filter over `bucket/key`, a checkbox per
// bucket and folder (all / some / none of what the filter shows), the matching objects one by
// one (the first OBJECTS_SHOWN: a longer list is narrowed by the filter, not scrolled through),
// and the count and size of what is chosen. The choice itself lives in the dialog.
import { Checkbox, Group, Paper, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { useMemo, useState } from 'react';
import { formatBytes, formatCount } from '../../../shared/format/numbers';
import { checkState, groupsOf, matching, MAX_CHOSEN, toggled, totalOf, type Choosable } from './restore-choice';

const OBJECTS_SHOWN = 200;

function GroupBox({
  label,
  state,
  onToggle,
  disabled,
  detail,
  indent,
}: {
  label: string;
  state: 'all' | 'some' | 'none';
  onToggle: () => void;
  disabled: boolean;
  detail: string;
  indent: boolean;
}) {
  return (
    <Group gap="xs" wrap="nowrap" pl={indent ? 'lg' : 0}>
      <Checkbox
        size="xs"
        label={label}
        aria-label={indent ? `Folder ${label}` : `Bucket ${label}`}
        checked={state === 'all'}
        indeterminate={state === 'some'}
        onChange={onToggle}
        disabled={disabled}
        styles={{ label: { wordBreak: 'break-all' } }}
      />
      <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
        {detail}
      </Text>
    </Group>
  );
}

export function RestoreChooser({
  objects,
  chosen,
  onChange,
  disabled,
}: {
  objects: Choosable[];
  chosen: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
  disabled: boolean;
}) {
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => matching(objects, filter), [objects, filter]);
  const groups = useMemo(() => groupsOf(shown), [shown]);
  const shownIds = useMemo(() => shown.map((o) => o.id), [shown]);
  const total = useMemo(() => totalOf(objects, chosen), [objects, chosen]);
  const all = checkState(shownIds, chosen);
  const filtered = filter.trim() !== '';

  return (
    <Paper withBorder p="sm" component="section" aria-label="Objects to restore">
      <Stack gap="xs">
        <TextInput
          size="xs"
          aria-label="Filter objects"
          placeholder="Filter by bucket, folder or name"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          autoComplete="off"
          spellCheck={false}
          disabled={disabled}
        />
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Checkbox
            size="xs"
            label={filtered ? `Select all ${formatCount(shown.length)} matching` : 'Select all'}
            checked={all === 'all' && shown.length > 0}
            indeterminate={all === 'some'}
            onChange={() => onChange(toggled(shownIds, chosen))}
            disabled={disabled || shown.length === 0}
          />
          <Text size="sm" fw={600} role="status" aria-label="Chosen">
            Chosen: {formatCount(total.objects)} of {formatCount(objects.length)} objects · {formatBytes(total.bytes)}
          </Text>
        </Group>
        {total.objects > MAX_CHOSEN && total.objects < objects.length ? (
          <Text size="xs" c="red">
            At most {formatCount(MAX_CHOSEN)} objects can be chosen one by one: choose all, or fewer.
          </Text>
        ) : null}
        <ScrollArea.Autosize mah={130} type="auto" aria-label="Buckets and folders">
          <Stack gap={4}>
            {groups.map((g) => (
              <GroupBox
                key={g.id}
                label={g.label}
                state={checkState(g.ids, chosen)}
                onToggle={() => onChange(toggled(g.ids, chosen))}
                disabled={disabled}
                detail={`${formatCount(g.ids.length)} · ${formatBytes(g.bytes)}`}
                indent={g.folder !== null}
              />
            ))}
          </Stack>
        </ScrollArea.Autosize>
        <ScrollArea.Autosize mah={150} type="auto" aria-label="Objects">
          <Stack gap={2}>
            {shown.slice(0, OBJECTS_SHOWN).map((o) => (
              <Group key={o.id} gap="xs" wrap="nowrap">
                <Checkbox
                  size="xs"
                  label={`${o.bucket}/${o.key}`}
                  checked={chosen.has(o.id)}
                  onChange={() => onChange(toggled([o.id], chosen))}
                  disabled={disabled}
                  styles={{ label: { wordBreak: 'break-all' } }}
                />
                <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {formatBytes(o.size)}
                </Text>
              </Group>
            ))}
            {shown.length === 0 ? (
              <Text size="xs" c="dimmed">
                Nothing matches the filter.
              </Text>
            ) : null}
            {shown.length > OBJECTS_SHOWN ? (
              <Text size="xs" c="dimmed">
                and {formatCount(shown.length - OBJECTS_SHOWN)} more: narrow the filter to see them one by one
              </Text>
            ) : null}
          </Stack>
        </ScrollArea.Autosize>
      </Stack>
    </Paper>
  );
}
