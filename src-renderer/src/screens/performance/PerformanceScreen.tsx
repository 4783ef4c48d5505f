// Performance (issue #9): the runbook's Performance Monitoring and Storage sections for the
// active profile — health checks against its thresholds, top queries, index and table
// health with VACUUM, the shop's own figures and the history the Overview stores. The core
// reads (cheap, read-only, time-limited) and judges; this screen shows. The Overview keeps
// refreshing whichever tab is open, so the history keeps growing while the screen is up.
import { Alert, Badge, Button, Stack, Tabs, Text } from '@mantine/core';
import { useState } from 'react';
import type { Profile } from '@contract/models';
import { PasswordPrompt } from '../../shared/components/PasswordPrompt';
import { ProfileScreenHeader } from '../../shared/components/ProfileScreenHeader';
import { usePassword } from '../../shared/hooks/usePassword';
import { useAppState } from '../../shared/state/app-state';
import { AppMetricsTab } from './AppMetricsTab';
import { HistoryTab } from './HistoryTab';
import { IndexesTab } from './IndexesTab';
import { OverviewTab } from './OverviewTab';
import { STATUS_COLORS, STATUS_LABELS } from './performance-model';
import { QueriesTab } from './QueriesTab';
import { TablesTab } from './TablesTab';
import { useOverview } from './usePerformance';

function PerformanceBody({ profile }: { profile: Profile }) {
  const auth = usePassword();
  const feed = useOverview(profile.id, auth);
  const [tab, setTab] = useState<string | null>('overview');
  const status = feed.data?.status ?? null;

  return (
    <Stack gap="md">
      {auth.needsPassword ? <PasswordPrompt onSubmit={auth.submitPassword} /> : null}
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab
            value="overview"
            rightSection={
              status && status !== 'ok' ? (
                <Badge size="xs" color={STATUS_COLORS[status]}>
                  {STATUS_LABELS[status]}
                </Badge>
              ) : null
            }
          >
            Overview
          </Tabs.Tab>
          <Tabs.Tab value="queries">Queries</Tabs.Tab>
          <Tabs.Tab value="indexes">Indexes</Tabs.Tab>
          <Tabs.Tab value="tables">Tables & storage</Tabs.Tab>
          <Tabs.Tab value="app">App metrics</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview" pt="sm">
          <OverviewTab feed={feed} />
        </Tabs.Panel>
        <Tabs.Panel value="queries" pt="sm">
          <QueriesTab profileId={profile.id} auth={auth} />
        </Tabs.Panel>
        <Tabs.Panel value="indexes" pt="sm">
          <IndexesTab profileId={profile.id} auth={auth} />
        </Tabs.Panel>
        <Tabs.Panel value="tables" pt="sm">
          <TablesTab profile={profile} auth={auth} />
        </Tabs.Panel>
        <Tabs.Panel value="app" pt="sm">
          <AppMetricsTab profileId={profile.id} auth={auth} />
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="sm">
          <HistoryTab profileId={profile.id} refreshKey={feed.at} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

export function PerformanceScreen() {
  const { active, setScreen } = useAppState();
  return (
    <Stack gap="md">
      <ProfileScreenHeader title="Performance" active={active} />
      {active ? (
        <PerformanceBody key={active.id} profile={active} />
      ) : (
        <Alert color="blue" variant="light" title="No active profile">
          <Text size="sm">
            Performance shows the health, queries, indexes and tables of the active profile’s database: choose one in the header, or add one in Profiles.
          </Text>
          <Button mt="sm" size="xs" onClick={() => setScreen('profiles')}>
            Go to Profiles
          </Button>
        </Alert>
      )}
    </Stack>
  );
}
