// The console's layout arithmetic, without React: how the height is shared between the
// editor and the results (the splitter), kept within bounds so neither pane disappears.
import type { CSSProperties } from 'react';

/** A flex column that takes the room left and lets its children shrink (min-height 0). */
export const FILL_COLUMN: CSSProperties = { flex: '1 1 0', minHeight: 0, display: 'flex', flexDirection: 'column' };
/** A pane that takes the room left and scrolls inside itself. */
export const SCROLLS: CSSProperties = { flex: '1 1 0', minHeight: 0, overflow: 'auto' };

/** The editor's share of the height when nothing was remembered. */
export const DEFAULT_EDITOR_SHARE = 0.3;
export const MIN_EDITOR_SHARE = 0.1;
export const MAX_EDITOR_SHARE = 0.75;
/** Neither pane gets less than this, px (an editor of three lines, a grid header and a row or two). */
export const MIN_PANE_PX = 72;

export function clampShare(share: number): number {
  if (!Number.isFinite(share)) return DEFAULT_EDITOR_SHARE;
  return Math.min(MAX_EDITOR_SHARE, Math.max(MIN_EDITOR_SHARE, share));
}

/** The editor's height for a share of `total` px, never below MIN_PANE_PX nor leaving less to the results. */
export function editorPx(share: number, total: number): number {
  const want = Math.round(clampShare(share) * total);
  return Math.max(Math.min(MIN_PANE_PX, total), Math.min(want, total - MIN_PANE_PX));
}

/** The share a dragged editor height stands for. */
export function shareOf(px: number, total: number): number {
  return total <= 0 ? DEFAULT_EDITOR_SHARE : clampShare(px / total);
}

/** A running statement's elapsed time: tenths of a second under a minute, then m:ss, then h:mm:ss. */
export function formatElapsed(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe < 60_000) return `${(Math.floor(safe / 100) / 10).toFixed(1)} s`;
  const total = Math.floor(safe / 1000);
  const s = String(total % 60).padStart(2, '0');
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

// ---- consoles: one per open profile ----

/** The consoles to show, in the order they were opened: the active profile's always, removed profiles' never. */
export function openConsoles<P extends { id: string }>(opened: readonly string[], activeId: string | null, profiles: readonly P[]): P[] {
  const ids = activeId && !opened.includes(activeId) ? [...opened, activeId] : opened;
  return ids.map((id) => profiles.find((p) => p.id === id)).filter((p): p is P => p !== undefined);
}

export function withConsole(opened: readonly string[], id: string): string[] {
  return opened.includes(id) ? [...opened] : [...opened, id];
}

export function withoutConsole(opened: readonly string[], id: string): string[] {
  return opened.filter((o) => o !== id);
}
