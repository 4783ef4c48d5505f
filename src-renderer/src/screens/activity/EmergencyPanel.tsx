// "Database down": the runbook's first minutes in one place. The staged connection test says
// where the route breaks; when it connects, the latest snapshot's active connections, lock
// waits and database size; and always who to call, from the profile.
import { Alert, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { ActivitySnapshot } from '@contract/activity';
import type { ConnectionTestResult, Profile } from '@contract/models';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatCount, formatBytes } from '../../shared/format/numbers';
import { formatTime } from '../../shared/format/time';
import { ESCALATION_LEVELS } from '../../shared/labels/escalation';
import { Stat } from './ConnectionGauge';

export function EmergencyPanel({
  profile,
  password,
  snapshot,
  lastSuccessAt,
  onRefresh,
}: {
  profile: Profile;
  password: string | undefined;
  snapshot: ActivitySnapshot | null;
  lastSuccessAt: string | null;
  onRefresh: () => Promise<void>;
}) {
  const [running, setRunning] = useState(false);
  const [test, setTest] = useState<ConnectionTestResult | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const level = ESCALATION_LEVELS.find((l) => l.value === String(profile.escalationLevel));

  async function run() {
    setRunning(true);
    setError(null);
    try {
      const result = await api.testProfile({ id: profile.id, ...(password ? { password } : {}) });
      setTest(result);
      if (result.ok) await onRefresh();
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setRunning(false);
    }
  }

  return (
    <Paper withBorder p="md" component="section" aria-label="Database down">
      <Stack gap="md">
        <Group justify="space-between">
          <Text size="sm">Step 1: where does the connection fail? Then, if it connects: how loaded and locked is it? And who to call.</Text>
          <Button onClick={() => void run()} loading={running}>
            Run connection test
          </Button>
        </Group>
        {error ? <ErrorAlert title="The test could not run" error={error} /> : null}
        {test ? (
          <Stack gap="xs" role="region" aria-label="Connection test stages">
            <Badge size="lg" color={test.ok ? 'teal' : 'red'} variant="filled">
              {test.ok ? 'Connection ok' : 'Connection failed'}
            </Badge>
            <Table verticalSpacing={4} fz="sm" aria-label="Connection stages">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Stage</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                  <Table.Th ta="right">Time</Table.Th>
                  <Table.Th>Detail</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {test.stages.map((s) => (
                  <Table.Tr key={s.name}>
                    <Table.Td>{s.name}</Table.Td>
                    <Table.Td>
                      <Badge size="sm" color={s.ok ? 'teal' : 'red'} variant="light">
                        {s.ok ? 'ok' : 'failed'}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right">{s.ms} ms</Table.Td>
                    <Table.Td>{s.error ?? s.detail ?? ''}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {test.warnings.map((w) => (
              <Text key={w} size="xs" c="dimmed">
                {w}
              </Text>
            ))}
          </Stack>
        ) : null}
        {snapshot && (!test || test.ok) ? (
          <Stack gap={4}>
            <SimpleGrid cols={4} aria-label="Server state">
              <Stat label="Active connections" value={formatCount(snapshot.byState.active ?? 0)} />
              <Stat label="All connections" value={`${formatCount(snapshot.connections)} of ${formatCount(snapshot.maxConnections)}`} />
              <Stat label="Lock waits" value={formatCount(snapshot.lockWaits)} />
              <Stat label="Database size" value={formatBytes(snapshot.databaseSizeBytes)} />
            </SimpleGrid>
            <Text size="xs" c="dimmed">
              From the snapshot of {lastSuccessAt ? formatTime(lastSuccessAt) : formatTime(snapshot.at)}, PostgreSQL {snapshot.serverVersion}.
            </Text>
          </Stack>
        ) : test && !test.ok ? (
          <Alert color="red" variant="light" title="Not connected">
            <Text size="sm">
              The failed stage above is where to look first (network, TLS, authentication or the server itself). Escalate as below if it stays down.
            </Text>
          </Alert>
        ) : null}
        <Stack gap={4} aria-label="Escalation">
          <Text fw={600}>Escalation</Text>
          <Text size="sm">{level ? `${level.label} — ${level.meaning}` : 'No escalation level set for this profile (Profiles → edit).'}</Text>
          {profile.contacts.length === 0 ? (
            <Text size="sm" c="dimmed">
              No emergency contacts on this profile: add them in Profiles so they are here at 3 AM.
            </Text>
          ) : (
            <Table verticalSpacing={4} fz="sm" aria-label="Emergency contacts">
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
                  <Table.Tr key={`${c.role}-${i}`}>
                    <Table.Td>{c.role}</Table.Td>
                    <Table.Td>{c.name}</Table.Td>
                    <Table.Td>{c.contact}</Table.Td>
                    <Table.Td>{c.availability}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      </Stack>
    </Paper>
  );
}
