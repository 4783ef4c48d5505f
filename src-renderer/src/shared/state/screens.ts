// The screens, in navigation order. Alt+<position> jumps to each (Alt+0 is the tenth).
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
] as const;

export type ScreenId = (typeof SCREENS)[number]['id'];

export function shortcutFor(id: ScreenId): string {
  return `Alt+${(SCREENS.findIndex((s) => s.id === id) + 1) % 10}`;
}
