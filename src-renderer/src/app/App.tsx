import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { Shell } from './Shell';
import { AppStateProvider } from '../shared/state/app-state';
import { colorSchemeManager, theme } from '../shared/theme';

export function App() {
  return (
    <MantineProvider theme={theme} colorSchemeManager={colorSchemeManager} defaultColorScheme="light">
      <Notifications position="bottom-right" autoClose={3000} />
      <AppStateProvider>
        <Shell />
      </AppStateProvider>
    </MantineProvider>
  );
}
