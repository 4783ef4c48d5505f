// The row grid's toolbar: quick filter (all columns or one), how many rows show, what is
// being sorted in, the last copy's outcome, and Copy rows.
import { Button, Group, Select, Text, TextInput } from '@mantine/core';
import { memo, useMemo } from 'react';
import type { QueryColumn } from '@contract/models';
import { formatCount } from '../../shared/format/numbers';

export interface GridToolbarProps {
  columns: QueryColumn[];
  filterText: string;
  onFilterText: (text: string) => void;
  /** 'all' or a column index as text. */
  filterColumn: string;
  onFilterColumn: (value: string) => void;
  shown: number;
  total: number;
  progress: string | null;
  notice: string | null;
  onCopyRows: () => void;
}

interface FilterControlsProps {
  columns: QueryColumn[];
  filterText: string;
  onFilterText: (text: string) => void;
  filterColumn: string;
  onFilterColumn: (value: string) => void;
}

/**
 * The filter's input and column choice. Memoized: rows streaming in change the counts beside
 * them several times a second, and re-rendering Mantine's Select each time was a good part
 * of every streamed batch's main-thread time.
 */
const FilterControls = memo(function FilterControls({ columns, filterText, onFilterText, filterColumn, onFilterColumn }: FilterControlsProps) {
  const data = useMemo(() => [{ value: 'all', label: 'in all columns' }, ...columns.map((c, i) => ({ value: String(i), label: `in ${c.name}` }))], [columns]);
  return (
    <>
      <TextInput
        size="xs"
        aria-label="Filter rows"
        placeholder="Filter rows (any case)"
        value={filterText}
        onChange={(e) => onFilterText(e.currentTarget.value)}
        w={240}
      />
      <Select
        size="xs"
        aria-label="Filter in column"
        w={170}
        allowDeselect={false}
        value={filterColumn}
        onChange={(v) => onFilterColumn(v ?? 'all')}
        data={data}
      />
    </>
  );
});

export function GridToolbar(props: GridToolbarProps) {
  const { shown, total } = props;
  return (
    <Group gap="xs" mb={6} wrap="nowrap">
      <FilterControls
        columns={props.columns}
        filterText={props.filterText}
        onFilterText={props.onFilterText}
        filterColumn={props.filterColumn}
        onFilterColumn={props.onFilterColumn}
      />
      <Text size="xs" role="status">{`${formatCount(shown)} of ${formatCount(total)} rows`}</Text>
      {props.progress ? (
        <Text size="xs" c="dimmed">
          {props.progress}
        </Text>
      ) : null}
      <Text size="xs" c="dimmed" aria-live="polite" style={{ flex: 1 }}>
        {props.notice ?? ''}
      </Text>
      <Button
        size="xs"
        variant="default"
        onClick={props.onCopyRows}
        disabled={shown === 0}
        title="Copies the selected rows (or every shown row) as tab-separated text with a header line"
      >
        Copy rows
      </Button>
    </Group>
  );
}
