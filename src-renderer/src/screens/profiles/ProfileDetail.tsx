// One profile: what it points at, who to call, and what can be done with it.
import { Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { Profile } from '@contract/models';
import { EnvBadge, ReadOnlyBadge } from '../../shared/components/EnvBadge';
import { useAppState } from '../../shared/state/app-state';
import { formatTime } from '../../shared/format/time';
import { DeleteProfileModal, DuplicateProfileModal } from './ProfileModals';
import { ESCALATION_LEVELS } from '../../shared/labels/escalation';
import { SshDetail } from './SshDetail';
import { TestConnectionPanel } from './TestConnectionPanel';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      {/* Hosts, certificate paths and endpoints are long unbroken strings: wrap them anywhere. */}
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}

export function ProfileDetail({ profile, onEdit, onSelect }: { profile: Profile; onEdit: () => void; onSelect: (id: string | null) => void }) {
  const { active, setActiveId } = useAppState();
  const [dialog, setDialog] = useState<null | 'delete' | 'duplicate'>(null);
  const level = ESCALATION_LEVELS.find((l) => l.value === String(profile.escalationLevel));

  return (
    <Paper withBorder p="lg" aria-label={`Profile ${profile.name}`} component="section">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <Group gap="sm" miw={0}>
            <Title order={3} style={{ overflowWrap: 'anywhere' }}>
              {profile.name}
            </Title>
            <EnvBadge env={profile.env} />
            <ReadOnlyBadge readOnly={profile.readOnly} />
          </Group>
          <Group gap="xs">
            {active?.id !== profile.id ? (
              <Button variant="light" onClick={() => setActiveId(profile.id)}>
                Make active
              </Button>
            ) : null}
            <Button variant="default" onClick={onEdit}>
              Edit
            </Button>
            <Button variant="default" onClick={() => setDialog('duplicate')}>
              Duplicate
            </Button>
            <Button variant="outline" color="red" onClick={() => setDialog('delete')}>
              Delete…
            </Button>
          </Group>
        </Group>

        <SimpleGrid cols={{ base: 2, lg: 4 }} spacing="md">
          <Field label="Host">{profile.host}</Field>
          <Field label="Port">{profile.port}</Field>
          <Field label="Database">{profile.database}</Field>
          <Field label="User">{profile.user}</Field>
          <Field label="SSL mode">{profile.sslmode}</Field>
          <Field label="SSL root certificate">{profile.sslRootCert ?? '—'}</Field>
          <Field label="Statement timeout">{profile.statementTimeoutMs === null ? 'none' : `${profile.statementTimeoutMs} ms`}</Field>
          <Field label="Password">{profile.hasSecret ? 'stored in the secret store' : 'not stored'}</Field>
          <Field label="Supabase Storage (S3)">
            {profile.storage
              ? `${profile.storage.endpoint} (${profile.storage.region}, key id ${profile.storage.accessKeyId}; secret ${profile.hasStorageSecret ? 'stored' : 'not stored'})`
              : 'not set'}
          </Field>
          <Field label="Escalation level">{level ? `${level.label} — ${level.meaning}` : 'not set'}</Field>
          <Field label="Updated">{formatTime(profile.updatedAt)}</Field>
        </SimpleGrid>

        <SshDetail profile={profile} />

        {profile.contacts.length > 0 ? (
          <Table withTableBorder aria-label="Emergency contacts" style={{ overflowWrap: 'anywhere' }}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Role</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Contact</Table.Th>
                <Table.Th>Availability</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {profile.contacts.map((c, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{c.role}</Table.Td>
                  <Table.Td>{c.name}</Table.Td>
                  <Table.Td>{c.contact}</Table.Td>
                  <Table.Td>{c.availability}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : (
          <Text size="sm" c="dimmed">
            No emergency contacts recorded. Edit the profile to add the runbook's contacts.
          </Text>
        )}
        {profile.notes ? (
          <Field label="Notes">
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {profile.notes}
            </Text>
          </Field>
        ) : null}

        <TestConnectionPanel profile={profile} />
      </Stack>

      <DeleteProfileModal
        profile={profile}
        opened={dialog === 'delete'}
        onClose={() => setDialog(null)}
        onRemoved={() => {
          setDialog(null);
          if (active?.id === profile.id) setActiveId(null);
          onSelect(null);
        }}
      />
      <DuplicateProfileModal
        profile={profile}
        opened={dialog === 'duplicate'}
        onClose={() => setDialog(null)}
        onDuplicated={(copy) => {
          setDialog(null);
          onSelect(copy.id);
        }}
      />
    </Paper>
  );
}
