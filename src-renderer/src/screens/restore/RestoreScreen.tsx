// Restore (issue #7): the wizard (any catalog backup or dump file into a profile's database,
// a new database, or the local scratch PostgreSQL), restore drills with their history, and
// the client tools found here. The core checks, runs, validates and audits; this screen asks
// and shows.
import { Group, Stack, Text, Title } from '@mantine/core';
import { useCallback, useRef, useState } from 'react';
import type { Profile } from '../../../../src-main/contract/models';
import { EnvBadge } from '../../components/EnvBadge';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useAppState } from '../../state/app-state';
import { ClientToolsPanel } from '../backups/ClientToolsPanel';
import { DrillsPanel } from './DrillsPanel';
import { RestoreWizard } from './RestoreWizard';
import { useBackupList } from './useRestoreData';

export function RestoreScreen() {
  const { active, profiles, setScreen, setActiveId, reloadProfiles } = useAppState();
  const [refreshKey, setRefreshKey] = useState(0);
  const [toolsOpen, setToolsOpen] = useState(false);
  const toolsRef = useRef<HTMLElement | null>(null);
  const catalog = useBackupList(refreshKey);

  const onFinished = useCallback(() => {
    setRefreshKey((k) => k + 1);
    // A scratch restore adds a profile for the restored copy; a pre-restore backup adds to the catalog.
    void reloadProfiles().catch(() => undefined);
  }, [reloadProfiles]);
  const showClientTools = useCallback(() => {
    setToolsOpen(true);
    requestAnimationFrame(() => {
      toolsRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
      toolsRef.current?.focus({ preventScroll: true });
    });
  }, []);
  const goToBackups = useCallback(() => setScreen('backups'), [setScreen]);
  const openProfile = useCallback((profile: Profile) => setActiveId(profile.id), [setActiveId]);

  return (
    <Stack gap="md">
      <Group gap="sm" align="center">
        <Title order={2}>Restore</Title>
        {active ? (
          <>
            <Text c="dimmed">{active.name}</Text>
            <EnvBadge env={active.env} />
          </>
        ) : null}
      </Group>
      {catalog.error ? <ErrorAlert title="The backup catalog could not be read" error={catalog.error} /> : null}
      <RestoreWizard
        active={active}
        profiles={profiles}
        backups={catalog.backups}
        onFinished={onFinished}
        onShowClientTools={showClientTools}
        onGoToBackups={goToBackups}
        onOpenProfile={openProfile}
      />
      <DrillsPanel active={active} profiles={profiles} backups={catalog.backups} refreshKey={refreshKey} onGoToBackups={goToBackups} onShowClientTools={showClientTools} />
      <ClientToolsPanel ref={toolsRef} opened={toolsOpen} onToggle={() => setToolsOpen((v) => !v)} />
    </Stack>
  );
}
