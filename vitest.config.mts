import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Three projects, named for what they run:
// - unit: tests/unit only, no PostgreSQL, no build; runs in seconds.
// - integration: tests/integration and tests/security against a real PostgreSQL cluster
//   (CLI tests there need `electron-vite build` first).
// - e2e: the built app in Chromium (tests/e2e and tests/security/*.e2e.test.ts).
// The PostgreSQL cluster (tests/helpers/global-setup.ts) is a globalSetup of the two
// projects that use it, not of the root, so `--project unit` never starts one; when both
// run, they share one cluster through `inject('pg')`.
const withPostgres = ['tests/helpers/global-setup.ts'];

export default defineConfig({
  // Renderer modules import the contract as @contract/… (tsconfig.web.json); unit tests import
  // those modules, so every project resolves the same aliases as the renderer build.
  resolve: {
    alias: {
      '@renderer': fileURLToPath(new URL('./src-renderer/src', import.meta.url)),
      '@contract': fileURLToPath(new URL('./src-main/contract', import.meta.url)),
    },
  },
  test: {
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          globalSetup: withPostgres,
          include: ['tests/integration/**/*.test.ts', 'tests/security/**/*.test.ts'],
          exclude: ['tests/security/**/*.e2e.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          globalSetup: withPostgres,
          include: ['tests/e2e/**/*.test.ts', 'tests/security/**/*.e2e.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // One Chromium at a time keeps a 2-core machine responsive.
          fileParallelism: false,
        },
      },
    ],
  },
});
