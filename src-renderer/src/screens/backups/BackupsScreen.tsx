// Backups (issue #6): the wizard for the active profile, the catalog of every backup, and
// the client tools found on this machine. The core plans, checks versions, runs, verifies
// and audits; this screen asks and shows.
import { Alert, Button, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { useRevealPanel } from '../../shared/components/jobs/useRevealPanel';
import { ProfileScreenHeader } from '../../shared/components/ProfileScreenHeader';
import { useAppState } from '../../shared/state/app-state';
import { ALL_PROFILES, defaultCatalogFilter } from './backup-wizard-model';
import { BackupWizard } from './BackupWizard';
import { CatalogTable } from './CatalogTable';
import { ClientToolsPanel } from '../../shared/client-tools/ClientToolsPanel';
import { StorageSnapshotsSection } from './storage/StorageSnapshotsSection';
import { OffsiteSection } from './offsite/OffsiteSection';

export function BackupsScreen() {
  const { active, profiles, setScreen } = useAppState();
  const activeId = active?.id ?? null;
  const [filter, setFilter] = useState(() => defaultCatalogFilter(activeId));
  const [refreshKey, setRefreshKey] = useState(0);
  const tools = useRevealPanel();

  useEffect(() => setFilter(defaultCatalogFilter(activeId)), [activeId]);

  const onFinished = useCallback(() => setRefreshKey((k) => k + 1), []);

  return (
    <Stack gap="md">
      <ProfileScreenHeader title="Backups" active={active} />
      {active ? (
        <BackupWizard profile={active} onFinished={onFinished} onShowClientTools={tools.reveal} />
      ) : (
        <Alert color="blue" variant="light" title="No active profile">
          <Text size="sm">A backup is made of the active profile’s database: choose one in the header, or add one in Profiles.</Text>
          <Button mt="sm" size="xs" onClick={() => setScreen('profiles')}>
            Go to Profiles
          </Button>
        </Alert>
      )}
      <CatalogTable profiles={profiles} activeProfileId={activeId} filter={filter} onFilter={setFilter} refreshKey={refreshKey} />
      <StorageSnapshotsSection active={active} profileId={filter === ALL_PROFILES ? null : filter} onAddConnection={() => setScreen('profiles')} />
      <OffsiteSection profileId={filter === ALL_PROFILES ? null : filter} refreshKey={refreshKey} />
      <ClientToolsPanel ref={tools.ref} opened={tools.opened} onToggle={tools.toggle} />
    </Stack>
  );
}
