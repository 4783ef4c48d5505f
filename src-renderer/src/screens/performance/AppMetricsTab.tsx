// App metrics: the runbook's shop figures (active users, conversion, today's summary), with
// the reasons some are missing when the shop's tables are not in this database.
import { Alert, Button, Card, Center, Group, List, Loader, SimpleGrid, Stack, Text } from '@mantine/core';
import { useCallback } from 'react';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { formatTime } from '../../shared/format/time';
import { appFigures } from './performance-model';
import type { PasswordState } from '../../shared/hooks/usePassword';
import { profileInput, useLoad } from './usePerformance';

export function AppMetricsTab({ profileId, auth }: { profileId: string; auth: PasswordState }) {
  const { password, needsPassword, noteError } = auth;
  const load = useCallback(() => api.getAppMetrics(profileInput(profileId, password)), [profileId, password]);
  const metrics = useLoad(load, !needsPassword, noteError);
  const data = metrics.data;
  return (
    <Stack gap="md">
      <Group gap="sm">
        <Button size="xs" variant="default" onClick={() => void metrics.reload()} loading={metrics.loading}>
          Refresh
        </Button>
        {metrics.at ? (
          <Text size="xs" c="dimmed">
            Read {formatTime(metrics.at)}
          </Text>
        ) : null}
      </Group>
      {metrics.error ? <ErrorAlert title="Cannot read the application metrics" error={metrics.error} /> : null}
      {data ? (
        <>
          <SimpleGrid cols={{ base: 2, md: 3 }} spacing="sm" role="list" aria-label="Application metrics">
            {appFigures(data).map((f) => (
              <Card key={f.label} withBorder padding="sm" radius="md" role="listitem" aria-label={f.label}>
                <Text size="xs" c="dimmed">
                  {f.label}
                </Text>
                <Text size="xl" fw={700} c={f.missing ? 'dimmed' : undefined}>
                  {f.value}
                </Text>
              </Card>
            ))}
          </SimpleGrid>
          {data.notes.length > 0 ? (
            <Alert color="yellow" variant="light" title="Some figures are missing">
              <List size="sm">
                {data.notes.map((n) => (
                  <List.Item key={n}>{n}</List.Item>
                ))}
              </List>
            </Alert>
          ) : null}
          <Text size="xs" c="dimmed">
            “Today” is the database server’s current date.
          </Text>
        </>
      ) : !metrics.error ? (
        <Center h={160}>
          <Loader aria-label="Loading the application metrics" />
        </Center>
      ) : null}
    </Stack>
  );
}
