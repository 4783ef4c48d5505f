// pg_stat_activity as a table: filters (state, user, application, database, minimum
// duration), this app's own connections marked, hidden query text explained, one line of
// query per row that expands to the whole text, and Cancel/Terminate per client backend.
import { ActionIcon, Badge, Button, Code, Group, NumberInput, Paper, Select, Stack, Table, Text, Tooltip } from '@mantine/core';
import { Fragment, useMemo, useState } from 'react';
import type { SessionRow } from '@contract/activity';
import { formatDuration } from '../../shared/format/time';
import {
  EMPTY_FILTER,
  HIDDEN_QUERY_TEXT,
  HIDDEN_QUERY_WHY,
  choicesOf,
  filterSessions,
  isFiltered,
  oneLine,
  stateLabel,
  type SessionFilter,
} from './activity-model';

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
    <Text size="xs" ff="monospace" lineClamp={1} title={row.query}>
      {oneLine(row.query)}
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
  const shown = useMemo(() => filterSessions(sessions, filter), [sessions, filter]);
  const set = <K extends keyof SessionFilter>(key: K, value: SessionFilter[K]) => setFilter((f) => ({ ...f, [key]: value }));

  function toggle(pid: number) {
    setExpanded((all) => {
      const next = new Set(all);
      if (next.has(pid)) next.delete(pid);
      else next.add(pid);
      return next;
    });
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
        </Group>
        <Text size="xs" c="dimmed" aria-live="polite">
          {shown.length === sessions.length ? `${sessions.length} sessions` : `${shown.length} of ${sessions.length} sessions match the filters`}
        </Text>
        {shown.length === 0 ? (
          <Text size="sm" c="dimmed">
            {sessions.length === 0 ? 'No sessions visible to this role.' : 'No session matches these filters.'}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={1100}>
            <Table striped highlightOnHover aria-label="Sessions" verticalSpacing={4} fz="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>pid</Table.Th>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Database</Table.Th>
                  <Table.Th>Application</Table.Th>
                  <Table.Th>Client</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Wait event</Table.Th>
                  <Table.Th ta="right">Transaction</Table.Th>
                  <Table.Th ta="right">Query</Table.Th>
                  <Table.Th>Query text</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((r) => {
                  const open = expanded.has(r.pid);
                  const clientBackend = r.backendType === 'client backend';
                  return (
                    <Fragment key={r.pid}>
                      <Table.Tr aria-label={`Session ${r.pid}`}>
                        <Table.Td>
                          <Group gap={4} wrap="nowrap">
                            <Text size="xs" ff="monospace">
                              {r.pid}
                            </Text>
                            {r.own ? (
                              <Badge size="xs" color="grape" variant="light" title="One of Ops Console’s own connections">
                                this app
                              </Badge>
                            ) : null}
                            {r.blockedBy.length > 0 ? (
                              <Badge size="xs" color="red" variant="light" title={`Waiting on ${r.blockedBy.join(', ')}`}>
                                blocked
                              </Badge>
                            ) : null}
                          </Group>
                        </Table.Td>
                        <Table.Td>{r.user ?? '—'}</Table.Td>
                        <Table.Td>{r.database ?? '—'}</Table.Td>
                        <Table.Td>{r.application || (clientBackend ? '—' : r.backendType)}</Table.Td>
                        <Table.Td>{r.clientAddr ?? 'local'}</Table.Td>
                        <Table.Td>
                          <Badge size="xs" variant="light" color={stateColor(r.state)}>
                            {stateLabel(r.state)}
                          </Badge>
                        </Table.Td>
                        <Table.Td>{r.waitEventType ? `${r.waitEventType}: ${r.waitEvent ?? ''}` : '—'}</Table.Td>
                        <Table.Td ta="right">{formatDuration(r.xactDurationMs)}</Table.Td>
                        <Table.Td ta="right">{formatDuration(r.queryDurationMs)}</Table.Td>
                        <Table.Td maw={420}>
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
                            <QueryCell row={r} expanded={open} />
                          </Group>
                        </Table.Td>
                        <Table.Td>
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
