// Lint, including the process boundaries (brief, "Conventions"):
// - only the desktop shell (src-main/desktop) and preload import `electron`;
// - the renderer imports no Node module and nothing of main but the contract;
// - the contract is pure (zod only), so every side can import it;
// - the core does not reach up into its transports;
// - inside the core, the platform (core/platform) imports no domain, and a domain, the
//   composition root and the transports reach another domain only through its index.ts;
// - src-main has no import cycles.
import js from '@eslint/js';
import { readdirSync } from 'node:fs';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
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

// The core's layers (docs/ARCHITECTURE.md, "Layers"): core/platform knows no domain; outside
// a domain's folder only its index.ts may be imported (tests may reach inside to test it).
const DOMAINS = [
  'activity',
  'backup',
  'fleet',
  'monitoring',
  'offsite',
  'profiles',
  'query',
  'restore',
  'runbook',
  'sandbox',
  'schema',
  'security',
  'serverlog',
  'storage',
  'team',
  'toolkit',
  'upgrade',
];
const coreLayerZones = [
  {
    target: './src-main/core/platform/**',
    from: DOMAINS.map((d) => `./src-main/core/${d}/**`),
    message: 'The platform layer imports no domain: move what both need into core/platform, or pass it in.',
  },
  ...DOMAINS.map((d) => ({
    target: [`./src-main/core/!(${d})/**`, './src-main/core/app.ts', './src-main/{cli,web,desktop}/**'],
    from: `./src-main/core/${d}`,
    except: ['./index.ts'],
    message: `Import the ${d} domain only through core/${d}/index.ts (its public face); export what you need from there.`,
  })),
  {
    target: './src-main/core/**',
    from: './src-main/core/app.ts',
    message: 'Nothing in the core imports the composition root: kernel types live in core/platform/kernel.',
  },
];

// The renderer's layers: main.tsx starts app/ (the frame: shell, navigation), which shows the
// screens; a screen (screens/<name>/) imports no other screen and not the frame; what more
// than one screen uses lives in shared/, which imports neither. Each screen found on disk is
// its own zone, so a new screen folder is covered without editing this list.
const RENDERER = './src-renderer/src';
const SCREENS = readdirSync(new URL('src-renderer/src/screens/', import.meta.url), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);
const rendererLayerZones = [
  ...SCREENS.map((screen) => ({
    target: `${RENDERER}/screens/${screen}`,
    from: `${RENDERER}/screens`,
    except: [`./${screen}`],
    message: `A screen imports no other screen: move what screens/${screen} needs into src-renderer/src/shared/.`,
  })),
  { target: `${RENDERER}/screens`, from: `${RENDERER}/app`, message: 'A screen does not import the app frame (app/): what screens share lives in shared/.' },
  {
    target: `${RENDERER}/shared`,
    from: [`${RENDERER}/screens`, `${RENDERER}/app`],
    message: 'shared/ sits below the screens and the frame: it imports neither.',
  },
];

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
            // The aliases (tsconfig.web.json) name only the renderer and the contract: no climbing out of them.
            { regex: '^@(renderer|contract)/(.*/)?\\.\\.(/|$)', message: 'The renderer may import only src-main/contract: no ".." after an alias.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
          // tsconfig.web.json's paths, so a zone holds whether an import is relative or aliased.
          alias: { '@renderer': [`${import.meta.dirname}/src-renderer/src`], '@contract': [`${import.meta.dirname}/src-main/contract`] },
        }),
      ],
    },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: rendererLayerZones, basePath: import.meta.dirname }] },
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
    files: ['src-main/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: coreLayerZones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
