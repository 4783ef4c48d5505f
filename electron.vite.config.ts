import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Three bundles: main (the desktop shell plus the CLI entry, both over the same core),
// preload (sandboxed, so CommonJS), renderer (React).
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Pure-JS dependencies every CLI command loads are bundled (issue #21, the CLI's floor):
      // required from node_modules they were ~130 files to resolve, stat and read on each start
      // (zod alone 95; bundled, unused parts such as its locales are left out). Native or
      // file-reading packages (better-sqlite3, libpg-query's WASM) and the lazily loaded ssh2 and
      // AWS SDK stay external. pg-cursor reaches into pg's files, so both are bundled together;
      // pg's optional native binding is never installed.
      externalizeDeps: { exclude: ['zod', 'pg', 'pg-cursor', 'markdown-it'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/desktop/main.ts'),
          cli: resolve(__dirname, 'src-main/cli/main.ts'),
        },
        external: ['electron', 'pg-native'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() packages: bundle the contract's zod in.
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    // The same aliases as tsconfig.web.json's paths (and vitest.config.mts, for the tests that
    // import renderer modules).
    resolve: {
      alias: {
        '@renderer': resolve(__dirname, 'src-renderer/src'),
        '@contract': resolve(__dirname, 'src-main/contract'),
      },
    },
    plugins: [react()],
    // Cold start (issue #21): minified, and each screen a chunk of its own loaded on first use
    // (src-renderer/src/app/screen-registry.tsx), so the first screen parses the frame only.
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: 'oxc',
      cssMinify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
});
