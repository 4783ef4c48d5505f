// Activity (issue #8): the active profile's sessions, refreshed every few seconds, who blocks
// whom, long-running queries, every lock (issue #19), cancel/terminate with confirmation, bulk cleanup of idle
// sessions, and the "Database down" panel. The core reads, signals, re-checks and audits;
// this screen shows and asks.
import { Alert, Badge, Button, Center, Group, Loader, SegmentedControl, Stack, Tabs, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { SessionRow } from '@contract/activity';
import type { Profile } from '@contract/models';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { KeyCombo } from '../../shared/components/shortcuts';
import { ACTIVITY_KEYS } from '../../shared/keys/bindings';
import { PasswordPrompt } from '../../shared/components/PasswordPrompt';
import { ProfileScreenHeader } from '../../shared/components/ProfileScreenHeader';
import { useAppState } from '../../shared/state/app-state';
import { formatTime } from '../../shared/format/time';
import { REFRESH_INTERVALS, countWaiters, targetOfRow, type SignalAction, type SignalTarget } from './activity-model';
import { BlockingTree } from './BlockingTree';
import { CleanupDialog } from './CleanupDialog';
import { ConnectionGauge } from './ConnectionGauge';
import { EmergencyPanel } from './EmergencyPanel';
import { LocksTable } from './LocksTable';
import { LongRunning } from './LongRunning';
import { SessionsTable } from './SessionsTable';
import { SignalDialog, type SignalRequest } from './SignalDialog';
import { useActivity, type ActivityFeed } from './useActivity';

function RefreshBar({ feed, onCleanup }: { feed: ActivityFeed; onCleanup: () => void }) {
  return (
    <Group gap="sm" justify="space-between" role="toolbar" aria-label="Refresh">
      <Group gap="sm" style={{ minWidth: 0 }}>
        <Button variant={feed.paused ? 'filled' : 'default'} size="xs" onClick={() => feed.setPaused(!feed.paused)} aria-pressed={feed.paused}>
          {feed.paused ? 'Resume' : 'Pause'}
        </Button>
        <Text size="xs" c="dimmed">
          or <KeyCombo combo={ACTIVITY_KEYS.pause.keys} />
        </Text>
        <SegmentedControl
          size="xs"
          aria-label="Refresh interval"
          value={String(feed.intervalSec)}
          onChange={(v) => feed.setIntervalSec(Number(v))}
          data={REFRESH_INTERVALS.map((s) => ({ value: String(s), label: `${s} s` }))}
        />
        <Text size="xs" c="dimmed" aria-live="polite">
          {feed.paused ? 'Paused' : feed.loading ? 'Refreshing…' : `Every ${feed.intervalSec} s`}
          {feed.lastSuccessAt ? ` · updated ${formatTime(feed.lastSuccessAt)}` : ''}
          {feed.snapshot ? ` · server query ${feed.snapshot.queryMs} ms` : ''}
        </Text>
      </Group>
      <Button size="xs" color="red" variant="light" onClick={onCleanup}>
        Clean up idle sessions…
      </Button>
    </Group>
  );
}

function ActivityBody({ profile }: { profile: Profile }) {
  const feed = useActivity(profile.id);
  const [request, setRequest] = useState<SignalRequest | null>(null);
  const [cleanupOpen, setCleanupOpen] = useState(false);
  const [tab, setTab] = useState<string | null>('sessions');
  const { snapshot, refresh } = feed;

  const signalTarget = useCallback((action: SignalAction, target: SignalTarget) => setRequest({ action, target }), []);
  const signalRow = useCallback((action: SignalAction, row: SessionRow) => setRequest({ action, target: targetOfRow(row) }), []);
  const onDone = useCallback(() => void refresh(), [refresh]);

  return (
    <Stack gap="md">
      <RefreshBar feed={feed} onCleanup={() => setCleanupOpen(true)} />
      {feed.needsPassword ? <PasswordPrompt onSubmit={feed.submitPassword} /> : null}
      {feed.error ? (
        <Stack gap={2}>
          <ErrorAlert title={snapshot ? 'The last refresh failed: showing the previous snapshot' : 'Cannot read the sessions'} error={feed.error} />
          {feed.lastSuccessAt ? (
            <Text size="xs" c="dimmed">
              Last successful refresh: {formatTime(feed.lastSuccessAt)}. The “Database down” tab tests the connection stage by stage.
            </Text>
          ) : null}
        </Stack>
      ) : null}
      {snapshot?.privileges.note ? (
        <Alert color="yellow" variant="light" title="What this role cannot do here">
          <Text size="sm">{snapshot.privileges.note}</Text>
        </Alert>
      ) : null}
      {snapshot ? <ConnectionGauge snapshot={snapshot} /> : null}
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="sessions">Sessions{snapshot ? ` (${snapshot.sessions.length})` : ''}</Tabs.Tab>
          <Tabs.Tab
            value="blocking"
            rightSection={
              snapshot && snapshot.blocking.length > 0 ? (
                <Badge size="xs" color="red">
                  {countWaiters(snapshot.blocking)} waiting
                </Badge>
              ) : null
            }
          >
            Blocking
          </Tabs.Tab>
          <Tabs.Tab
            value="long"
            rightSection={
              snapshot && snapshot.longRunning.length > 0 ? (
                <Badge size="xs" color="yellow">
                  {snapshot.longRunning.length}
                </Badge>
              ) : null
            }
          >
            Long-running
          </Tabs.Tab>
          <Tabs.Tab value="locks">All locks</Tabs.Tab>
          <Tabs.Tab value="down" color="red">
            Database down
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="down" pt="sm">
          <EmergencyPanel profile={profile} password={feed.password} snapshot={snapshot} lastSuccessAt={feed.lastSuccessAt} onRefresh={refresh} />
        </Tabs.Panel>
        {snapshot ? (
          <>
            <Tabs.Panel value="sessions" pt="sm">
              <SessionsTable sessions={snapshot.sessions} onSignal={signalRow} />
            </Tabs.Panel>
            <Tabs.Panel value="blocking" pt="sm">
              <BlockingTree blocking={snapshot.blocking} sessions={snapshot.sessions} onSignal={signalTarget} />
            </Tabs.Panel>
            <Tabs.Panel value="long" pt="sm">
              <LongRunning snapshot={snapshot} onSignal={signalRow} />
            </Tabs.Panel>
            <Tabs.Panel value="locks" pt="sm">
              <LocksTable profileId={profile.id} password={feed.password} intervalSec={feed.intervalSec} paused={feed.paused} />
            </Tabs.Panel>
          </>
        ) : tab !== 'down' && !feed.error && !feed.needsPassword ? (
          <Center h={160}>
            <Loader aria-label="Loading sessions" />
          </Center>
        ) : null}
      </Tabs>
      <SignalDialog request={request} profile={profile} password={feed.password} onClose={() => setRequest(null)} onDone={onDone} />
      <CleanupDialog opened={cleanupOpen} profile={profile} password={feed.password} onClose={() => setCleanupOpen(false)} onDone={onDone} />
    </Stack>
  );
}

export function ActivityScreen() {
  const { active, setScreen } = useAppState();
  return (
    <Stack gap="md">
      <ProfileScreenHeader title="Activity" active={active} />
      {active ? (
        <ActivityBody key={active.id} profile={active} />
      ) : (
        <Alert color="blue" variant="light" title="No active profile">
          <Text size="sm">Activity shows the sessions of the active profile’s server: choose one in the header, or add one in Profiles.</Text>
          <Button mt="sm" size="xs" onClick={() => setScreen('profiles')}>
            Go to Profiles
          </Button>
        </Alert>
      )}
    </Stack>
  );
}
