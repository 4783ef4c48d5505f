// The console's execution history for one profile: searchable, newest first, each entry
// with its outcome and a link to its audit entry, to put back in the editor or run again.
import { Badge, Button, Group, Loader, Paper, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import type { QueryHistoryEntry, QueryHistoryOutcome } from '@contract/models';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatDuration, formatTime } from '../../shared/format/time';

export interface HistoryPanelProps {
  profileId: string;
  /** Put this SQL in the editor (nothing runs). */
  onOpen: (sql: string) => void;
  /** Run this SQL again (through the console's usual guards). */
  onRun: (sql: string) => void;
  /** Changes after each run, so the list reloads. */
  refreshKey: unknown;
}

const HISTORY_LIMIT = 200;

const OUTCOME_COLORS: Record<QueryHistoryOutcome, string> = { ok: 'teal', error: 'red', cancelled: 'yellow', blocked: 'orange' };

function firstLine(sql: string): string {
  const line = sql.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim();
}

function rowsText(rows: number | null): string {
  if (rows === null) return 'no rows';
  return `${rows.toLocaleString()} row${rows === 1 ? '' : 's'}`;
}

function HistoryItem({ entry, onOpen, onRun }: { entry: QueryHistoryEntry; onOpen: (sql: string) => void; onRun: (sql: string) => void }) {
  const multiLine = entry.sql.trim().includes('\n');
  return (
    <Paper component="li" withBorder p="xs" style={{ listStyle: 'none' }} aria-label={`Run at ${formatTime(entry.startedAt)}: ${firstLine(entry.sql)}`}>
      <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Group gap="xs" wrap="wrap">
            <Badge size="sm" radius="sm" color={OUTCOME_COLORS[entry.outcome]} variant={entry.outcome === 'ok' ? 'light' : 'filled'}>
              {entry.outcome}
            </Badge>
            <Text size="xs" c="dimmed">
              {formatTime(entry.startedAt)}
            </Text>
            <Text size="xs" c="dimmed">
              {formatDuration(entry.durationMs)}
            </Text>
            <Text size="xs" c="dimmed">
              {rowsText(entry.rows)}
            </Text>
            {entry.auditId !== null ? (
              <Text size="xs" c="dimmed">
                audit #{entry.auditId}
              </Text>
            ) : null}
          </Group>
          <Text size="sm" ff="monospace" truncate="end" title={entry.sql}>
            {firstLine(entry.sql)}
            {multiLine ? ' …' : ''}
          </Text>
          {entry.error ? (
            <Text size="xs" c="red" lineClamp={2} title={entry.error}>
              {entry.error}
            </Text>
          ) : null}
        </Stack>
        <Group gap={4} wrap="nowrap">
          <Button size="compact-xs" variant="default" onClick={() => onOpen(entry.sql)} aria-label={`Open in the editor: ${firstLine(entry.sql)}`}>
            Open
          </Button>
          <Button size="compact-xs" variant="light" onClick={() => onRun(entry.sql)} aria-label={`Run again: ${firstLine(entry.sql)}`}>
            Run again
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}

export function HistoryPanel({ profileId, onOpen, onRun, refreshKey }: HistoryPanelProps) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [entries, setEntries] = useState<QueryHistoryEntry[] | null>(null);
  const [error, setError] = useState<ShownError | null>(null);

  useEffect(() => {
    let current = true;
    const query = debounced.trim() === '' ? { profileId, limit: HISTORY_LIMIT } : { profileId, search: debounced, limit: HISTORY_LIMIT };
    api
      .listQueryHistory(query)
      .then((res) => {
        if (!current) return;
        setEntries(res.entries);
        setError(null);
      })
      .catch((err: unknown) => {
        if (current) setError(toShownError(err));
      });
    // A slower answer for an older search or profile must not replace a newer one.
    return () => {
      current = false;
    };
  }, [profileId, debounced, refreshKey]);

  return (
    <Stack gap="xs" component="section" aria-label="Query history">
      <TextInput
        aria-label="Search history"
        placeholder="Search the SQL of past runs"
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        size="xs"
      />
      {error ? <ErrorAlert error={error} title="Could not load the history" onClose={() => setError(null)} /> : null}
      {entries === null && !error ? <Loader size="sm" aria-label="Loading history" /> : null}
      {entries !== null && entries.length === 0 ? (
        <Text size="sm" c="dimmed">
          {debounced.trim() === ''
            ? 'No runs yet on this profile. Every statement you run in the console (including failed, cancelled and blocked ones) is listed here, to open again or re-run.'
            : `No past run contains “${debounced}”. Try a shorter piece of the SQL, or clear the search.`}
        </Text>
      ) : null}
      {entries !== null && entries.length > 0 ? (
        <ScrollArea.Autosize mah={480} type="auto" offsetScrollbars>
          <Stack component="ul" gap={6} p={0} m={0}>
            {entries.map((entry) => (
              <HistoryItem key={entry.id} entry={entry} onOpen={onOpen} onRun={onRun} />
            ))}
          </Stack>
        </ScrollArea.Autosize>
      ) : null}
      {entries !== null && entries.length === HISTORY_LIMIT ? (
        <Text size="xs" c="dimmed">
          Showing the newest {HISTORY_LIMIT} runs; search to find older ones.
        </Text>
      ) : null}
    </Stack>
  );
}
