// No profiles yet: offer the demo sandbox (a local throwaway PostgreSQL with demo data)
// or a real connection.
import { Button, Card, Group, List, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { useAppState } from '../../shared/state/app-state';
import { toShownError, type ShownError } from '../../shared/state/errors';

export function FirstRunScreen() {
  const { reloadProfiles, reloadInfo, setActiveId, setScreen, dismissFirstRun, requestNewProfile } = useAppState();
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);

  async function startDemo() {
    setStarting(true);
    setError(null);
    try {
      const status = await api.startSandbox({});
      const list = await reloadProfiles();
      const sandbox = list.find((p) => p.name === status.profile);
      if (sandbox) setActiveId(sandbox.id);
      await reloadInfo();
      setScreen('profiles');
      dismissFirstRun();
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setStarting(false);
    }
  }

  function addProfile() {
    setScreen('profiles');
    requestNewProfile();
    dismissFirstRun();
  }

  return (
    <Stack gap="lg" maw={920}>
      <div>
        <Title order={2}>Welcome to Ops Console</Title>
        <Text c="dimmed" mt={4}>
          There are no connection profiles yet. Pick how to start.
        </Text>
      </div>
      {error ? <ErrorAlert title="The demo sandbox did not start" error={error} onClose={() => setError(null)} /> : null}
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
        <Card withBorder padding="lg">
          <Stack gap="sm" h="100%">
            <Title order={3} size="h4">
              Try the demo sandbox
            </Title>
            <Text size="sm">A local PostgreSQL on this machine, loopback only, seeded with Timothie &amp; Co demo data. Safe to break.</Text>
            <List size="sm" spacing={4}>
              <List.Item>Creates a profile named “sandbox”</List.Item>
              <List.Item>Takes a few seconds the first time</List.Item>
            </List>
            <Group mt="auto">
              <Button onClick={() => void startDemo()} loading={starting} disabled={starting} color="teal">
                Start the demo sandbox
              </Button>
            </Group>
            {starting ? (
              <Group gap="xs" role="status" aria-live="polite">
                <Loader size="xs" />
                <Text size="sm" c="dimmed">
                  Creating the cluster and loading demo data…
                </Text>
              </Group>
            ) : null}
          </Stack>
        </Card>
        <Card withBorder padding="lg">
          <Stack gap="sm" h="100%">
            <Title order={3} size="h4">
              Connect to your database
            </Title>
            <Text size="sm">Host, port, database and user — or paste a postgres:// URI, read your environment or ~/.pg_service.conf.</Text>
            <List size="sm" spacing={4}>
              <List.Item>Production profiles are read-only by default</List.Item>
              <List.Item>Test the connection before you rely on it</List.Item>
            </List>
            <Group mt="auto">
              <Button variant="default" onClick={addProfile} disabled={starting}>
                Add a connection profile
              </Button>
            </Group>
          </Stack>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
