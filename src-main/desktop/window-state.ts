// The main window's size and position, remembered across launches in a small private JSON
// file in the app home (window-state.json): it is the shell's concern, not the store's, and
// the CLI never reads it. Plain functions (no Electron) so the placement rules are tested:
// a saved window comes back where it was if that place is still on a screen, else centred
// on the primary screen; never smaller than the minimum, never larger than the screen.
import fs from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE } from '../core/platform/fs/private-fs';

export const WINDOW_STATE_FILE = 'window-state.json';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
  fullScreen: boolean;
}

export interface WindowSizes {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
}

export const DEFAULT_SIZES: WindowSizes = { width: 1360, height: 880, minWidth: 960, minHeight: 600 };
/** How much of the title bar must be on a screen for a saved place to count as visible. */
const MIN_VISIBLE = 64;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e6;

/** A state file's contents, or null for anything not written by us (missing, partial, edited). */
export function parseWindowState(text: string | null): WindowState | null {
  if (!text) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { bounds, maximized, fullScreen } = raw as Record<string, unknown>;
  if (typeof bounds !== 'object' || bounds === null) return null;
  const { x, y, width, height } = bounds as Record<string, unknown>;
  if (!isInt(x) || !isInt(y) || !isInt(width) || !isInt(height) || width <= 0 || height <= 0) return null;
  return {
    bounds: { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) },
    maximized: maximized === true,
    fullScreen: fullScreen === true,
  };
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * Where the window opens. `workAreas[0]` is the primary screen. The saved place is kept
 * when a strip of its title bar lies on some screen (so it can be grabbed), with its size
 * cut to that screen; otherwise the saved (or default) size is centred on the primary.
 */
export function placeWindow(
  saved: WindowState | null,
  workAreas: readonly Rect[],
  sizes: WindowSizes = DEFAULT_SIZES,
): { bounds: Partial<Rect> & { width: number; height: number }; maximized: boolean; fullScreen: boolean } {
  const primary = workAreas[0];
  const want = {
    width: Math.max(sizes.minWidth, saved?.bounds.width ?? sizes.width),
    height: Math.max(sizes.minHeight, saved?.bounds.height ?? sizes.height),
  };
  const flags = { maximized: saved?.maximized ?? false, fullScreen: saved?.fullScreen ?? false };
  if (!primary) return { bounds: want, ...flags };
  if (saved) {
    const titleBar = { x: saved.bounds.x, y: saved.bounds.y, width: saved.bounds.width, height: 32 };
    const home = workAreas.find((area) => {
      const o = overlap(titleBar, area);
      return o.width >= Math.min(MIN_VISIBLE, saved.bounds.width) && o.height > 0;
    });
    if (home) {
      const width = Math.min(want.width, home.width);
      const height = Math.min(want.height, home.height);
      // Keep the title bar below the screen's top edge (it could not be dragged back otherwise).
      const y = Math.max(home.y, Math.min(saved.bounds.y, home.y + home.height - 32));
      return { bounds: { x: saved.bounds.x, y, width, height }, ...flags };
    }
  }
  const width = Math.min(want.width, primary.width);
  const height = Math.min(want.height, primary.height);
  return {
    bounds: { x: primary.x + Math.round((primary.width - width) / 2), y: primary.y + Math.round((primary.height - height) / 2), width, height },
    ...flags,
  };
}

export function readWindowState(home: string): WindowState | null {
  try {
    return parseWindowState(fs.readFileSync(path.join(home, WINDOW_STATE_FILE), 'utf8'));
  } catch {
    return null;
  }
}

/** Written whole (temp file + rename), private like everything in the home. */
export function writeWindowState(home: string, state: WindowState): void {
  const file = path.join(home, WINDOW_STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state)}\n`, { mode: PRIVATE_FILE });
  fs.renameSync(tmp, file);
}

/** Calls `save` at most once per `delayMs` while the window moves; `flush` on close. */
export function debounced(save: () => void, delayMs = 500): { schedule(): void; flush(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    schedule() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        save();
      }, delayMs);
    },
    flush() {
      if (timer) clearTimeout(timer);
      timer = null;
      save();
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
