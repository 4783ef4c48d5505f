// Backups (issue #6): the wizard for the active profile, the catalog of every backup, and
// the client tools found on this machine. The core plans, checks versions, runs, verifies
// and audits; this screen asks and shows.
import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { EnvBadge } from '../../components/EnvBadge';
import { useAppState } from '../../state/app-state';
import { defaultCatalogFilter } from './backup-wizard-model';
import { BackupWizard } from './BackupWizard';
import { CatalogTable } from './CatalogTable';
import { ClientToolsPanel } from './ClientToolsPanel';

export function BackupsScreen() {
  const { active, profiles, setScreen } = useAppState();
  const activeId = active?.id ?? null;
  const [filter, setFilter] = useState(() => defaultCatalogFilter(activeId));
  const [refreshKey, setRefreshKey] = useState(0);
  const [toolsOpen, setToolsOpen] = useState(false);
  const toolsRef = useRef<HTMLElement | null>(null);

  useEffect(() => setFilter(defaultCatalogFilter(activeId)), [activeId]);

  const onFinished = useCallback(() => setRefreshKey((k) => k + 1), []);
  const showClientTools = useCallback(() => {
    setToolsOpen(true);
    // After the panel has opened, bring it into view and move focus there for keyboard users.
    requestAnimationFrame(() => {
      toolsRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
      toolsRef.current?.focus({ preventScroll: true });
    });
  }, []);

  return (
    <Stack gap="md">
      <Group gap="sm" align="center">
        <Title order={2}>Backups</Title>
        {active ? (
          <>
            <Text c="dimmed">{active.name}</Text>
            <EnvBadge env={active.env} />
          </>
        ) : null}
      </Group>
      {active ? (
        <BackupWizard profile={active} onFinished={onFinished} onShowClientTools={showClientTools} />
      ) : (
        <Alert color="blue" variant="light" title="No active profile">
          <Text size="sm">A backup is made of the active profile’s database: choose one in the header, or add one in Profiles.</Text>
          <Button mt="sm" size="xs" onClick={() => setScreen('profiles')}>Go to Profiles</Button>
        </Alert>
      )}
      <CatalogTable profiles={profiles} activeProfileId={activeId} filter={filter} onFilter={setFilter} refreshKey={refreshKey} />
      <ClientToolsPanel ref={toolsRef} opened={toolsOpen} onToggle={() => setToolsOpen((v) => !v)} />
    </Stack>
  );
}
