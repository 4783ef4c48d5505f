// The frame around every screen: environment band, header (connection state, profile
// switcher, theme), navigation with shortcuts (icons only below ~1200 px or when folded), and
// the current screen, in a main area that fills the window beside the navigation.
import { AppShell, Badge, Box, Center, Group, Loader, NavLink, Stack, Text, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Suspense, useCallback, useEffect, useState, type CSSProperties } from 'react';
import { transport } from '../shared/api/client';
import { DueDot, useDueChecklists } from '../screens/checklists/DueIndicator';
import { FirstRunScreen } from '../screens/first-run/FirstRunScreen';
import { useAppState } from '../shared/state/app-state';
import { SCREENS, shortcutFor, type ScreenId } from '../shared/state/screens';
import { EnvBand, ENV_BAND_HEIGHT } from './EnvBand';
import { ErrorAlert } from '../shared/components/ErrorAlert';
import { IconDatabase, IconKeyboard } from '../shared/components/icons';
import { ProfileSwitcher } from './ProfileSwitcher';
import { KeyCombo, ShortcutsModal, useShortcuts } from '../shared/components/shortcuts';
import { ThemeToggle } from './ThemeToggle';
import { ConnectionIndicator } from './ConnectionIndicator';
import { IconSidebar, SCREEN_ICONS } from './nav-icons';
import { SCREEN_HEIGHT_VAR } from '../shared/components/FullHeightScreen';
import { GLOBAL_KEYS } from '../shared/keys/bindings';
import { readSetting, writeSetting } from '../shared/state/storage';
import { preloadScreen, SCREEN_COMPONENTS, ScreenLoadBoundary } from './screen-registry';

const HEADER_HEIGHT = 56;
const NAV_WIDTH = 230;
const NAV_FOLDED_WIDTH = 60;
/** Below this window width the navigation shows icons only, unless the user expanded it. */
const NARROW_QUERY = '(max-width: 1199px)';
/** Remembered apart for narrow and wide windows: a laptop screen and a monitor want different things. */
const sidebarSetting = (narrow: boolean) => `sidebar.${narrow ? 'narrow' : 'wide'}`;
const MAIN_PADDING = 'var(--mantine-spacing-md)';

function useNarrow(): boolean {
  return useMediaQuery(NARROW_QUERY, window.matchMedia(NARROW_QUERY).matches, { getInitialValueInEffect: false });
}

/**
 * Folded (icons only) or not: folded on a narrow window and expanded on a wide one until the
 * user toggles it (Ctrl+B or the button); their choice is remembered for that window size.
 */
function useSidebar(narrow: boolean): { folded: boolean; toggle: () => void } {
  const [choices, setChoices] = useState<Record<string, string | null>>(() => ({
    [sidebarSetting(true)]: readSetting(sidebarSetting(true)),
    [sidebarSetting(false)]: readSetting(sidebarSetting(false)),
  }));
  const key = sidebarSetting(narrow);
  const choice = choices[key];
  const folded = choice === 'folded' || (choice !== 'expanded' && narrow);
  const toggle = useCallback(() => {
    const next = folded ? 'expanded' : 'folded';
    setChoices((all) => ({ ...all, [key]: next }));
    writeSetting(key, next);
  }, [folded, key]);
  return { folded, toggle };
}

