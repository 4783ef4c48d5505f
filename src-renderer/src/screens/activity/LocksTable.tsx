// Every lock on the server (issue #19), not only those in a blocking chain: what is locked
// (the table's name, a row, a transaction, an advisory key), the mode, granted or waiting, by
// which session and for how long. Waiting locks come first (the core's order). Refreshed on
// the screen's interval while this tab is open, paused with the rest of the screen.
import { Badge, Group, Paper, SegmentedControl, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LockRow, LocksSnapshot } from '@contract/activity';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { formatDuration, formatTime } from '../../shared/format/time';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { HIDDEN_QUERY_TEXT } from './activity-model';
import { WHOLE_BADGE } from '../../shared/components/table-styles';
import { QueryCell } from './SessionsTable';

type LockView = 'all' | 'waiting' | 'relations';

/** Locks a session takes on its own transaction ids: one per transaction, never what anyone waits for unless granted=false. */
function isOwnXactLock(l: LockRow): boolean {
  return l.granted && (l.locktype === 'virtualxid' || l.locktype === 'transactionid') && l.mode === 'ExclusiveLock';
}

export function filterLocks(locks: LockRow[], view: LockView, search: string, hideXact: boolean): LockRow[] {
  const needle = search.trim().toLowerCase();
  return locks.filter((l) => {
    if (view === 'waiting' && l.granted) return false;
    if (view === 'relations' && l.relation === null) return false;
    if (hideXact && isOwnXactLock(l)) return false;
    if (!needle) return true;
    return [l.relation, l.target, l.mode, l.user, l.application, String(l.pid ?? '')].some((v) => (v ?? '').toLowerCase().includes(needle));
  });
}

function useLocks(profileId: string, password: string | undefined, intervalSec: number, paused: boolean) {
  const [snapshot, setSnapshot] = useState<LocksSnapshot | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const alive = useRef(true);
  const refresh = useCallback(async () => {
    try {
      const next = await api.listLocks({ profileId, ...(password ? { password } : {}) });
      if (!alive.current) return;
      setSnapshot(next);
      setError(null);
    } catch (err) {
      if (alive.current) setError(toShownError(err));
    }
  }, [profileId, password]);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  useEffect(() => {
    // Read once even while paused (the tab was just opened); then on the interval unless paused.
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    async function tick() {
      await refresh();
      if (!stopped && !paused) timer = setTimeout(() => void tick(), intervalSec * 1000);
    }
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [refresh, intervalSec, paused]);
  return { snapshot, error };
}

function LockTarget({ lock }: { lock: LockRow }) {
  return (
    <Stack gap={0}>
      <Text size="xs" fw={lock.relation ? 600 : 400} ff={lock.relation ? 'monospace' : undefined} style={{ wordBreak: 'break-word' }}>
        {lock.relation ?? lock.target ?? lock.locktype}
      </Text>
      {lock.relation && lock.target ? (
        <Text size="xs" c="dimmed">
          {lock.target}
        </Text>
      ) : null}
    </Stack>
  );
}

export function LocksTable({
  profileId,
  password,
  intervalSec,
  paused,
}: {
  profileId: string;
  password: string | undefined;
  intervalSec: number;
  paused: boolean;
}) {
  const { snapshot, error } = useLocks(profileId, password, intervalSec, paused);
  const [view, setView] = useState<LockView>('all');
  const [search, setSearch] = useState('');
  const [hideXact, setHideXact] = useState(true);
  const shown = useMemo(() => (snapshot ? filterLocks(snapshot.locks, view, search, hideXact) : []), [snapshot, view, search, hideXact]);
  const waiting = snapshot ? snapshot.locks.filter((l) => !l.granted).length : 0;

  return (
    <Paper withBorder p="md" component="section" aria-label="All locks">
      <Stack gap="sm">
        <Group gap="sm" align="flex-end">
          <SegmentedControl
            size="xs"
            aria-label="Which locks"
            value={view}
            onChange={(v) => setView(v as LockView)}
            data={[
              { value: 'all', label: 'All' },
              { value: 'waiting', label: `Waiting (${waiting})` },
              { value: 'relations', label: 'Tables and indexes' },
            ]}
          />
          <TextInput
            size="xs"
            w={220}
            placeholder="Filter: table, mode, user, pid"
            aria-label="Filter locks"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
          />
          <Switch
            size="xs"
            mb={6}
            label="Hide each transaction's lock on its own id"
            checked={hideXact}
            onChange={(e) => setHideXact(e.currentTarget.checked)}
          />
        </Group>
        {error ? (
          <ErrorAlert title={snapshot ? 'The last refresh of the locks failed: showing the previous list' : 'Cannot read the locks'} error={error} />
        ) : null}
        {snapshot ? (
          <Text size="xs" c="dimmed" aria-live="polite">
            {shown.length} of {snapshot.locks.length} locks shown{snapshot.truncated ? ' (the server holds more; waiting ones are all here)' : ''} · read{' '}
            {formatTime(snapshot.at)}
          </Text>
        ) : null}
        {snapshot && shown.length === 0 ? (
          <Text size="sm" c="dimmed">
            {snapshot.locks.length === 0 ? 'No session holds or waits for a lock right now.' : 'No lock matches.'}
          </Text>
        ) : null}
        {shown.length > 0 ? (
          <Table.ScrollContainer minWidth={760} type="native">
            <Table striped highlightOnHover aria-label="Locks" verticalSpacing={4} fz="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>pid</Table.Th>
                  <Table.Th>Locked</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Mode</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right" title="Waiting: how long it has waited. Granted: how long its transaction has been open.">
                    Age
                  </Table.Th>
                  <Table.Th>Session</Table.Th>
                  <Table.Th miw={200}>Query</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((l, i) => (
                  <Table.Tr
                    key={`${l.pid ?? 'prepared'}-${l.locktype}-${l.mode}-${l.relation ?? l.target ?? i}-${l.granted}`}
                    aria-label={`Lock ${l.pid ?? 'prepared'} ${l.mode} on ${l.relation ?? l.target ?? l.locktype}`}
                  >
                    <Table.Td ff="monospace">{l.pid ?? '—'}</Table.Td>
                    <Table.Td>
                      <LockTarget lock={l} />
                    </Table.Td>
                    <Table.Td>{l.locktype}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{l.mode}</Table.Td>
                    <Table.Td>
                      {l.granted ? (
                        <Badge size="xs" color="teal" variant="light" style={WHOLE_BADGE}>
                          granted
                        </Badge>
                      ) : (
                        <Badge
                          size="xs"
                          color="red"
                          variant="filled"
                          style={WHOLE_BADGE}
                          title={l.blockedBy.length > 0 ? `Blocked by ${l.blockedBy.join(', ')}` : undefined}
                        >
                          {l.blockedBy.length > 0 ? `waiting on ${l.blockedBy.join(', ')}` : 'waiting'}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {formatDuration(l.ageMs)}
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" style={{ wordBreak: 'break-word' }}>
                        {l.user ?? '—'} · {l.application || '—'}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {l.database ?? 'shared'} · {l.state ?? (l.pid === null ? 'prepared transaction' : 'no state')}
                      </Text>
                    </Table.Td>
                    <Table.Td miw={200}>
                      {l.hidden ? (
                        <Text size="xs" c="dimmed" fs="italic">
                          {HIDDEN_QUERY_TEXT}
                        </Text>
                      ) : (
                        <QueryCell row={{ query: l.query, hidden: false }} expanded={false} />
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
      </Stack>
    </Paper>
  );
}
