// The screens, in navigation order. Alt+<position> jumps to each (Alt+0 is the tenth); a digit row
// has ten keys, so the screens after the tenth take Alt+Shift+1, Alt+Shift+2, … Fleet came last
// (issue #22) so every earlier screen kept the shortcut people already know.
export const SCREENS = [
  { id: 'checklists', label: 'Checklists' },
  { id: 'query', label: 'Query' },
  { id: 'activity', label: 'Activity' },
  { id: 'performance', label: 'Performance' },
  { id: 'backups', label: 'Backups' },
  { id: 'restore', label: 'Restore' },
  { id: 'audit', label: 'Audit' },
  { id: 'profiles', label: 'Profiles' },
  { id: 'schema', label: 'Schema' },
  { id: 'serverlog', label: 'Server log' },
  { id: 'fleet', label: 'Fleet' },
] as const;

export type ScreenId = (typeof SCREENS)[number]['id'];

/** The shortcut of the screen at this position (0-based): Alt+1…9, Alt+0, then Alt+Shift+1…9, Alt+Shift+0. */
export function shortcutAt(index: number): string {
  return index < 10 ? `Alt+${(index + 1) % 10}` : `Alt+Shift+${(index - 9) % 10}`;
}

export function shortcutFor(id: ScreenId): string {
  return shortcutAt(SCREENS.findIndex((s) => s.id === id));
}
