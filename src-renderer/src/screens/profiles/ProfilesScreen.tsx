// Profiles: the list, the selected profile's details and actions, and the editor.
import { Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import type { Profile } from '@contract/models';
import { EnvBadge, ReadOnlyBadge } from '../../shared/components/EnvBadge';
import { IconCheck } from '../../shared/components/icons';
import { useAppState } from '../../shared/state/app-state';
import { ProfileDetail } from './ProfileDetail';
import { ProfileForm } from './ProfileForm';

type Mode = { kind: 'list' } | { kind: 'new' } | { kind: 'edit'; profile: Profile };

export function ProfilesScreen() {
  const { profiles, active, setActiveId, reloadProfiles, newProfilePending, clearNewProfileRequest } = useAppState();
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [selectedId, setSelectedId] = useState<string | null>(active?.id ?? null);

  // "Add a connection profile" on the first-run screen lands here with the form open.
  useEffect(() => {
    if (!newProfilePending) return;
    setMode({ kind: 'new' });
    clearNewProfileRequest();
  }, [newProfilePending, clearNewProfileRequest]);

  const selected = profiles.find((p) => p.id === selectedId) ?? active ?? profiles[0] ?? null;

  async function onSaved(saved: Profile) {
    await reloadProfiles();
    setSelectedId(saved.id);
    if (!active) setActiveId(saved.id);
    setMode({ kind: 'list' });
    notifications.show({ color: 'teal', title: 'Profile saved', message: `“${saved.name}” is saved.`, icon: <IconCheck size={16} /> });
  }

  if (mode.kind !== 'list') {
    return (
      <ProfileForm
        key={mode.kind === 'edit' ? mode.profile.id : 'new'}
        editing={mode.kind === 'edit' ? mode.profile : null}
        onSaved={(p) => void onSaved(p)}
        onCancel={() => setMode({ kind: 'list' })}
      />
    );
  }

  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <div>
          <Title order={2}>Profiles</Title>
          <Text size="sm" c="dimmed">
            Saved connections. The active one (header) is what every screen works against.
          </Text>
        </div>
        <Button onClick={() => setMode({ kind: 'new' })}>Add profile</Button>
      </Group>

      {profiles.length === 0 ? (
        <Paper withBorder p="xl">
          <Stack gap="sm" align="flex-start">
            <Title order={3} size="h4">
              No profiles yet
            </Title>
            <Text size="sm">
              Add one with <b>Add profile</b> (you can paste a postgres:// URI or read ~/.pg_service.conf), or start the demo sandbox from a terminal:{' '}
              <code>ops-console sandbox start</code>.
            </Text>
            <Button onClick={() => setMode({ kind: 'new' })}>Add a connection profile</Button>
          </Stack>
        </Paper>
      ) : (
        <Paper withBorder>
          <Table highlightOnHover verticalSpacing="sm" aria-label="Connection profiles">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Environment</Table.Th>
                <Table.Th>Server</Table.Th>
                <Table.Th>User</Table.Th>
                <Table.Th>Access</Table.Th>
                <Table.Th>Password</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {profiles.map((p) => (
                <Table.Tr
                  key={p.id}
                  onClick={() => setSelectedId(p.id)}
                  aria-selected={selected?.id === p.id}
                  bg={selected?.id === p.id ? 'var(--mantine-primary-color-light)' : undefined}
                  style={{ cursor: 'pointer' }}
                >
                  <Table.Td>
                    <Group gap="xs">
                      <Text fw={600} size="sm" style={{ overflowWrap: 'anywhere' }}>
                        {p.name}
                      </Text>
                      {active?.id === p.id ? (
                        <Badge size="xs" variant="dot">
                          active
                        </Badge>
                      ) : null}
                    </Group>
                    {p.tags.length > 0 ? (
                      <Group gap={4} mt={4} aria-label={`Tags of ${p.name}`}>
                        {p.tags.map((t) => (
                          <Badge key={t} size="xs" variant="outline" color="gray" tt="none">
                            {t}
                          </Badge>
                        ))}
                      </Group>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <EnvBadge env={p.env} />
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                        {p.host}:{p.port}/{p.database}
                      </Text>
                      {p.ssh ? (
                        <Badge size="xs" variant="light" color="gray" title={`through ${p.ssh.user}@${p.ssh.host}:${p.ssh.port}`}>
                          via SSH
                        </Badge>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                      {p.user}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <ReadOnlyBadge readOnly={p.readOnly} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c={p.hasSecret ? undefined : 'dimmed'}>
                      {p.hasSecret ? 'stored' : 'not stored'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}

      {selected ? (
        <ProfileDetail key={selected.id} profile={selected} onEdit={() => setMode({ kind: 'edit', profile: selected })} onSelect={(id) => setSelectedId(id)} />
      ) : null}
    </Stack>
  );
}
