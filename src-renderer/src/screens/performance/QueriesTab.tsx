// Queries: pg_stat_statements' top statements in the chosen order, when the statistics were
// reset, and how to enable the extension when it is missing. Each row opens in the console,
// as is or ready to EXPLAIN (the console's F7, once placeholders have values).
import { Alert, Button, Center, Checkbox, Code, Group, Loader, SegmentedControl, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useCallback, useState } from 'react';
import { OWN_STATEMENTS_RULE, type TopQueries } from '@contract/monitoring';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { useAppState } from '../../shared/state/app-state';
import { formatCount } from '../../shared/format/numbers';
import { formatTime } from '../../shared/format/time';
import { ORDER_OPTIONS, explainDraft, formatMs, isTopOrder, oneLine, queryHitPct, queryTabTitle, trimNumber, type TopOrder } from './performance-model';
import type { PasswordState } from '../../shared/hooks/usePassword';
import { profileInput, useLoad } from './usePerformance';

import { NOWRAP, PINNED_RIGHT } from '../../shared/components/table-styles';

function NotInstalled({ data }: { data: TopQueries }) {
  return (
    <Alert color="yellow" variant="light" title="pg_stat_statements is not available in this database">
      <Text size="sm">{data.reason ?? 'The extension is not installed.'}</Text>
      <Text size="sm" mt="xs">
        To enable it: add <Code>pg_stat_statements</Code> to <Code>shared_preload_libraries</Code> (restart needed; on Supabase it is already loaded), then run{' '}
        <Code>CREATE EXTENSION pg_stat_statements;</Code> in this database.
      </Text>
    </Alert>
  );
}

function QueriesTable({ data }: { data: TopQueries }) {
  const { openInQuery } = useAppState();
  if (data.queries.length === 0)
    return (
      <Text c="dimmed" size="sm">
        No statements recorded since the statistics reset.
      </Text>
    );
  return (
    // Native sideways scroll inside the tab, the actions pinned right (never off the window).
    <Table.ScrollContainer minWidth={760} type="native">
      <Table striped highlightOnHover aria-label="Top queries" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Query</Table.Th>
            <Table.Th ta="right">Calls</Table.Th>
            <Table.Th ta="right">Total</Table.Th>
            <Table.Th ta="right">Mean</Table.Th>
            <Table.Th ta="right">Rows</Table.Th>
            <Table.Th ta="right">Blocks read</Table.Th>
            <Table.Th ta="right">Cache hit</Table.Th>
            <Table.Th>User</Table.Th>
            <Table.Th style={PINNED_RIGHT} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data.queries.map((q) => {
            const hit = queryHitPct(q);
            return (
              <Table.Tr key={`${q.queryid}-${q.user ?? ''}`} aria-label={`Query ${q.queryid}`}>
                <Table.Td maw={420}>
                  <Tooltip
                    label={
                      <Text size="xs" style={{ whiteSpace: 'pre-wrap' }}>
                        {oneLine(q.query, 1200)}
                      </Text>
                    }
                    multiline
                    w={520}
                    openDelay={500}
                  >
                    <Text size="xs" ff="monospace" lineClamp={2}>
                      {oneLine(q.query)}
                    </Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td ta="right" style={NOWRAP}>
                  {formatCount(q.calls)}
                </Table.Td>
                <Table.Td ta="right" style={NOWRAP}>
                  {formatMs(q.totalMs)}
                </Table.Td>
                <Table.Td ta="right" style={NOWRAP}>
                  {formatMs(q.meanMs)}
                </Table.Td>
                <Table.Td ta="right" style={NOWRAP}>
                  {formatCount(q.rows)}
                </Table.Td>
                <Table.Td ta="right" style={NOWRAP}>
                  {formatCount(q.sharedBlksRead)}
                </Table.Td>
                <Table.Td ta="right" style={NOWRAP}>
                  {hit === null ? '—' : `${trimNumber(hit)} %`}
                </Table.Td>
                <Table.Td style={NOWRAP}>{q.user ?? '—'}</Table.Td>
                <Table.Td style={PINNED_RIGHT}>
                  <Group gap={4} wrap="nowrap">
                    <Button
                      size="compact-xs"
                      variant="light"
                      onClick={() => openInQuery(q.query, queryTabTitle(q.queryid, false))}
                      aria-label={`Open query ${q.queryid} in the console`}
                    >
                      Open in console
                    </Button>
                    <Button
                      size="compact-xs"
                      variant="default"
                      onClick={() => openInQuery(explainDraft(q.query), queryTabTitle(q.queryid, true))}
                      aria-label={`Explain query ${q.queryid} in the console`}
                    >
                      Explain
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function QueriesTab({ profileId, auth }: { profileId: string; auth: PasswordState }) {
  const [orderBy, setOrderBy] = useState<TopOrder>('total');
  // On by default: the app's own polling, pg_dump's COPYs and restores would crowd the list.
  const [hideOwn, setHideOwn] = useState(true);
  const { password, needsPassword, noteError } = auth;
  const load = useCallback(
    () => api.getTopQueries({ ...profileInput(profileId, password), orderBy, limit: 50, hideOwn }),
    [profileId, password, orderBy, hideOwn],
  );
  const top = useLoad(load, !needsPassword, noteError);
  const data = top.data;

  return (
    <Stack gap="md">
      <Group gap="sm">
        <Text size="sm">Order by</Text>
        <SegmentedControl
          size="xs"
          aria-label="Order top queries by"
          value={orderBy}
          onChange={(v) => {
            if (isTopOrder(v)) setOrderBy(v);
          }}
          data={ORDER_OPTIONS.map((o) => ({ value: o.value, label: o.label }))}
        />
        <Button size="xs" variant="default" onClick={() => void top.reload()} loading={top.loading}>
          Refresh
        </Button>
        {data?.available ? (
          <Text size="xs" c="dimmed">
            {data.statsReset ? `Statistics since ${formatTime(data.statsReset)}` : 'Statistics reset date unknown'}
          </Text>
        ) : null}
      </Group>
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Checkbox
          size="xs"
          label="Hide the app's own statements"
          checked={hideOwn}
          onChange={(e) => setHideOwn(e.currentTarget.checked)}
          aria-describedby="own-statements-rule"
        />
        <Text size="xs" c="dimmed" id="own-statements-rule">
          {data?.available && data.hideOwn ? `${formatCount(data.hidden)} hidden: ` : ''}
          {OWN_STATEMENTS_RULE}.
        </Text>
      </Group>
      {top.error ? <ErrorAlert title="Cannot read the top queries" error={top.error} /> : null}
      {data ? (
        data.available ? (
          <QueriesTable data={data} />
        ) : (
          <NotInstalled data={data} />
        )
      ) : !top.error ? (
        <Center h={160}>
          <Loader aria-label="Loading top queries" />
        </Center>
      ) : null}
    </Stack>
  );
}
