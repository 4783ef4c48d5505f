// Fleet (issue #22): every profile on one screen, worst first — the last overview's status
// and worst check, how the last try to reach it went, size, connections, the last backup
// against the RPO, the last drill against the RTO, today's morning and evening checklists.
// Rows come from the local store (nothing is contacted on opening); Refresh runs the overview
// on every profile shown, a few at a time, each row changing as its answer arrives. A tag
// narrows the list; a click opens that profile's Performance screen.
import { Alert, Button, Chip, Group, Progress, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { FleetRow } from '@contract/fleet-screen';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { KeyCombo } from '../../shared/components/shortcuts';
import { isTyping } from '../../shared/dom';
import { plural } from '../../shared/format/text';
import { formatDuration } from '../../shared/format/time';
import { FLEET_KEYS, matchesKeys } from '../../shared/keys/bindings';
import { useAppState } from '../../shared/state/app-state';
import { readSetting, writeSetting } from '../../shared/state/storage';
import { refreshLabel } from './fleet-model';
import { FleetTable } from './FleetTable';
import { useFleet, type FleetFeed } from './useFleet';

const TAG_SETTING = 'fleet.tag';

/** A text field keeps its keys (Option+R types ® on a Mac); a tag chip or a button does not. */
function typingIn(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement && ['radio', 'checkbox', 'button', 'submit'].includes(target.type)) return false;
  return isTyping(target);
}
const ALL = '';

function TagFilter({ tags, value, onChange }: { tags: string[]; value: string | null; onChange: (tag: string | null) => void }) {
  if (tags.length === 0) return null;
  return (
    <Group gap="xs" role="radiogroup" aria-label="Filter by tag">
      <Chip.Group multiple={false} value={value ?? ALL} onChange={(v) => onChange(v === ALL ? null : v)}>
        <Chip value={ALL} size="xs" radius="sm">
          All
        </Chip>
        {tags.map((t) => (
          <Chip key={t} value={t} size="xs" radius="sm">
            {t}
          </Chip>
        ))}
      </Chip.Group>
    </Group>
  );
}

function RefreshBar({ feed, shown }: { feed: FleetFeed; shown: number }) {
  const { progress, lastRefresh } = feed;
  return (
    <Stack gap={4}>
      <Group gap="sm" role="toolbar" aria-label="Refresh">
        <Button size="xs" onClick={() => void feed.refresh()} disabled={progress !== null || shown === 0}>
          {refreshLabel(progress, shown)}
        </Button>
        {progress !== null ? (
          <Button size="xs" variant="default" onClick={() => void feed.cancel()}>
            Stop
          </Button>
        ) : null}
        <Group gap={4} wrap="nowrap">
          <Text size="xs" c="dimmed">
            or
          </Text>
          <KeyCombo combo={FLEET_KEYS.refresh.keys} />
        </Group>
        <Text size="xs" c="dimmed" aria-live="polite">
          {progress !== null
            ? `${progress.done} of ${progress.total} done`
            : lastRefresh
              ? `Last refresh: ${lastRefresh.refreshed - lastRefresh.failed} answered, ${lastRefresh.failed} failed${lastRefresh.cancelled > 0 ? `, ${lastRefresh.cancelled} stopped before done` : ''}, in ${formatDuration(lastRefresh.durationMs)}`
              : 'Shows what this workstation last saw; Refresh runs the overview on each profile shown.'}
        </Text>
      </Group>
      {progress !== null && progress.total > 0 ? (
        <Progress value={(progress.done / progress.total) * 100} size="sm" aria-label={`Refreshing: ${progress.done} of ${progress.total}`} />
      ) : null}
    </Stack>
  );
}

function EmptyState({ totalProfiles, tag, onAll, onProfiles }: { totalProfiles: number; tag: string | null; onAll: () => void; onProfiles: () => void }) {
  if (totalProfiles === 0)
    return (
      <Alert color="blue" title="No profiles yet">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">
            The fleet lists every connection profile. Add one on the Profiles screen (or start the demo sandbox from there); give profiles tags such as "prod"
            or "eu" to filter the fleet by them.
          </Text>
          <Button size="xs" variant="light" onClick={onProfiles}>
            Open Profiles
          </Button>
        </Stack>
      </Alert>
    );
  return (
    <Alert color="gray" title={`No profile has the tag "${tag ?? ''}"`}>
      <Stack gap="xs" align="flex-start">
        <Text size="sm">Tags are set on the Profiles screen (or with ops-console profile edit NAME --tag T).</Text>
        <Button size="xs" variant="light" onClick={onAll}>
          Show all profiles
        </Button>
      </Stack>
    </Alert>
  );
}

export function FleetScreen() {
  const { setActiveId, setScreen } = useAppState();
  const [tag, setTagState] = useState<string | null>(() => readSetting(TAG_SETTING));
  const setTag = useCallback((next: string | null) => {
    setTagState(next);
    writeSetting(TAG_SETTING, next);
  }, []);
  const feed = useFleet(tag);
  const view = feed.view;
  const shown = view?.rows.length ?? 0;

  // A remembered tag no profile carries any more: back to all, rather than an empty screen for no reason.
  useEffect(() => {
    if (view && tag !== null && view.tag === tag && !view.tags.includes(tag)) setTag(null);
  }, [view, tag, setTag]);

  const { refresh } = feed;
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (!matchesKeys(FLEET_KEYS.refresh, event) || event.repeat || typingIn(event.target)) return;
      event.preventDefault();
      void refresh();
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [refresh]);

  const open = useCallback(
    (row: FleetRow) => {
      setActiveId(row.profileId);
      setScreen('performance');
    },
    [setActiveId, setScreen],
  );

  return (
    <Stack gap="md">
      <Group gap="sm" align="center">
        <Title order={2}>Fleet</Title>
        {view ? (
          <Text c="dimmed" size="sm">
            {tag ? `${shown} of ${plural(view.totalProfiles, 'profile')} tagged ${tag}` : plural(view.totalProfiles, 'profile')}
          </Text>
        ) : null}
      </Group>
      {feed.error ? <ErrorAlert title="The fleet could not be read" error={feed.error} /> : null}
      {view ? (
        <>
          <TagFilter tags={view.tags} value={tag} onChange={setTag} />
          <RefreshBar feed={feed} shown={shown} />
          {shown === 0 ? (
            <EmptyState totalProfiles={view.totalProfiles} tag={tag} onAll={() => setTag(null)} onProfiles={() => setScreen('profiles')} />
          ) : (
            <FleetTable rows={view.rows} now={Date.parse(view.now)} onOpen={open} />
          )}
        </>
      ) : null}
    </Stack>
  );
}
