import { defineConfig } from 'vitest/config';

// One PostgreSQL cluster for the whole run (tests/helpers/global-setup.ts), shared by the
// integration and end-to-end projects through `inject('pg')`.
export default defineConfig({
  test: {
    globalSetup: ['tests/helpers/global-setup.ts'],
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/security/**/*.test.ts'],
          exclude: ['tests/security/**/*.e2e.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
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
