// One tab per statement: its rows (or its row count, or its error). This increment renders
// a plain bounded table (at most maxRows rows from the core); a virtualized grid with
// sort/filter/copy replaces it next, so it stays smooth at a million rows.
import { Alert, Badge, Code, Group, Select, Stack, Table, Tabs, Text } from '@mantine/core';
import type { QueryCell, QueryFailure, StatementResult } from '../../../../src-main/contract/models';
import { IconAlert } from '../../components/icons';
import { formatDuration } from '../../state/format';
import { CELL_MAX_CHARS, cellText, MAX_ROWS_CHOICES, statementSummary, type EditorRange } from './query-tools';

function Cell({ value }: { value: QueryCell }) {
  if (value === null) {
    return <Badge color="gray" variant="light" radius="sm" size="xs" style={{ fontFamily: 'inherit' }}>NULL</Badge>;
  }
  const text = cellText(value);
  if (text.length <= CELL_MAX_CHARS) return <>{text}</>;
  return <span title={text}>{text.slice(0, CELL_MAX_CHARS)}…</span>;
}

function RowsTable({ result, label }: { result: StatementResult; label: string }) {
  return (
    <Table.ScrollContainer minWidth={Math.min(2000, 160 * result.columns.length)} maxHeight={520}>
      <Table stickyHeader striped highlightOnHover withColumnBorders verticalSpacing={4} aria-label={label} ff="monospace" fz="sm">
        <Table.Thead>
          <Table.Tr>
            {result.columns.map((col, i) => (
              <Table.Th key={i} style={{ whiteSpace: 'nowrap' }}>
                {col.name} <Text span size="xs" c="dimmed" fw={400}>{col.type}</Text>
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {result.rows.map((row, r) => (
            <Table.Tr key={r}>
              {row.map((cell, c) => (
                <Table.Td key={c} style={{ whiteSpace: 'pre', maxWidth: 480, overflow: 'hidden', textOverflow: 'ellipsis' }}>
                  <Cell value={cell} />
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function QueryErrorAlert({ error, at }: { error: QueryFailure; at: EditorRange | null }) {
  return (
    <Alert role="alert" color="red" variant="light" icon={<IconAlert />} title={`ERROR${error.sqlstate ? ` ${error.sqlstate}` : ''}: ${error.message}`}>
      <Stack gap={4}>
        {error.sqlstate ? <Text size="sm">SQLSTATE <Code>{error.sqlstate}</Code></Text> : null}
        {at ? <Text size="sm">At line {at.line}, column {at.column} (selected in the editor).</Text> : null}
        {error.detail ? <Text size="sm"><b>Detail:</b> {error.detail}</Text> : null}
        {error.hint ? <Text size="sm"><b>Hint:</b> {error.hint}</Text> : null}
      </Stack>
    </Alert>
  );
}

function StatementPanel({ result, errorAt, maxRows, onMaxRows }: { result: StatementResult; errorAt: EditorRange | null; maxRows: string; onMaxRows: (value: string) => void }) {
  return (
    <Stack gap="sm" pt="sm">
      {result.cancelled ? (
        <Alert color="orange" variant="light" title="cancelled" role="status">
          The statement was cancelled on the server after {formatDuration(Math.round(result.durationMs))}; nothing more ran after it.
        </Alert>
      ) : null}
      {result.error && !result.cancelled ? <QueryErrorAlert error={result.error} at={errorAt} /> : null}
      {result.truncated ? (
        <Alert color="yellow" variant="light" role="status">
          <Group justify="space-between" wrap="nowrap">
            <Text size="sm">First {result.rows.length.toLocaleString('en-US')} rows shown (more exist). Raise the limit and run again to see more.</Text>
            <Select aria-label="Maximum rows" data={[...MAX_ROWS_CHOICES]} value={maxRows} onChange={(v) => v && onMaxRows(v)} w={120} allowDeselect={false} />
          </Group>
        </Alert>
      ) : null}
      {result.columns.length > 0 ? (
        result.rows.length > 0 ? (
          <RowsTable result={result} label={`Result of statement ${result.index + 1}`} />
        ) : (
          <Text size="sm" c="dimmed">No rows.</Text>
        )
      ) : !result.error && !result.cancelled ? (
        <Text size="sm" ff="monospace" aria-label="Command result">{statementSummary(result)}</Text>
      ) : null}
    </Stack>
  );
}

export function ResultsPanel({ results, errorAt, maxRows, onMaxRows }: { results: StatementResult[]; errorAt: EditorRange | null; maxRows: string; onMaxRows: (value: string) => void }) {
  const failed = results.find((r) => r.error || r.cancelled);
  const first = String((failed ?? results[results.length - 1] ?? results[0])?.index ?? 0);
  return (
    <Tabs defaultValue={first} key={results.map((r) => r.index).join(',') + first} keepMounted={false}>
      <Tabs.List aria-label="Statement results">
        {results.map((r) => (
          <Tabs.Tab key={r.index} value={String(r.index)} color={r.error && !r.cancelled ? 'red' : r.cancelled ? 'orange' : undefined}>
            {r.index + 1} · {statementSummary(r)} · {formatDuration(Math.round(r.durationMs))}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {results.map((r) => (
        <Tabs.Panel key={r.index} value={String(r.index)}>
          <StatementPanel result={r} errorAt={r === failed ? errorAt : null} maxRows={maxRows} onMaxRows={onMaxRows} />
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
