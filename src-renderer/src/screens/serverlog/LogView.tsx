// The log's entries, newest last, in a box that scrolls inside itself: it sticks to the bottom
// while the user is there (a followed log reads like `tail -f`), and leaves the scroll alone
// once they scroll up to read. And the explanation shown instead when the log cannot be read.
import { Alert, Badge, Box, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { LogEntry, ServerLogUnavailable } from '@contract/serverlog';

const LEVEL_COLORS: Record<string, string> = {
  PANIC: 'red',
  FATAL: 'red',
  ERROR: 'red',
  WARNING: 'yellow',
  LOG: 'gray',
  NOTICE: 'blue',
  INFO: 'blue',
  DEBUG: 'gray',
};

function EntryRow({ entry }: { entry: LogEntry }) {
  const who = [entry.user && entry.database ? `${entry.user}@${entry.database}` : (entry.user ?? entry.database), entry.application]
    .filter(Boolean)
    .join(' · ');
  return (
    <Box
      role="row"
      aria-label={`${entry.level} ${entry.message}`}
      data-level={entry.level}
      px="xs"
      py={4}
      style={{ borderBottom: '1px solid var(--mantine-color-default-border)', minWidth: 0 }}
    >
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Badge size="sm" variant="light" color={LEVEL_COLORS[entry.level] ?? 'gray'} style={{ flex: '0 0 auto', minWidth: 72 }}>
          {entry.level}
        </Badge>
        <Stack gap={0} style={{ minWidth: 0, flex: 1 }}>
          <Text size="xs" c="dimmed" ff="monospace">
            {entry.time ?? ''}
            {entry.pid !== null ? ` [${entry.pid}]` : ''}
            {who ? ` ${who}` : ''}
            {entry.sqlstate ? ` ${entry.sqlstate}` : ''}
          </Text>
          <Text size="sm" ff="monospace" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {entry.message}
          </Text>
          {entry.extra.length > 0 ? (
            <Text size="xs" c="dimmed" ff="monospace" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {entry.extra.join('\n')}
            </Text>
          ) : null}
        </Stack>
      </Group>
    </Box>
  );
}

export function LogEntries({ entries, hasOlder, loading, onOlder }: { entries: LogEntry[]; hasOlder: boolean; loading: boolean; onOlder: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const firstOffset = useRef<number | null>(null);
  const heightBefore = useRef(0);

  // Older entries prepended: keep the entry the user was reading where it was.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const first = entries[0]?.offset ?? null;
    const prepended = firstOffset.current !== null && first !== null && first < firstOffset.current;
    if (prepended && !atBottom.current) el.scrollTop += el.scrollHeight - heightBefore.current;
    else if (atBottom.current) el.scrollTop = el.scrollHeight;
    firstOffset.current = first;
    heightBefore.current = el.scrollHeight;
  }, [entries]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const onScroll = () => {
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      heightBefore.current = el.scrollHeight;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);

  return (
    <Box
      ref={box}
      role="table"
      aria-label="Server log entries"
      style={{ flex: 1, minHeight: 0, overflowY: 'auto', overflowX: 'hidden', border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}
    >
      {hasOlder ? (
        <Group justify="center" p="xs">
          <Button size="xs" variant="default" loading={loading} onClick={onOlder}>
            Load older entries
          </Button>
        </Group>
      ) : null}
      {entries.length === 0 ? (
        <Text c="dimmed" size="sm" p="md">
          {loading ? 'Reading the log…' : 'No entries match.'}
        </Text>
      ) : (
        entries.map((e) => <EntryRow key={e.offset} entry={e} />)
      )}
    </Box>
  );
}

export function LogUnavailable({ why }: { why: ServerLogUnavailable }) {
  const title =
    why.reason === 'supabase'
      ? 'Supabase keeps the server log in its dashboard'
      : why.reason === 'no-privilege'
        ? 'This role may not read the server log'
        : why.reason === 'no-files'
          ? 'No log file yet'
          : 'The server does not write its log to files';
  return (
    <Alert color={why.reason === 'no-files' ? 'blue' : 'yellow'} variant="light" title={title} role="status" aria-label="Why the server log cannot be shown">
      <Stack gap="xs">
        <Text size="sm">{why.message}</Text>
        <Text size="sm">{why.fix}</Text>
        {why.fixSql ? (
          <Stack gap={4}>
            <Code block aria-label="SQL that fixes it">
              {why.fixSql}
            </Code>
            <Group>
              <CopyButton value={why.fixSql}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="default" onClick={copy}>
                    {copied ? 'Copied' : 'Copy SQL'}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        ) : null}
        {why.link ? (
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <Code style={{ overflowWrap: 'anywhere' }}>{why.link}</Code>
            <CopyButton value={why.link}>
              {({ copied, copy }) => (
                <Button size="xs" variant="default" onClick={copy} style={{ flex: '0 0 auto' }}>
                  {copied ? 'Copied' : 'Copy link'}
                </Button>
              )}
            </CopyButton>
          </Group>
        ) : null}
      </Stack>
    </Alert>
  );
}
