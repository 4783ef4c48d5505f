// The schema browser (issue #19): a lazy, virtualized tree of the active database's schemas
// and their objects (plus extensions and roles) beside the selected object's details and DDL.
// The screen fills the window: the tree and the details scroll inside themselves. Keys:
// arrows move in the tree, Enter/Right open, Left closes, "/" focuses the name filter.
import { Alert, Box, Button, Group, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Profile } from '@contract/models';
import { FullHeightScreen } from '../../shared/components/FullHeightScreen';
import { PasswordPrompt } from '../../shared/components/PasswordPrompt';
import { ProfileScreenHeader } from '../../shared/components/ProfileScreenHeader';
import { isTyping } from '../../shared/dom';
import { usePassword } from '../../shared/hooks/usePassword';
import { useAppState } from '../../shared/state/app-state';
import { ObjectDetails, type SelectedObject } from './ObjectDetails';
import { SchemaTreeView } from './SchemaTreeView';
import type { TreeRow } from './tree-model';
import { useSchemaBrowser } from './useSchemaBrowser';

const TREE_WIDTH = 'clamp(260px, 32%, 420px)';

type Side = { type: 'object'; key: string; object: SelectedObject } | { type: 'extension' | 'role'; key: string; row: TreeRow } | null;

function SideFacts({ side }: { side: Exclude<Side, null | { type: 'object' }> }) {
  const row = side.row;
  if (row.type === 'extension') {
    const e = row.extension;
    return (
      <Stack gap={4} aria-label="Object details" role="region">
        <Text fw={600}>Extension {e.name}</Text>
        <Text size="sm">
          Version {e.version}, installed in schema {e.schema}.
        </Text>
        {e.comment ? <Text size="sm">{e.comment}</Text> : null}
      </Stack>
    );
  }
  if (row.type === 'role') {
    const r = row.role;
    const attrs = [
      r.superuser && 'superuser',
      r.login && 'can log in',
      r.createDb && 'creates databases',
      r.createRole && 'creates roles',
      r.bypassRls && 'bypasses RLS',
    ].filter(Boolean);
    return (
      <Stack gap={4} aria-label="Object details" role="region">
        <Text fw={600}>Role {r.name}</Text>
        <Text size="sm">{attrs.length > 0 ? attrs.join(', ') : 'no special attributes'}</Text>
        <Text size="sm">Member of: {r.memberOf.length > 0 ? r.memberOf.join(', ') : 'no role'}</Text>
        <Text size="xs" c="dimmed">
          Role DDL is cluster-wide: a roles backup (pg_dumpall --roles-only) on the Backups screen writes it.
        </Text>
      </Stack>
    );
  }
  return null;
}

function SchemaBody({ profile }: { profile: Profile }) {
  const auth = usePassword();
  const browser = useSchemaBrowser(profile.id, auth);
  const [side, setSide] = useState<Side>(null);
  const filterRef = useRef<HTMLInputElement | null>(null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      event.preventDefault();
      filterRef.current?.focus();
      filterRef.current?.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const onActivate = useCallback(
    (row: TreeRow) => {
      if (row.type === 'object')
        setSide({ type: 'object', key: row.key, object: { oid: row.object.oid, kind: row.object.kind, schema: row.schema.name, name: row.object.name } });
      else if (row.type === 'more') browser.loadMore(row.schema.oid, row.group);
      else if (row.type === 'extension' || row.type === 'role') setSide({ type: row.type, key: row.key, row });
    },
    [browser],
  );

  const tree = browser.tree;
  const userSchemas = tree ? tree.schemas.filter((s) => !s.system && !s.platform) : [];
  const noObjects = tree !== null && userSchemas.every((s) => Object.values(s.counts).every((n) => n === 0));

  return (
    <Box style={{ display: 'flex', gap: 'var(--mantine-spacing-md)', flex: 1, minHeight: 0, minWidth: 0 }}>
      <Stack gap="xs" style={{ width: TREE_WIDTH, flex: 'none', minHeight: 0 }}>
        {auth.needsPassword ? <PasswordPrompt onSubmit={auth.submitPassword} /> : null}
        <TextInput
          ref={filterRef}
          size="xs"
          placeholder="Filter opened groups by name   ( / )"
          aria-label="Filter by name"
          value={browser.filter}
          onChange={(e) => browser.setFilter(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') browser.setFilter('');
          }}
        />
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <Switch
            size="xs"
            label={`System schemas${tree && !browser.showSystem && tree.hiddenSystemSchemas > 0 ? ` (${tree.hiddenSystemSchemas} hidden)` : ''}`}
            checked={browser.showSystem}
            onChange={(e) => browser.setShowSystem(e.currentTarget.checked)}
          />
          <Button size="compact-xs" variant="subtle" onClick={browser.reload}>
            Refresh
          </Button>
        </Group>
        {browser.treeError ? (
          <Alert color="red" variant="light" title="Cannot read the catalog" p="xs">
            <Text size="xs">{browser.treeError.message}</Text>
            <Text size="xs" mt={4}>
              Check that {profile.name}’s server is up and reachable (Profiles → Test), then Refresh.
            </Text>
          </Alert>
        ) : null}
        <Box
          style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}
        >
          <SchemaTreeView rows={browser.rows} selectedKey={side?.key ?? null} onToggle={browser.toggle} onActivate={onActivate} loading={browser.loadingTree} />
        </Box>
      </Stack>
      <Box style={{ flex: 1, minWidth: 0, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
        {side?.type === 'object' ? (
          <ObjectDetails key={side.key} profileId={profile.id} auth={auth} selected={side.object} />
        ) : side ? (
          <SideFacts side={side} />
        ) : browser.treeError ? null : noObjects ? (
          <Alert variant="light" color="blue" title="No objects yet">
            <Text size="sm">
              {tree?.database} has no tables, views, functions, sequences or types in its own schemas. Create some in the Query console, or restore a backup
              into it; platform and system schemas are listed in the tree.
            </Text>
          </Alert>
        ) : (
          <Text size="sm" c="dimmed" p="sm">
            Open a schema in the tree and choose an object to see its columns, indexes, constraints, triggers, policies, grants and DDL. Arrow keys move, Enter
            or → opens, ← closes, / filters.
          </Text>
        )}
      </Box>
    </Box>
  );
}

export function SchemaScreen() {
  const { active, setScreen } = useAppState();
  return (
    <FullHeightScreen aria-label="Schema browser" style={{ gap: 'var(--mantine-spacing-sm)' }}>
      <ProfileScreenHeader title="Schema" active={active} />
      {active ? (
        <SchemaBody key={active.id} profile={active} />
      ) : (
        <Alert color="blue" variant="light" title="No active profile">
          <Text size="sm">The schema browser shows the active profile’s database: choose a profile in the header, or add one in Profiles.</Text>
          <Button mt="sm" size="xs" onClick={() => setScreen('profiles')}>
            Go to Profiles
          </Button>
        </Alert>
      )}
    </FullHeightScreen>
  );
}
