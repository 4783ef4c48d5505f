import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { Shell } from './components/Shell';
import { AppStateProvider } from './state/app-state';
import { colorSchemeManager, theme } from './theme';

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
