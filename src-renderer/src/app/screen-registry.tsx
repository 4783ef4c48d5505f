// Every screen but the first-run one is its own chunk, fetched the first time it opens
// (issue #21: cold start). The entry chunk holds the frame, Mantine and the shared code only;
// CodeMirror comes with the query console, the charts (recharts and their styles) with
// Performance. `preloadScreen` starts a fetch early — the saved screen while the app's info
// loads, a screen whose navigation link is hovered or focused — and React.lazy reuses that
// same promise, so nothing is fetched twice. Relative chunk URLs (electron-vite's base './')
// work from the browser host and from the desktop's file:// page alike.
import { Component, lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import { Button, Stack } from '@mantine/core';
import { ErrorAlert } from '../shared/components/ErrorAlert';
import type { ScreenId } from '../shared/state/screens';

type ScreenModule = { default: ComponentType };

/** One loader per screen id: a Record, so a new id without its chunk does not compile. */
const LOADERS: Record<ScreenId, () => Promise<ScreenModule>> = {
  checklists: () => import('../screens/checklists/ChecklistsScreen').then((m) => ({ default: m.ChecklistsScreen })),
  query: () => import('../screens/query/QueryScreen').then((m) => ({ default: m.QueryScreen })),
  activity: () => import('../screens/activity/ActivityScreen').then((m) => ({ default: m.ActivityScreen })),
  // The charts' styles must come after Mantine core's (their getting-started note): the entry's
  // stylesheet is in place long before this one is added.
  performance: () =>
    Promise.all([import('./charts-styles'), import('../screens/performance/PerformanceScreen')]).then(([, m]) => ({ default: m.PerformanceScreen })),
  backups: () => import('../screens/backups/BackupsScreen').then((m) => ({ default: m.BackupsScreen })),
  restore: () => import('../screens/restore/RestoreScreen').then((m) => ({ default: m.RestoreScreen })),
  audit: () => import('../screens/audit/AuditScreen').then((m) => ({ default: m.AuditScreen })),
  profiles: () => import('../screens/profiles/ProfilesScreen').then((m) => ({ default: m.ProfilesScreen })),
  schema: () => import('../screens/schema/SchemaScreen').then((m) => ({ default: m.SchemaScreen })),
  serverlog: () => import('../screens/serverlog/ServerLogScreen').then((m) => ({ default: m.ServerLogScreen })),
  fleet: () => import('../screens/fleet/FleetScreen').then((m) => ({ default: m.FleetScreen })),
};

const pending = new Map<ScreenId, Promise<ScreenModule>>();

/**
 * Starts fetching a screen's chunk (once). A failed fetch is forgotten, so the next try asks
 * again instead of replaying the failure.
 */
export function preloadScreen(id: ScreenId): Promise<ScreenModule> {
  let promise = pending.get(id);
  if (!promise) {
    promise = LOADERS[id]();
    pending.set(id, promise);
    promise.catch(() => pending.delete(id));
  }
  return promise;
}

export const SCREEN_COMPONENTS = Object.fromEntries(Object.keys(LOADERS).map((id) => [id, lazy(() => preloadScreen(id as ScreenId))])) as Record<
  ScreenId,
  LazyExoticComponent<ComponentType>
>;

/**
 * A screen whose chunk could not be fetched (the server stopped, or the app was rebuilt and
 * the old chunk names are gone): say so and offer a reload rather than a blank main area.
 * React.lazy keeps a failed import failed, so reloading the page is the retry.
 */
export class ScreenLoadBoundary extends Component<{ children: ReactNode; screen: ScreenId }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidUpdate(previous: { screen: ScreenId }): void {
    if (previous.screen !== this.props.screen && this.state.error) this.setState({ error: null });
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <Stack gap="sm" align="flex-start">
        <ErrorAlert title="This screen could not be loaded" error={{ code: 'INTERNAL', message: error.message }} />
        <Button variant="light" onClick={() => window.location.reload()}>
          Reload Ops Console
        </Button>
      </Stack>
    );
  }
}