/** The current screen; its chunk loads on first use (screen-registry.tsx), with a loader meanwhile. */
function ScreenBody({ screen }: { screen: ScreenId }) {
  const Screen = SCREEN_COMPONENTS[screen];
  return (
    <ScreenLoadBoundary screen={screen}>
      <Suspense
        fallback={
          <Center h={240}>
            <Loader aria-label="Loading the screen" />
          </Center>
        }
      >
        <Screen />
      </Suspense>
    </ScreenLoadBoundary>
  );
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
  const narrow = useNarrow();
  const sidebar = useSidebar(narrow);
  useShortcuts(goTo, openHelp, sidebar.toggle);
  const due = useDueChecklists(state.active?.id ?? null);
  // While the app's info loads, fetch the chunk of the screen it will show: the one saved by
  // the last session. A fresh start has none and shows the first-run screen (entry chunk).
  const firstScreen = state.screen;
  useEffect(() => {
    if (readSetting('screen') !== null) void preloadScreen(firstScreen).catch(() => undefined);
    // Only the screen at start: later ones load as they open.
  }, []);
  const folded = sidebar.folded;
  // The height a full-height screen (the query console) may fill: the window minus the
  // header and the main area's padding above and below (FullHeightScreen reads it).
  const mainStyle = {
    [SCREEN_HEIGHT_VAR]: `calc(100dvh - ${HEADER_HEIGHT + ENV_BAND_HEIGHT}px - 2 * ${MAIN_PADDING})`,
    minWidth: 0,
  } as CSSProperties;

  return (
    <AppShell header={{ height: HEADER_HEIGHT + ENV_BAND_HEIGHT }} navbar={{ width: folded ? NAV_FOLDED_WIDTH : NAV_WIDTH, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <EnvBand profile={state.active} />
        <Group h={HEADER_HEIGHT} px="md" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <IconDatabase size={22} />
            <Title order={1} size="h4" style={{ whiteSpace: 'nowrap' }}>
              Ops Console
            </Title>
            {state.info && !narrow ? (
              <Text size="xs" c="dimmed" truncate>
                v{state.info.version} · {transport === 'browser' ? 'browser mode' : 'desktop'}
              </Text>
            ) : null}
          </Group>
          <Group gap="sm" wrap="nowrap">
            <ConnectionIndicator profile={state.active} compact={narrow} />
            <ProfileSwitcher />
            <ThemeToggle />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p={folded ? 6 : 'sm'} aria-label="Screens" data-folded={folded}>
        <AppShell.Section grow style={{ overflowY: 'auto', overflowX: 'hidden' }}>
          <Stack gap={2}>
            {SCREENS.map((s) => {
              const dueText = s.id === 'checklists' && due.text ? `: ${due.text}` : '';
              const current = !state.showFirstRun && state.screen === s.id;
              const showDue = s.id === 'checklists' && due.count > 0;
              return (
                <Tooltip key={s.id} label={`${s.label}${dueText} (${shortcutFor(s.id)})`} position="right" openDelay={folded ? 0 : 400}>
                  <NavLink
                    component="button"
                    leftSection={
                      <Box pos="relative" style={{ display: 'flex' }}>
                        {SCREEN_ICONS[s.id]()}
                        {folded && showDue ? (
                          <Badge
                            size="xs"
                            circle
                            color={due.overdue ? 'red' : 'yellow'}
                            variant="filled"
                            aria-hidden="true"
                            pos="absolute"
                            top={-6}
                            right={-8}
                            data-due-count={due.count}
                          >
                            {due.count}
                          </Badge>
                        ) : null}
                      </Box>
                    }
                    label={folded ? null : showDue ? <DueDot label={s.label} count={due.count} overdue={due.overdue} /> : s.label}
                    aria-label={folded ? s.label : undefined}
                    aria-description={s.id === 'checklists' && due.text ? due.text : undefined}
                    active={current}
                    aria-current={current ? 'page' : undefined}
                    onClick={() => goTo(s.id)}
                    // Pointing at or tabbing to a link starts fetching its screen's chunk.
                    onMouseEnter={() => void preloadScreen(s.id).catch(() => undefined)}
                    onFocus={() => void preloadScreen(s.id).catch(() => undefined)}
                    aria-keyshortcuts={shortcutFor(s.id)}
                    rightSection={
                      folded ? null : (
                        <Text size="xs" c="dimmed" aria-hidden="true">
                          {shortcutFor(s.id)}
                        </Text>
                      )
                    }
                  />
                </Tooltip>
              );
            })}
          </Stack>
        </AppShell.Section>
        <AppShell.Section>
          <Tooltip label={`${folded ? 'Expand' : 'Collapse'} the sidebar (${GLOBAL_KEYS.sidebar.keys})`} position="right">
            <UnstyledButton
              onClick={sidebar.toggle}
              aria-label={folded ? 'Expand sidebar' : 'Collapse sidebar'}
              aria-expanded={!folded}
              aria-keyshortcuts={GLOBAL_KEYS.sidebar.keys}
              w="100%"
              p="xs"
            >
              <Group gap="xs" wrap="nowrap" justify={folded ? 'center' : 'flex-start'}>
                <IconSidebar folded={folded} />
                {folded ? null : (
                  <Text size="xs" c="dimmed">
                    Collapse
                  </Text>
                )}
              </Group>
            </UnstyledButton>
          </Tooltip>
          <UnstyledButton onClick={openHelp} aria-label="Show keyboard shortcuts" w="100%" p="xs">
            <Group gap="xs" wrap="nowrap" justify={folded ? 'center' : 'flex-start'}>
              <IconKeyboard />
              {folded ? null : (
                <>
                  <Text size="xs" c="dimmed">
                    Shortcuts: press
                  </Text>
                  <KeyCombo combo="?" />
                </>
              )}
            </Group>
          </UnstyledButton>
          {state.active?.readOnly === false && state.active.env === 'production' ? (
            <Tooltip label="production is writable" position="right" disabled={!folded}>
              <Badge color="red" variant="filled" fullWidth mt="xs">
                {folded ? 'RW' : 'production is writable'}
              </Badge>
            </Tooltip>
          ) : null}
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main style={mainStyle}>
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
      </AppShell.Main>
      <ShortcutsModal opened={helpOpen} onClose={() => setHelpOpen(false)} />
    </AppShell>
  );
}
