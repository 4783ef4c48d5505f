// The frame around every screen: environment band, header (profile switcher, theme),
// navigation with shortcuts, and the current screen.
import { AppShell, Badge, Box, Center, Group, Loader, NavLink, Stack, Text, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { useCallback, useState, type ReactElement } from 'react';
import { transport } from '../shared/api/client';
import { ActivityScreen } from '../screens/activity/ActivityScreen';
import { AuditScreen } from '../screens/audit/AuditScreen';
import { BackupsScreen } from '../screens/backups/BackupsScreen';
import { ChecklistsScreen } from '../screens/checklists/ChecklistsScreen';
import { DueDot, useDueChecklists } from '../screens/checklists/DueIndicator';
import { FirstRunScreen } from '../screens/first-run/FirstRunScreen';
import { PerformanceScreen } from '../screens/performance/PerformanceScreen';
import { ProfilesScreen } from '../screens/profiles/ProfilesScreen';
import { QueryScreen } from '../screens/query/QueryScreen';
import { RestoreScreen } from '../screens/restore/RestoreScreen';
import { SchemaScreen } from '../screens/schema/SchemaScreen';
import { ServerLogScreen } from '../screens/serverlog/ServerLogScreen';
import { useAppState } from '../shared/state/app-state';
import { SCREENS, shortcutFor, type ScreenId } from '../shared/state/screens';
import { EnvBand, ENV_BAND_HEIGHT } from './EnvBand';
import { ErrorAlert } from '../shared/components/ErrorAlert';
import { IconDatabase, IconKeyboard } from '../shared/components/icons';
import { ProfileSwitcher } from './ProfileSwitcher';
import { KeyCombo, ShortcutsModal, useShortcuts } from '../shared/components/shortcuts';
import { ThemeToggle } from './ThemeToggle';

const HEADER_HEIGHT = 56;

// Every screen id has its screen: a Record, so a new id without one does not compile.
const SCREEN_BODIES: Record<ScreenId, () => ReactElement> = {
  checklists: () => <ChecklistsScreen />,
  query: () => <QueryScreen />,
  activity: () => <ActivityScreen />,
  performance: () => <PerformanceScreen />,
  backups: () => <BackupsScreen />,
  restore: () => <RestoreScreen />,
  audit: () => <AuditScreen />,
  profiles: () => <ProfilesScreen />,
  schema: () => <SchemaScreen />,
  serverlog: () => <ServerLogScreen />,
};

function ScreenBody({ screen }: { screen: ScreenId }) {
  return SCREEN_BODIES[screen]();
}

export function Shell() {
  const state = useAppState();
  const [helpOpen, setHelpOpen] = useState(false);
  const { setScreen, dismissFirstRun } = state;
  const goTo = useCallback(
    (id: ScreenId) => {
      dismissFirstRun();
      setScreen(id);
    },
    [setScreen, dismissFirstRun],
  );
  const openHelp = useCallback(() => setHelpOpen(true), []);
  useShortcuts(goTo, openHelp);
  const due = useDueChecklists(state.active?.id ?? null);

  return (
    <AppShell header={{ height: HEADER_HEIGHT + ENV_BAND_HEIGHT }} navbar={{ width: 230, breakpoint: 0 }} padding="lg">
      <AppShell.Header>
        <EnvBand profile={state.active} />
        <Group h={HEADER_HEIGHT} px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <IconDatabase size={22} />
            <Title order={1} size="h4">
              Ops Console
            </Title>
            {state.info ? (
              <Text size="xs" c="dimmed">
                v{state.info.version} · {transport === 'browser' ? 'browser mode' : 'desktop'}
              </Text>
            ) : null}
          </Group>
          <Group gap="sm" wrap="nowrap">
            <ProfileSwitcher />
            <ThemeToggle />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Screens">
        <AppShell.Section grow>
          <Stack gap={2}>
            {SCREENS.map((s) => (
              <Tooltip
                key={s.id}
                label={`${s.label}${s.id === 'checklists' && due.text ? `: ${due.text}` : ''} (${shortcutFor(s.id)})`}
                position="right"
                openDelay={400}
              >
                <NavLink
                  component="button"
                  label={s.id === 'checklists' && due.count > 0 ? <DueDot label={s.label} count={due.count} overdue={due.overdue} /> : s.label}
                  aria-description={s.id === 'checklists' && due.text ? due.text : undefined}
                  active={!state.showFirstRun && state.screen === s.id}
                  aria-current={!state.showFirstRun && state.screen === s.id ? 'page' : undefined}
                  onClick={() => goTo(s.id)}
                  aria-keyshortcuts={shortcutFor(s.id)}
                  rightSection={
                    <Text size="xs" c="dimmed" aria-hidden="true">
                      {shortcutFor(s.id)}
                    </Text>
                  }
                />
              </Tooltip>
            ))}
          </Stack>
        </AppShell.Section>
        <AppShell.Section>
          <UnstyledButton onClick={openHelp} aria-label="Show keyboard shortcuts" w="100%" p="xs">
            <Group gap="xs" wrap="nowrap">
              <IconKeyboard />
              <Text size="xs" c="dimmed">
                Shortcuts: press
              </Text>
              <KeyCombo combo="?" />
            </Group>
          </UnstyledButton>
          {state.active?.readOnly === false && state.active.env === 'production' ? (
            <Badge color="red" variant="filled" fullWidth mt="xs">
              production is writable
            </Badge>
          ) : null}
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <Box maw={1280}>
          {state.loadError ? <ErrorAlert title="Ops Console cannot reach its core" error={state.loadError} /> : null}
          {!state.info && !state.loadError ? (
            <Center h={240}>
              <Loader aria-label="Loading" />
            </Center>
          ) : state.showFirstRun ? (
            <FirstRunScreen />
          ) : (
            <ScreenBody screen={state.screen} />
          )}
        </Box>
      </AppShell.Main>
      <ShortcutsModal opened={helpOpen} onClose={() => setHelpOpen(false)} />
    </AppShell>
  );
}
