// Styles that keep the things that matter in a table visible whatever the window's width
// (issue #19): an actions column pinned to the right edge, badges that never ellipsize, names
// that wrap rather than clip. Used by the Activity, Performance and other screens' tables.
import type { CSSProperties } from 'react';

/** A badge never shrinks below its text (Mantine's would ellipsize it to "ID…" in a tight cell). */
export const WHOLE_BADGE: CSSProperties = { minWidth: 'max-content', overflow: 'visible', flexShrink: 0 };

/**
 * The actions column stays at the table's right edge while the rest scrolls sideways under it
 * (inside a native Table.ScrollContainer); the body colour keeps scrolled cells from showing
 * through.
 */
export const PINNED_RIGHT: CSSProperties = {
  position: 'sticky',
  right: 0,
  background: 'var(--mantine-color-body)',
  boxShadow: 'inset 1px 0 0 var(--mantine-color-default-border)',
  whiteSpace: 'nowrap',
  zIndex: 1,
};

/** A long identifier (schema.table, a file path) wraps anywhere rather than widening the table. */
export const WRAP_NAME: CSSProperties = { wordBreak: 'break-word', overflowWrap: 'anywhere', minWidth: 120 };

export const NOWRAP: CSSProperties = { whiteSpace: 'nowrap' };
