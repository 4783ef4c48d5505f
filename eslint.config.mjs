// Lint, including the process boundaries (brief, "Conventions"):
// - only the desktop shell (src-main/desktop) and preload import `electron`;
// - the renderer imports no Node module and nothing of main but the contract;
// - the contract is pure (zod only), so every side can import it;
// - the core does not reach up into its transports.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'module',
  'net',
  'os',
  'path',
  'process',
  'readline',
  'stream',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

const electronOnlyInShell = {
  paths: [{ name: 'electron', message: 'Only the desktop shell (src-main/desktop) and preload may import electron: keep the core plain Node.' }],
};

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'bench/tmp/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', electronOnlyInShell],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['src-main/desktop/**/*.ts', 'src-preload/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src-preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/core/**', '**/web/**', '**/cli/**', '**/desktop/**'], message: 'Preload may import only electron and the contract.' },
            { group: [...NODE_BUILTINS, ...NODE_BUILTINS.map((m) => `node:${m}`)], message: 'Preload exposes intent-level functions only: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            electronOnlyInShell.paths[0],
            { name: 'pg', message: 'The renderer never talks to PostgreSQL: call an operation of the contract.' },
            { name: 'better-sqlite3', message: 'The renderer never touches the local store: call an operation of the contract.' },
          ],
          patterns: [
            { group: ['node:*', ...NODE_BUILTINS], message: 'The renderer runs sandboxed: no Node modules.' },
            {
              group: ['**/src-main/core/**', '**/src-main/web/**', '**/src-main/cli/**', '**/src-main/desktop/**'],
              message: 'The renderer may import only src-main/contract.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', ...NODE_BUILTINS, 'electron', 'pg', 'better-sqlite3', '../core/**', '../web/**', '../cli/**', '../desktop/**'],
              message: 'The contract is shared by every process: zod and types only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronOnlyInShell.paths,
          patterns: [{ group: ['**/web/**', '**/cli/**', '**/desktop/**'], message: 'The core does not depend on its transports.' }],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
