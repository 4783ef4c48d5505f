// Issue 20: electron-builder's configuration, loaded and validated the way electron-builder
// loads it, plus what it promises: installers per platform, the native module unpacked,
// the icons and the packaged command line.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidateDirs } from '../../src-main/core/platform/postgres/server-binaries';

const root = path.resolve(__dirname, '..', '..');

interface BuilderConfig {
  appId?: string;
  productName?: string;
  executableName?: string;
  asar?: boolean;
  asarUnpack?: string[];
  files?: Array<string | { filter?: string[] }>;
  npmRebuild?: boolean;
  extraResources?: Array<{ from: string; to: string }>;
  electronFuses?: { runAsNode?: boolean };
  directories?: { buildResources?: string; output?: string };
  linux?: { target?: string[]; icon?: string };
  deb?: { afterInstall?: string; afterRemove?: string };
  mac?: { target?: string[]; icon?: string };
  win?: { target?: string[]; icon?: string };
}

interface ConfigApi {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, logger: unknown): Promise<void>;
}
interface UtilApi {
  DebugLogger: new (enabled: boolean) => unknown;
}

async function load(): Promise<BuilderConfig> {
  const api = (await import(path.join(root, 'node_modules', 'app-builder-lib', 'out', 'util', 'config', 'config.js'))) as ConfigApi;
  const util = (await import(path.join(root, 'node_modules', 'builder-util', 'out', 'util.js'))) as UtilApi;
  const config = await api.getConfig(root, null, null);
  await api.validateConfiguration(config, new util.DebugLogger(false));
  return config;
}

function pngSize(file: string): [number, number] {
  const b = fs.readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('electron-builder configuration', () => {
  it('is the one electron-builder finds, and passes its schema', async () => {
    const config = await load();
    expect(config.appId).toBe('com.timothieandco.opsconsole');
    expect(config.productName).toBe('Ops Console');
  }, 30_000);

  it('builds AppImage and .deb, a dmg, and an NSIS installer', async () => {
    const config = await load();
    expect(config.linux?.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
  });

  it('packs an asar with the native module beside it, and never rebuilds node_modules', async () => {
    const config = await load();
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
    // The Electron build comes from build/electron-native; a rebuild in place would replace the Node one.
    expect(config.npmRebuild).toBe(false);
    const files = (config.files ?? []).flatMap((f) => (typeof f === 'string' ? [f] : (f.filter ?? [])));
    expect(files).toEqual(expect.arrayContaining(['package.json', 'out/**/*', 'bin/**/*', 'build/electron-native/*/better_sqlite3.node']));
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    expect(pkg.main.startsWith('out/')).toBe(true);
    expect(pkg.scripts.dist).toBe('node scripts/dist.mjs');
  });

  it('ships the command line, run by the app’s Electron as Node', async () => {
    const config = await load();
    expect(config.extraResources).toContainEqual({ from: 'resources/cli', to: 'cli' });
    expect(config.electronFuses?.runAsNode).not.toBe(false);
    const sh = fs.readFileSync(path.join(root, 'resources', 'cli', 'ops-console'), 'utf8');
    const cmd = fs.readFileSync(path.join(root, 'resources', 'cli', 'ops-console.cmd'), 'utf8');
    for (const script of [sh, cmd]) {
      expect(script).toContain('ELECTRON_RUN_AS_NODE=1');
      expect(script).toMatch(/app\.asar[\\/]bin[\\/]ops-console\.cjs/);
      expect(script).toContain(`${config.executableName}`);
    }
    expect(fs.statSync(path.join(root, 'resources', 'cli', 'ops-console')).mode & 0o111).not.toBe(0);
    expect(fs.existsSync(path.join(root, 'bin', 'ops-console.cjs'))).toBe(true);
    for (const tpl of [config.deb?.afterInstall, config.deb?.afterRemove]) {
      expect(fs.readFileSync(path.join(root, tpl ?? 'missing'), 'utf8')).toContain('/usr/bin/ops-console');
    }
  });

  it('has the icon in every size the platforms need', async () => {
    const config = await load();
    expect(config.directories?.buildResources).toBe('resources');
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(pngSize(path.join(root, config.linux?.icon ?? 'missing', `${size}x${size}.png`))).toEqual([size, size]);
    }
    const ico = fs.readFileSync(path.join(root, config.win?.icon ?? 'missing'));
    expect(ico.readUInt16LE(2)).toBe(1);
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(5);
    const icns = fs.readFileSync(path.join(root, config.mac?.icon ?? 'missing'));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    expect(icns.includes(Buffer.from('ic10'))).toBe(true);
  });

  it('finds client tools without a path relative to the source tree', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const dirs = candidateDirs({ PATH: '', ProgramFiles: 'C:\\Program Files' }, platform);
      for (const dir of dirs) {
        expect(dir.startsWith(root)).toBe(false);
        expect(path.isAbsolute(dir) || path.win32.isAbsolute(dir)).toBe(true);
      }
    }
  });
});
