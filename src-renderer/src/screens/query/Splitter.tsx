// The bar between the editor and the results: drag it (or focus it and use the arrow keys)
// to give one more room; where it was left is remembered across restarts, as a share of the
// console's height so it still fits after the window changes size.
import { useCallback, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { readSetting, writeSetting } from '../../shared/state/storage';
import { clampShare, DEFAULT_EDITOR_SHARE, editorPx, shareOf } from './layout-model';

const SETTING = 'query.editor-share';
export const SPLITTER_PX = 8;
/** One arrow key press moves the bar this share of the height. */
const KEY_STEP = 0.03;

export function savedEditorShare(): number {
  const saved = Number(readSetting(SETTING));
  return Number.isFinite(saved) && saved > 0 ? clampShare(saved) : DEFAULT_EDITOR_SHARE;
}

export function saveEditorShare(share: number): void {
  writeSetting(SETTING, String(Math.round(clampShare(share) * 1000) / 1000));
}

export interface SplitterProps {
  /** Editor's share of `total` (0–1). */
  share: number;
  /** Height shared between the editor and the results, px. */
  total: number;
  onChange: (share: number) => void;
}

export function Splitter({ share, total, onChange }: SplitterProps) {
  const drag = useRef<{ startY: number; startPx: number } | null>(null);
  const latest = useRef(share);
  latest.current = share;

  const onPointerDown = useCallback(
    (event: PointerEvent<HTMLDivElement>) => {
      event.preventDefault();
      event.currentTarget.setPointerCapture(event.pointerId);
      drag.current = { startY: event.clientY, startPx: editorPx(latest.current, total) };
    },
    [total],
  );
  const onPointerMove = useCallback(
    (event: PointerEvent<HTMLDivElement>) => {
      if (!drag.current) return;
      onChange(shareOf(drag.current.startPx + event.clientY - drag.current.startY, total));
    },
    [onChange, total],
  );
  const onPointerUp = useCallback(() => {
    if (!drag.current) return;
    drag.current = null;
    saveEditorShare(latest.current);
  }, []);
  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      const step = event.key === 'ArrowUp' ? -KEY_STEP : event.key === 'ArrowDown' ? KEY_STEP : 0;
      if (step === 0) return;
      event.preventDefault();
      const next = clampShare(latest.current + step);
      onChange(next);
      saveEditorShare(next);
    },
    [onChange],
  );

  return (
    <div
      role="separator"
      aria-orientation="horizontal"
      aria-label="Resize the editor and the results"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(share * 100)}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
      title="Drag to resize (or focus and use ↑ ↓)"
      className="ops-splitter"
      style={{ height: SPLITTER_PX, flex: 'none', cursor: 'row-resize', touchAction: 'none', display: 'flex', alignItems: 'center', justifyContent: 'center' }}
    >
      <div style={{ width: 48, height: 3, borderRadius: 2, background: 'var(--mantine-color-default-border)' }} />
    </div>
  );
}
