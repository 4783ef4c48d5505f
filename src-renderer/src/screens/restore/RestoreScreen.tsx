// Restore (issue #7): the wizard (any catalog backup or dump file into a profile's database,
// a new database, or the local scratch PostgreSQL), restore drills with their history, and
// the client tools found here. The core checks, runs, validates and audits; this screen asks
// and shows.
import { Stack } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { Profile } from '@contract/models';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { useRevealPanel } from '../../shared/components/jobs/useRevealPanel';
import { ProfileScreenHeader } from '../../shared/components/ProfileScreenHeader';
import { useAppState } from '../../shared/state/app-state';
import { ClientToolsPanel } from '../../shared/client-tools/ClientToolsPanel';
import { DrillsPanel } from './DrillsPanel';
import { RestoreWizard } from './RestoreWizard';
import { useBackupList } from './useRestoreData';

export function RestoreScreen() {
  const { active, profiles, setScreen, setActiveId, reloadProfiles } = useAppState();
  const [refreshKey, setRefreshKey] = useState(0);
  const tools = useRevealPanel();
  const catalog = useBackupList(refreshKey);

  const onFinished = useCallback(() => {
    setRefreshKey((k) => k + 1);
    // A scratch restore adds a profile for the restored copy; a pre-restore backup adds to the catalog.
    void reloadProfiles().catch(() => undefined);
  }, [reloadProfiles]);
  const goToBackups = useCallback(() => setScreen('backups'), [setScreen]);
  const openProfile = useCallback((profile: Profile) => setActiveId(profile.id), [setActiveId]);

  return (
    <Stack gap="md">
      <ProfileScreenHeader title="Restore" active={active} />
      {catalog.error ? <ErrorAlert title="The backup catalog could not be read" error={catalog.error} /> : null}
      <RestoreWizard
        active={active}
        profiles={profiles}
        backups={catalog.backups}
        onFinished={onFinished}
        onShowClientTools={tools.reveal}
        onGoToBackups={goToBackups}
        onOpenProfile={openProfile}
      />
      <DrillsPanel
        active={active}
        profiles={profiles}
        backups={catalog.backups}
        refreshKey={refreshKey}
        onGoToBackups={goToBackups}
        onShowClientTools={tools.reveal}
      />
      <ClientToolsPanel ref={tools.ref} opened={tools.opened} onToggle={tools.toggle} />
    </Stack>
  );
}
