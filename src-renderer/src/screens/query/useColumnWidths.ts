// Column widths: estimated from the header and the first rows' text (monospace), then
// whatever the user dragged a header edge to, for as long as the same result is shown.
import { useCallback, useMemo, useState, type PointerEvent } from 'react';
import type { QueryColumn } from '@contract/models';
import type { RowsInput } from './row-store';
import { estimateColumnWidths } from './grid-model';
import type { GridView } from './grid-view';

/** Width of one character of the 12px monospace font, for the width estimate. */
export const CHAR_PX = 7.3;

export function useColumnWidths(view: GridView, columns: QueryColumn[], rows: RowsInput, count: number) {
  const [resized, setResized] = useState<{ view: GridView | null; widths: Record<number, number> }>({ view: null, widths: {} });
  // Estimated once rows exist, not per batch: widths that jump while rows stream are unreadable.
  const estimated = useMemo(() => estimateColumnWidths(columns, rows, Math.min(count, 200), CHAR_PX), [view, count > 0]);
  const widths = useMemo(() => estimated.map((w, c) => (resized.view === view ? (resized.widths[c] ?? w) : w)), [estimated, resized, view]);

  const startResize = useCallback(
    (event: PointerEvent<HTMLDivElement>, col: number) => {
      event.preventDefault();
      event.stopPropagation();
      const handle = event.currentTarget;
      handle.setPointerCapture(event.pointerId);
      const startX = event.clientX;
      const startWidth = widths[col] ?? 100;
      const move = (e: globalThis.PointerEvent) => {
        const width = Math.min(2000, Math.max(40, Math.round(startWidth + e.clientX - startX)));
        setResized((prev) => ({ view, widths: { ...(prev.view === view ? prev.widths : {}), [col]: width } }));
      };
      const stop = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', stop);
        handle.removeEventListener('pointercancel', stop);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', stop);
      handle.addEventListener('pointercancel', stop);
    },
    [widths, view],
  );
  return { widths, startResize };
}
