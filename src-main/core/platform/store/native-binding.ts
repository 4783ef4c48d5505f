// Which better-sqlite3 native build this runtime loads. One install serves two runtimes:
// `npm ci` compiles node_modules/better-sqlite3 for Node (CLI, browser mode, tests), and
// `npm start` / `npm run dist` build it for Electron's ABI into a folder of its own
// (scripts/electron-native.mjs), so neither ever overwrites the other. Under Electron (the
// desktop app, or the packaged CLI running with ELECTRON_RUN_AS_NODE) the store passes
// that build as better-sqlite3's `nativeBinding`; under Node it passes nothing and
// better-sqlite3 loads its own build.
import fs from 'node:fs';
import path from 'node:path';

export const ELECTRON_NATIVE_DIR = path.join('build', 'electron-native');
export const NATIVE_FILE = 'better_sqlite3.node';

/** The subset of `process.versions` the choice depends on. */
export interface RuntimeVersions {
  readonly node?: string;
  readonly electron?: string;
}

export interface BindingPlace {
  platform: string;
  arch: string;
  /** The app's root: the source tree, or `…/resources/app.asar` in a packaged app. */
  appRoot: string | null;
}

/** Folder name of the Electron build for one Electron version, platform and arch (scripts/electron-native.mjs uses the same rule). */
export function electronNativeKey(electronVersion: string, platform: string, arch: string): string {
  return `electron-${electronVersion}-${platform}-${arch}`;
}

/** Native modules cannot be loaded from inside an asar archive: electron-builder unpacks them beside it. */
export function unpackedPath(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/**
 * The `nativeBinding` for this runtime: under Electron, the Electron build in the app's
 * `build/electron-native/<key>/`; under plain Node, `undefined` (better-sqlite3's own,
 * Node-ABI build in node_modules).
 */
export function pickNativeBinding(versions: RuntimeVersions, place: BindingPlace): string | undefined {
  if (!versions.electron || !place.appRoot) return undefined;
  const file = path.join(place.appRoot, ELECTRON_NATIVE_DIR, electronNativeKey(versions.electron, place.platform, place.arch), NATIVE_FILE);
  return unpackedPath(file);
}

let registeredRoot: string | null = null;

/** The desktop shell names the app's root (app.getAppPath()); the CLI is found from its entry script. */
export function setAppRoot(root: string): void {
  registeredRoot = root;
  cached = null;
}

/** bin/ops-console.cjs and out/main/index.js both sit two levels below the app's root. */
function guessAppRoot(): string | null {
  const entry = typeof require === 'function' ? require.main?.filename : undefined;
  return entry ? path.resolve(path.dirname(entry), '..') : null;
}

let cached: { value: string | undefined } | null = null;

/** The binding for this process, checked to exist (else better-sqlite3's default, whose ABI error then names the problem). */
export function nativeBinding(): string | undefined {
  if (cached) return cached.value;
  if (!process.versions.electron) return undefined;
  const picked = pickNativeBinding(process.versions, { platform: process.platform, arch: process.arch, appRoot: registeredRoot ?? guessAppRoot() });
  const value = picked && fs.existsSync(picked) ? picked : undefined;
  cached = { value };
  return value;
}
