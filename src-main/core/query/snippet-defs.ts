// Shapes of the built-in runbook snippets (data in snippets-daily.ts and snippets-ops.ts).
export const BUILTIN_PREFIX = 'builtin:';

/** Sections in the order the library shows them. */
export const BUILTIN_SECTIONS = [
  'Emergency',
  'Morning checklist',
  'Evening checklist',
  'Backup validation',
  'Performance monitoring',
  'Troubleshooting',
  'Maintenance',
] as const;

/** Every snippet that changes something says so first, in these words. */
export const WRITES_PREFIX = 'Changes the server:';

export interface BuiltinSnippet {
  slug: string;
  section: (typeof BUILTIN_SECTIONS)[number];
  title: string;
  description: string;
  /** False for read-only checks; true when it writes, ends sessions or runs maintenance. */
  writes: boolean;
  sql: string;
}
