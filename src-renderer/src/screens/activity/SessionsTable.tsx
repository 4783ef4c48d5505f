// pg_stat_activity as a table: filters (state, user, application, database, minimum
// duration), client sessions first and the server's background processes after them (or
// hidden), this app's own connections marked, hidden query text explained, the query wrapped
// to a few lines that expand to the whole text, and Cancel/Terminate per client backend in a
// column pinned to the right edge, so a narrow window never cuts them off.
import { ActionIcon, Badge, Button, Code, Group, NumberInput, Paper, Select, Stack, Switch, Table, Text, Tooltip } from '@mantine/core';
import { Fragment, useMemo, useState } from 'react';
import type { SessionRow } from '@contract/activity';
import { formatDuration } from '../../shared/format/time';
import {
  EMPTY_FILTER,
  HIDDEN_QUERY_TEXT,
  HIDDEN_QUERY_WHY,
  choicesOf,
  filterSessions,
  isClientSession,
  isFiltered,
  oneLine,
  orderSessions,
  stateLabel,
  BACKGROUND_SETTING,
  type SessionFilter,
} from './activity-model';
import { readSetting, writeSetting } from '../../shared/state/storage';
import { PINNED_RIGHT, WHOLE_BADGE } from '../../shared/components/table-styles';

function FilterSelect({ label, value, data, onChange }: { label: string; value: string | null; data: string[]; onChange: (v: string | null) => void }) {
  return (
    <Select
      label={label}
      placeholder="Any"
      data={data}
      value={value}
      onChange={onChange}
      clearable
      searchable
      size="xs"
      w={170}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

export function QueryCell({ row, expanded }: { row: Pick<SessionRow, 'query' | 'hidden'>; expanded: boolean }) {
  if (row.hidden)
    return (
      <Tooltip label={HIDDEN_QUERY_WHY} multiline w={360} withArrow>
        <Text size="xs" c="dimmed" fs="italic" style={{ cursor: 'help' }}>
          {HIDDEN_QUERY_TEXT}
        </Text>
      </Tooltip>
    );
  if (!row.query)
    return (
      <Text size="xs" c="dimmed">
        —
      </Text>
    );
  return expanded ? (
    <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontSize: 12 }}>
      {row.query}
    </Code>
  ) : (
    <Text size="xs" ff="monospace" lineClamp={3} title={row.query} style={{ wordBreak: 'break-word' }}>
      {oneLine(row.query, 400)}
    </Text>
  );
}

function stateColor(state: string | null): string {
  if (state === 'active') return 'blue';
  if (state?.startsWith('idle in transaction')) return 'orange';
  if (state === 'idle') return 'gray';
  return 'dark';
}

interface Props {
  sessions: SessionRow[];
  onSignal: (action: 'cancel' | 'terminate', row: SessionRow) => void;
}

