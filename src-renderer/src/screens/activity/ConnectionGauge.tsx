// Connections against max_connections, judged by the profile's thresholds: a ring in the
// status colour, the counts by state, and where the thresholds come from.
import { Badge, Group, Paper, RingProgress, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ActivitySnapshot } from '@contract/activity';
import { formatBytes, formatCount } from '../../shared/format/numbers';
import { countWaiters, gaugePercent, stateCounts, statusColor, statusLabel, thresholdText } from './activity-model';

/** A figure under its label; the emergency panel's figures read the same. */
export function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="lg" fw={600}>
        {value}
      </Text>
    </Stack>
  );
}

export function ConnectionGauge({ snapshot }: { snapshot: ActivitySnapshot }) {
  const percent = gaugePercent(snapshot.connections, snapshot.maxConnections);
  const color = statusColor(snapshot.connectionStatus);
  return (
    <Paper withBorder p="md" component="section" aria-label="Connection summary">
      <Group align="center" gap="xl" wrap="nowrap">
        <RingProgress
          size={130}
          thickness={12}
          roundCaps
          sections={[{ value: percent, color }]}
          label={
            <Stack gap={0} align="center">
              <Text fw={700} size="lg">
                {snapshot.connections}
              </Text>
              <Text size="xs" c="dimmed">
                of {snapshot.maxConnections}
              </Text>
            </Stack>
          }
          aria-label={`${snapshot.connections} of ${snapshot.maxConnections} connections`}
        />
        <Stack gap="xs" style={{ flex: 1 }}>
          <Group gap="sm">
            <Text fw={600}>Connections</Text>
            <Badge color={color} variant="filled" aria-label={`Connection status: ${statusLabel(snapshot.connectionStatus)}`}>
              {statusLabel(snapshot.connectionStatus)}
            </Badge>
            <Text size="sm" c="dimmed">
              {Math.round(percent)}% of max_connections
            </Text>
          </Group>
          <Group gap={6} aria-label="Connections by state">
            {stateCounts(snapshot.byState).map(({ state, count }) => (
              <Badge key={state} variant="light" color="gray">
                {state}: {count}
              </Badge>
            ))}
          </Group>
          <Text size="xs" c="dimmed">
            Thresholds: {thresholdText(snapshot.connectionWarn, snapshot.connectionCritical)} connections. They are editable per profile in Checklists → Alert
            thresholds.
          </Text>
        </Stack>
        <SimpleGrid cols={2} spacing="md" miw={280}>
          <Stat label="Lock waits" value={formatCount(snapshot.lockWaits)} />
          <Stat label="Blocked sessions" value={formatCount(countWaiters(snapshot.blocking))} />
          <Stat label="Long-running queries" value={formatCount(snapshot.longRunning.length)} />
          <Stat label="Database size" value={formatBytes(snapshot.databaseSizeBytes)} />
        </SimpleGrid>
      </Group>
    </Paper>
  );
}
