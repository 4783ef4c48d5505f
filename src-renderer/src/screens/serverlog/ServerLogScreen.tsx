// The server log (issue #19): the active server's log, newest last, followed as it is
// written, filtered by level and searched, older files picked from the log directory; or,
// when it cannot be read, why and what to do (the SQL, or Supabase's Logs Explorer). The core
// reads in bounded chunks inside a READ ONLY transaction; this screen shows and asks.
import { Alert, Button, Chip, Group, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { LOG_LEVELS, type LogLevel } from '@contract/serverlog';
import type { Profile } from '@contract/models';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { FullHeightScreen } from '../../shared/components/FullHeightScreen';
import { PasswordPrompt } from '../../shared/components/PasswordPrompt';
import { ProfileScreenHeader } from '../../shared/components/ProfileScreenHeader';
import { formatBytes } from '../../shared/format/numbers';
import { useAppState } from '../../shared/state/app-state';
import { LogEntries, LogUnavailable } from './LogView';
import { useServerLog, type ServerLogFeed } from './useServerLog';

function Status({ feed }: { feed: ServerLogFeed }) {
  const { log } = feed;
  if (!log) return null;
  const parts = [`${feed.entries.length} ${feed.entries.length === 1 ? 'entry' : 'entries'}`, `${log.file} (${log.format}, ${formatBytes(log.bytes)})`];
  if (feed.follow && feed.canFollow) parts.push(`following every few seconds`);
  return (
    <Text size="xs" c="dimmed" aria-live="polite">
      {parts.join(' · ')}
      {log.bounded ? ` · searched the last ${formatBytes(log.scannedBytes)} only: load older entries to search further back` : ''}
    </Text>
  );
}

function ServerLogBody({ profile }: { profile: Profile }) {
  const [levels, setLevels] = useState<LogLevel[]>([]);
  const [searchText, setSearchText] = useState('');
  const [search] = useDebouncedValue(searchText, 300);
  const [file, setFile] = useState<string | null>(null);
  const filters = useMemo(() => ({ levels, search, file }), [levels, search, file]);
  const feed = useServerLog(profile.id, filters);
  const files = feed.log?.files ?? [];
  const fileOptions = files.map((f) => ({ value: f.name, label: `${f.name}${f.current ? ' (current)' : ''}` }));

  return (
    <Stack gap="sm" style={{ flex: 1, minHeight: 0 }}>
      <Group gap="sm" role="toolbar" aria-label="Log filters" wrap="wrap" align="flex-end">
        <Chip.Group multiple value={levels} onChange={(v) => setLevels(v as LogLevel[])}>
          <Group gap={4} role="group" aria-label="Levels">
            {[...LOG_LEVELS].reverse().map((l) => (
              <Chip key={l} value={l} size="xs">
                {l}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
        <TextInput
          size="xs"
          aria-label="Search the log"
          placeholder="Search"
          value={searchText}
          onChange={(e) => setSearchText(e.currentTarget.value)}
          style={{ flex: '1 1 160px', minWidth: 140, maxWidth: 320 }}
        />
        <Select
          size="xs"
          aria-label="Log file"
          placeholder="Current file"
          data={fileOptions}
          value={feed.log?.file ?? null}
          onChange={(v) => setFile(v && files.find((f) => f.name === v)?.current ? null : v)}
          allowDeselect={false}
          searchable
          style={{ flex: '0 1 340px', minWidth: 160 }}
          disabled={files.length === 0}
        />
        <Switch
          size="xs"
          label="Follow"
          checked={feed.follow && feed.canFollow}
          disabled={!feed.canFollow}
          onChange={(e) => feed.setFollow(e.currentTarget.checked)}
        />
        <Button size="xs" variant="default" onClick={() => void feed.reload()} loading={feed.loading && feed.entries.length === 0}>
          Refresh
        </Button>
      </Group>
      {feed.needsPassword ? <PasswordPrompt onSubmit={feed.submitPassword} /> : null}
      {feed.error ? <ErrorAlert title="Cannot read the server log" error={feed.error} /> : null}
      {feed.unavailable ? <LogUnavailable why={feed.unavailable} /> : null}
      {feed.log ? (
        <>
          <Status feed={feed} />
          <LogEntries entries={feed.entries} hasOlder={feed.hasOlder} loading={feed.loading} onOlder={() => void feed.loadOlder()} />
        </>
      ) : null}
    </Stack>
  );
}

export function ServerLogScreen() {
  const { active, setScreen } = useAppState();
  return (
    <FullHeightScreen aria-label="Server log">
      <Stack gap="sm" style={{ flex: 1, minHeight: 0 }}>
        <ProfileScreenHeader title="Server log" active={active} />
        {active ? (
          <ServerLogBody key={active.id} profile={active} />
        ) : (
          <Alert color="blue" variant="light" title="No active profile">
            <Text size="sm">The server log is read from the active profile’s server: choose one in the header, or add one in Profiles.</Text>
            <Button mt="sm" size="xs" onClick={() => setScreen('profiles')}>
              Go to Profiles
            </Button>
          </Alert>
        )}
      </Stack>
    </FullHeightScreen>
  );
}
