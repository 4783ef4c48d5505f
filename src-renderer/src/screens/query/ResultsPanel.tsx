// One tab per statement: its rows in the virtualized grid (streaming in while it runs),
// or its row count, or its error. A result stopped at the row limit says so and offers
// "Fetch more" (its cursor is still open on the server) or closing it.
import { Alert, Button, Code, Group, Stack, Tabs, Text } from '@mantine/core';
import type { QueryFailure } from '@contract/models';
import { IconAlert } from '../../shared/components/icons';
import { formatCount } from '../../shared/format/numbers';
import { formatDuration } from '../../shared/format/time';
import type { ResultView } from './live-results';
import { FILL_COLUMN } from './layout-model';
import { statementSummary, type EditorRange } from './query-tools';
import { ResultGrid } from './ResultGrid';

export function QueryErrorAlert({ error, at }: { error: QueryFailure; at: EditorRange | null }) {
  return (
    <Alert role="alert" color="red" variant="light" icon={<IconAlert />} title={`ERROR${error.sqlstate ? ` ${error.sqlstate}` : ''}: ${error.message}`}>
      <Stack gap={4}>
        {error.sqlstate ? (
          <Text size="sm">
            SQLSTATE <Code>{error.sqlstate}</Code>
          </Text>
        ) : null}
        {at ? (
          <Text size="sm">
            At line {at.line}, column {at.column} (selected in the editor).
          </Text>
        ) : null}
        {error.detail ? (
          <Text size="sm">
            <b>Detail:</b> {error.detail}
          </Text>
        ) : null}
        {error.hint ? (
          <Text size="sm">
            <b>Hint:</b> {error.hint}
          </Text>
        ) : null}
      </Stack>
    </Alert>
  );
}

export interface MoreRows {
  limit: number;
  fetching: boolean;
  onFetchMore: () => void;
  onClose: () => void;
}

/**
 * Where the fetch stopped: the core's count (its answer often comes before its last rows have
 * crossed the event stream, and the grid shows those as they arrive), else the rows received.
 */
export function LimitNotice({ view, more }: { view: ResultView; more: MoreRows }) {
  const result = view.result;
  if (!result?.truncated) return null;
  return (
    <Alert color="yellow" variant="light" role="status" aria-label="Row limit reached">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm">
          Stopped at {formatCount(view.expected ?? view.received)} rows (the limit is {formatCount(more.limit)} a fetch): more rows exist.
          {result.resumable
            ? ' The result is still open on the server, so Fetch more continues where it stopped.'
            : ' Raise the limit and run again to see more.'}
        </Text>
        {result.resumable ? (
          <Group gap="xs" wrap="nowrap">
            <Button size="xs" onClick={more.onFetchMore} loading={more.fetching}>
              Fetch {formatCount(more.limit)} more
            </Button>
            <Button size="xs" variant="default" onClick={more.onClose} disabled={more.fetching}>
              Close result
            </Button>
          </Group>
        ) : null}
      </Group>
    </Alert>
  );
}

function StatementPanel({ view, errorAt, more }: { view: ResultView; errorAt: EditorRange | null; more: MoreRows }) {
  const result = view.result;
  const partial = result?.error && view.received > 0;
  return (
    <Stack gap={6} pt={6} style={FILL_COLUMN}>
      {result?.cancelled ? (
        <Alert color="orange" variant="light" title="cancelled" role="status">
          The statement was cancelled on the server after {formatDuration(Math.round(result.durationMs))}; nothing more ran after it.
        </Alert>
      ) : null}
      {result?.error && !result.cancelled ? <QueryErrorAlert error={result.error} at={errorAt} /> : null}
      {partial ? (
        <Text size="sm" c="orange" role="status">
          Partial result: {formatCount(view.received)} rows arrived before the statement stopped; the rest never came.
        </Text>
      ) : null}
      <LimitNotice view={view} more={more} />
      {view.expected !== null && view.received < view.expected ? (
        view.stalled ? (
          <Alert color="red" variant="light" role="alert" title="Rows lost on the way">
            The server sent {formatCount(view.expected)} rows but only {formatCount(view.received)} reached this page (its connection to the app dropped). Run
            the query again.
          </Alert>
        ) : (
          <Text size="sm" c="dimmed" role="status">
            Receiving rows… {formatCount(view.received)} of {formatCount(view.expected)}
          </Text>
        )
      ) : null}
      {view.columns.length > 0 ? (
        view.received > 0 || view.running ? (
          <ResultGrid columns={view.columns} rows={view.rows} rowCount={view.received} label={`Result of statement ${view.index + 1}`} />
        ) : (
          <Text size="sm" c="dimmed">
            No rows.
          </Text>
        )
      ) : result && !result.error && !result.cancelled ? (
        <Text size="sm" ff="monospace" aria-label="Command result">
          {statementSummary(result)}
        </Text>
      ) : view.running ? (
        <Text size="sm" c="dimmed" role="status">
          Running…
        </Text>
      ) : null}
    </Stack>
  );
}

function tabLabel(view: ResultView): string {
  if (view.running) return `${view.index + 1} · running · ${formatCount(view.received)} rows so far`;
  const result = view.result!;
  return `${view.index + 1} · ${statementSummary(result, view.received)} · ${formatDuration(Math.round(result.durationMs))}`;
}

export function ResultsPanel({ views, errorAt, more }: { views: ResultView[]; errorAt: EditorRange | null; more: MoreRows }) {
  const failed = views.find((v) => v.result?.error || v.result?.cancelled);
  const first = String((failed ?? views[views.length - 1] ?? views[0])?.index ?? 0);
  // A new set of statements (or a failure to show first) opens the chosen tab afresh. A
  // statement that merely finishes keeps its grid mounted: remounting it re-created the view
  // of a million streamed rows in one long task at the end of the stream.
  return (
    <Tabs defaultValue={first} key={views.map((v) => v.index).join(',') + first} keepMounted={false} style={FILL_COLUMN}>
      <Tabs.List aria-label="Statement results" style={{ flex: 'none', flexWrap: 'nowrap', overflowX: 'auto', overflowY: 'hidden' }}>
        {views.map((v) => (
          <Tabs.Tab
            key={v.index}
            value={String(v.index)}
            py={4}
            fz="xs"
            color={v.result?.error && !v.result.cancelled ? 'red' : v.result?.cancelled ? 'orange' : undefined}
          >
            {tabLabel(v)}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {views.map((v) => (
        <Tabs.Panel key={v.index} value={String(v.index)} style={FILL_COLUMN}>
          <StatementPanel view={v} errorAt={v === failed ? errorAt : null} more={more} />
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
