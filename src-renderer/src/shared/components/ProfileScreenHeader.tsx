// A screen's title with the active profile beside it (name and environment), as the Backups
// and Restore screens show it; nothing beside it when no profile is active.
import { Group, Text, Title } from '@mantine/core';
import type { Profile } from '@contract/models';
import { EnvBadge } from './EnvBadge';

export function ProfileScreenHeader({ title, active }: { title: string; active: Profile | null }) {
  return (
    <Group gap="sm" align="center">
      <Title order={2}>{title}</Title>
      {active ? (
        <>
          <Text c="dimmed">{active.name}</Text>
          <EnvBadge env={active.env} />
        </>
      ) : null}
    </Group>
  );
}