export function SessionsTable({ sessions, onSignal }: Props) {
  const [filter, setFilter] = useState<SessionFilter>(EMPTY_FILTER);
  const [expanded, setExpanded] = useState<Set<number>>(new Set());
  const [showBackground, setShowBackground] = useState(() => readSetting(BACKGROUND_SETTING) !== 'false');
  const background = useMemo(() => sessions.filter((r) => !isClientSession(r)).length, [sessions]);
  const shown = useMemo(() => orderSessions(filterSessions(sessions, filter), showBackground), [sessions, filter, showBackground]);
  const set = <K extends keyof SessionFilter>(key: K, value: SessionFilter[K]) => setFilter((f) => ({ ...f, [key]: value }));

  function toggle(pid: number) {
    setExpanded((all) => {
      const next = new Set(all);
      if (next.has(pid)) next.delete(pid);
      else next.add(pid);
      return next;
    });
  }

  function toggleBackground(on: boolean) {
    setShowBackground(on);
    writeSetting(BACKGROUND_SETTING, String(on));
  }

  return (
    <Paper withBorder p="md" component="section" aria-label="Sessions">
      <Stack gap="sm">
        <Group gap="sm" align="flex-end" role="group" aria-label="Session filters">
          <FilterSelect
            label="State"
            value={filter.state}
            data={choicesOf(sessions, (r) => stateLabel(r.state), filter.state)}
            onChange={(v) => set('state', v)}
          />
          <FilterSelect label="User" value={filter.user} data={choicesOf(sessions, (r) => r.user, filter.user)} onChange={(v) => set('user', v)} />
          <FilterSelect
            label="Application"
            value={filter.application}
            data={choicesOf(sessions, (r) => r.application, filter.application)}
            onChange={(v) => set('application', v)}
          />
          <FilterSelect
            label="Database"
            value={filter.database}
            data={choicesOf(sessions, (r) => r.database, filter.database)}
            onChange={(v) => set('database', v)}
          />
          <NumberInput
            label="Minimum duration (s)"
            size="xs"
            w={150}
            min={0}
            value={filter.minDurationSec ?? ''}
            onChange={(v) => set('minDurationSec', typeof v === 'number' && v > 0 ? v : null)}
          />
          {isFiltered(filter) ? (
            <Button size="xs" variant="subtle" onClick={() => setFilter(EMPTY_FILTER)}>
              Clear filters
            </Button>
          ) : null}
          <Switch
            size="xs"
            mb={6}
            label={`Background processes (${background})`}
            checked={showBackground}
            onChange={(e) => toggleBackground(e.currentTarget.checked)}
          />
        </Group>
        <Text size="xs" c="dimmed" aria-live="polite">
          {shown.length === sessions.length ? `${sessions.length} sessions` : `${shown.length} of ${sessions.length} sessions shown`}
          {showBackground ? ' · client sessions first, background processes after them' : ' · background processes hidden'}
        </Text>
        {shown.length === 0 ? (
          <Text size="sm" c="dimmed">
            {sessions.length === 0 ? 'No sessions visible to this role.' : 'No session matches these filters.'}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={760} type="native">
            <Table striped highlightOnHover aria-label="Sessions" verticalSpacing={4} fz="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>pid</Table.Th>
                  <Table.Th>Session</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Wait event</Table.Th>
                  <Table.Th ta="right" title="Time in the current transaction (tx) and in the current or last query (q)">
                    Duration
                  </Table.Th>
                  <Table.Th miw={200}>Query text</Table.Th>
                  <Table.Th style={PINNED_RIGHT}>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((r) => {
                  const open = expanded.has(r.pid);
                  const clientBackend = isClientSession(r);
                  return (
                    <Fragment key={r.pid}>
                      <Table.Tr aria-label={`Session ${r.pid}`} data-backend={clientBackend ? 'client' : 'background'}>
                        <Table.Td>
                          <Stack gap={2} align="flex-start">
                            <Text size="xs" ff="monospace">
                              {r.pid}
                            </Text>
                            {r.blockedBy.length > 0 ? (
                              <Badge size="xs" color="red" variant="filled" title={`Waiting on ${r.blockedBy.join(', ')}`} style={WHOLE_BADGE}>
                                blocked by {r.blockedBy.join(', ')}
                              </Badge>
                            ) : null}
                            {r.own ? (
                              <Badge size="xs" color="grape" variant="light" title="One of Ops Console’s own connections" style={WHOLE_BADGE}>
                                this app
                              </Badge>
                            ) : null}
                          </Stack>
                        </Table.Td>
                        <Table.Td miw={150}>
                          <Text size="xs" fw={500} style={{ overflowWrap: 'break-word' }}>
                            {r.user ?? '—'} · {r.database ?? '—'}
                          </Text>
                          <Text size="xs" c="dimmed" style={{ overflowWrap: 'break-word' }}>
                            {r.application || (clientBackend ? '—' : r.backendType)} · {r.clientAddr ?? 'local'}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Badge size="xs" variant="light" color={stateColor(r.state)} style={WHOLE_BADGE} data-testid="session-state">
                            {stateLabel(r.state)}
                          </Badge>
                        </Table.Td>
                        <Table.Td miw={110} style={{ overflowWrap: 'break-word' }}>
                          {r.waitEventType ? `${r.waitEventType}: ${r.waitEvent ?? ''}` : '—'}
                        </Table.Td>
                        <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                          <Text size="xs" title="In the current transaction">
                            tx {formatDuration(r.xactDurationMs)}
                          </Text>
                          <Text size="xs" c="dimmed" title="In the current (or last) query">
                            q {formatDuration(r.queryDurationMs)}
                          </Text>
                        </Table.Td>
                        <Table.Td miw={200}>
                          <Group gap={4} wrap="nowrap" align="flex-start">
                            {r.query && !r.hidden ? (
                              <ActionIcon
                                size="xs"
                                variant="subtle"
                                aria-expanded={open}
                                aria-label={open ? `Collapse query of ${r.pid}` : `Expand query of ${r.pid}`}
                                onClick={() => toggle(r.pid)}
                              >
                                <span aria-hidden="true">{open ? '▾' : '▸'}</span>
                              </ActionIcon>
                            ) : null}
                            <div style={{ minWidth: 0, flex: 1 }}>
                              <QueryCell row={r} expanded={open} />
                            </div>
                          </Group>
                        </Table.Td>
                        <Table.Td style={PINNED_RIGHT}>
                          {clientBackend ? (
                            <Group gap={4} wrap="nowrap">
                              <Button size="compact-xs" variant="light" color="orange" onClick={() => onSignal('cancel', r)} aria-label={`Cancel ${r.pid}`}>
                                Cancel
                              </Button>
                              <Button size="compact-xs" variant="light" color="red" onClick={() => onSignal('terminate', r)} aria-label={`Terminate ${r.pid}`}>
                                Terminate
                              </Button>
                            </Group>
                          ) : (
                            <Text size="xs" c="dimmed">
                              {r.backendType}
                            </Text>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    </Fragment>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
