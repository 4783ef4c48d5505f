// The one table of keyboard bindings: where each works, its keys and what it does. The key
// handlers match events against these entries (matchesKeys) and the "?" list shows the same
// entries, so a key bound somewhere is listed, and a listed key is the one that works.
import { SCREENS, shortcutAt, type ScreenId } from '../state/screens';

export interface KeyBinding {
  /** 'global' works on every screen; otherwise the screen it belongs to. */
  screen: 'global' | ScreenId;
  /** As shown and matched: modifiers then the key, joined by "+" ("Ctrl+Enter", "Alt+3", "Space", "?"). */
  keys: string;
  action: string;
  /** Keys some other component handles itself (the SQL editor, the grid): listed, not matched here. */
  handledBy?: string;
}

/** Alt+1…9, Alt+0, then Alt+Shift+1…: the screens in navigation order. */
export const SCREEN_BINDINGS: KeyBinding[] = SCREENS.map((s, i) => ({ screen: 'global', keys: shortcutAt(i), action: `Open ${s.label}` }));

export const GLOBAL_KEYS = {
  help: { screen: 'global', keys: '?', action: 'Show this list of shortcuts' },
  sidebar: { screen: 'global', keys: 'Ctrl+B', action: 'Collapse or expand the sidebar' },
} as const satisfies Record<string, KeyBinding>;

export const CHECKLIST_KEYS = {
  run: { screen: 'checklists', keys: 'Ctrl+Enter', action: 'Run the checks of the chosen checklist' },
} as const satisfies Record<string, KeyBinding>;

export const FLEET_KEYS = {
  refresh: { screen: 'fleet', keys: 'Alt+R', action: 'Refresh every profile shown (runs the overview on each)' },
} as const satisfies Record<string, KeyBinding>;

export const ACTIVITY_KEYS = {
  pause: { screen: 'activity', keys: 'Space', action: 'Pause or resume the refresh' },
} as const satisfies Record<string, KeyBinding>;

/**
 * The query console's keys. The editor (CodeMirror keymap), the console, the splitter and the
 * grid bind them in screens/query; they are listed here so the "?" list has them. (When the
 * console's keys move into a table of their own under shared/keys, list that one here.)
 */
export const QUERY_KEYS: KeyBinding[] = [
  { screen: 'query', keys: 'Ctrl+Enter', action: 'Run the statement under the cursor (or the selection)', handledBy: 'editor' },
  { screen: 'query', keys: 'Shift+Ctrl+Enter', action: 'Run the whole script', handledBy: 'editor' },
  { screen: 'query', keys: 'Esc', action: 'Cancel the running statement at the server', handledBy: 'console' },
  { screen: 'query', keys: 'F7', action: 'Explain (estimate only)', handledBy: 'console' },
  { screen: 'query', keys: 'Shift+F7', action: 'Explain analyze (rolled back)', handledBy: 'console' },
  { screen: 'query', keys: 'Alt+T', action: 'New editor tab', handledBy: 'editor tabs' },
  { screen: 'query', keys: 'Alt+W', action: 'Close editor tab', handledBy: 'editor tabs' },
  { screen: 'query', keys: 'F2', action: 'Rename the focused editor tab', handledBy: 'editor tabs' },
  { screen: 'query', keys: 'ArrowUp', action: 'Move the editor/results splitter up / ArrowDown down (splitter focused)', handledBy: 'splitter' },
  { screen: 'query', keys: 'Ctrl+C', action: 'Copy the selected cell or rows (grid)', handledBy: 'grid' },
  { screen: 'query', keys: 'Ctrl+A', action: 'Select every row (grid)', handledBy: 'grid' },
  { screen: 'query', keys: 'Enter', action: 'Open the focused cell in full (grid)', handledBy: 'grid' },
  { screen: 'query', keys: 'Esc', action: 'Clear the selection (grid)', handledBy: 'grid' },
  { screen: 'query', keys: 'Arrows', action: 'Move between cells; with Shift, extend the row selection (grid)', handledBy: 'grid' },
  { screen: 'query', keys: 'PageUp', action: 'Page up / PageDown page down (grid)', handledBy: 'grid' },
  { screen: 'query', keys: 'Home', action: 'First column / End last column (grid)', handledBy: 'grid' },
  { screen: 'query', keys: 'Ctrl+Home', action: 'First row / Ctrl+End last row (grid)', handledBy: 'grid' },
];

/** The schema browser's keys (screens/schema: the tree's keys in tree-model.ts, "/" in SchemaScreen, which takes it whatever Shift a layout needs for it). */
export const SCHEMA_KEYS: KeyBinding[] = [
  { screen: 'schema', keys: '/', action: 'Focus the name filter (Esc clears it)', handledBy: 'schema browser' },
  { screen: 'schema', keys: 'Arrows', action: 'Move in the tree (Home, End, PageUp, PageDown too)', handledBy: 'tree' },
  { screen: 'schema', keys: 'Enter', action: 'Open or close a node; show the object under the cursor', handledBy: 'tree' },
  { screen: 'schema', keys: 'Right', action: 'Open a node (or step into an open one)', handledBy: 'tree' },
  { screen: 'schema', keys: 'Left', action: 'Close a node (or go to its parent)', handledBy: 'tree' },
];

/** Everything, in the order the list shows it: global first, then screen by screen in navigation order. */
export function allBindings(): KeyBinding[] {
  const screenBindings = [...Object.values(CHECKLIST_KEYS), ...Object.values(ACTIVITY_KEYS), ...Object.values(FLEET_KEYS), ...QUERY_KEYS, ...SCHEMA_KEYS];
  const order = (b: KeyBinding) => SCREENS.findIndex((s) => s.id === b.screen);
  return [...SCREEN_BINDINGS, ...Object.values(GLOBAL_KEYS), ...screenBindings.sort((a, b) => order(a) - order(b))];
}

export function screenLabel(screen: KeyBinding['screen']): string {
  return screen === 'global' ? 'Anywhere' : (SCREENS.find((s) => s.id === screen)?.label ?? screen);
}

const KEY_NAMES: Record<string, string> = { Space: ' ', Esc: 'Escape' };

/**
 * Whether the event is this binding's keys. "Ctrl" also accepts ⌘ (a Mac's Ctrl+Enter is
 * ⌘+Enter); digits and letters compare event.code, since Alt+digit types other characters on
 * some layouts; "?" is whatever key types it (Shift is part of typing it).
 */
export function matchesKeys(
  binding: Pick<KeyBinding, 'keys'>,
  event: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>,
): boolean {
  const parts = binding.keys.split('+');
  const key = parts.pop() ?? '';
  const mods = new Set(parts);
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl !== mods.has('Ctrl') || event.altKey !== mods.has('Alt')) return false;
  if (key === '?') return event.key === '?';
  if (event.shiftKey !== mods.has('Shift')) return false;
  if (/^[0-9]$/.test(key)) return event.code === `Digit${key}`;
  if (/^[A-Z]$/.test(key)) return event.code === `Key${key}`;
  return event.key === (KEY_NAMES[key] ?? key);
}

/** The screen an Alt+digit (or Alt+Shift+digit) event opens, if it is one. */
export function screenForEvent(event: Parameters<typeof matchesKeys>[1]): ScreenId | null {
  const index = SCREEN_BINDINGS.findIndex((b) => matchesKeys(b, event));
  return index >= 0 ? SCREENS[index]!.id : null;
}
