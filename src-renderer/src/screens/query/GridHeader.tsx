// The grid's sticky header row: "#" over the row numbers (sticky left too), then one cell
// per column with its type, sort arrow and resize handle.
import { memo, type PointerEvent } from 'react';
import type { QueryColumn } from '@contract/models';
import { BORDER, GridHeaderCell } from './CellDetail';
import { isNumericKind, type CellKind } from './grid-model';
import type { SortSpec } from './grid-view';

export const HEADER_HEIGHT = 30;

export interface GridHeaderProps {
  columns: QueryColumn[];
  kinds: CellKind[];
  widths: number[];
  rowNumberWidth: number;
  totalWidth: number;
  sort: SortSpec | null;
  onSort: (col: number) => void;
  onResizeStart: (event: PointerEvent<HTMLDivElement>, col: number) => void;
}

/** Memoized: streamed rows re-render the grid often, its header only when columns, widths or the sort change. */
export const GridHeader = memo(function GridHeader({ columns, kinds, widths, rowNumberWidth, totalWidth, sort, onSort, onResizeStart }: GridHeaderProps) {
  return (
    <div
      role="row"
      aria-rowindex={1}
      style={{ position: 'sticky', top: 0, zIndex: 2, display: 'flex', width: totalWidth, height: HEADER_HEIGHT, background: 'var(--mantine-color-body)' }}
    >
      <div
        role="columnheader"
        aria-colindex={1}
        aria-label="Row number"
        style={{
          position: 'sticky',
          left: 0,
          zIndex: 3,
          flex: 'none',
          width: rowNumberWidth,
          padding: '0 6px',
          lineHeight: `${HEADER_HEIGHT - 1}px`,
          textAlign: 'right',
          color: 'var(--mantine-color-dimmed)',
          background: 'var(--mantine-color-body)',
          borderRight: BORDER,
          borderBottom: BORDER,
        }}
      >
        #
      </div>
      {columns.map((col, c) => (
        <GridHeaderCell
          key={c}
          column={col}
          index={c}
          width={widths[c]!}
          numeric={isNumericKind(kinds[c] ?? 'text')}
          sorted={sort?.column === c ? sort.direction : null}
          onSort={onSort}
          onResizeStart={onResizeStart}
        />
      ))}
    </div>
  );
});
