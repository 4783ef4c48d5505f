// One place for the look: a calm neutral theme, and the environment colours that must
// never be confused (production is always red).
import { createTheme, localStorageColorSchemeManager } from '@mantine/core';
import type { Environment } from '@contract/models';

export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'sm',
  fontFamily: 'Inter, "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: '"JetBrains Mono", "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace',
  headings: { fontWeight: '600' },
});

export const colorSchemeManager = localStorageColorSchemeManager({ key: 'ops-console-color-scheme' });

export interface EnvStyle {
  /** Mantine palette name. */
  color: string;
  /** What the band says, upper case so it reads from across the room. */
  label: string;
  description: string;
}

export const ENV_STYLES: Record<Environment, EnvStyle> = {
  production: { color: 'red', label: 'PRODUCTION', description: 'Live customer data. Changes need a typed confirmation.' },
  staging: { color: 'orange', label: 'STAGING', description: 'Pre-production copy. Treat with care.' },
  development: { color: 'blue', label: 'DEVELOPMENT', description: 'Developer database.' },
  sandbox: { color: 'teal', label: 'SANDBOX', description: 'Local throwaway demo database. Safe to break.' },
};
