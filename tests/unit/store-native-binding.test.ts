// Issue 20: one install serves Node and Electron. Which better-sqlite3 build each runtime
// picks, and that building the Electron one never replaces the Node one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { electronNativeKey, nativeBinding, pickNativeBinding, unpackedPath } from '../../src-main/core/platform/store/native-binding';

const root = path.resolve(__dirname, '..', '..');
const place = { platform: 'linux', arch: 'x64', appRoot: '/opt/ops' };

interface ElectronNativeScript {
  electronNativeKey(version: string, platform: string, arch: string): string;
  ensureElectronNative(options?: { log?: (line: string) => void }): Promise<{ ok: boolean; file?: string; reason?: string }>;
}
const scriptPath = path.join(root, 'scripts', 'electron-native.mjs');
const loadScript = async (): Promise<ElectronNativeScript> => (await import(scriptPath)) as ElectronNativeScript;

describe('pickNativeBinding', () => {
  it('leaves Node (CLI, browser mode, tests) on better-sqlite3’s own build', () => {
    expect(pickNativeBinding({ node: '20.20.2' }, place)).toBeUndefined();
    expect(pickNativeBinding(process.versions, place)).toBeUndefined();
  });

  it('sends Electron to the build for its own version, platform and arch', () => {
    expect(pickNativeBinding({ node: '22.20.0', electron: '40.10.2' }, place)).toBe(
      path.join('/opt/ops', 'build', 'electron-native', 'electron-40.10.2-linux-x64', 'better_sqlite3.node'),
    );
    expect(pickNativeBinding({ node: '22.20.0', electron: '41.0.0' }, { ...place, platform: 'darwin', arch: 'arm64' })).toContain(
      path.join('electron-native', 'electron-41.0.0-darwin-arm64'),
    );
  });

  it('loads the packaged app’s build from beside the asar (app.asar.unpacked)', () => {
    const picked = pickNativeBinding({ electron: '40.10.2' }, { ...place, appRoot: '/opt/Ops Console/resources/app.asar' });
    expect(picked).toBe('/opt/Ops Console/resources/app.asar.unpacked/build/electron-native/electron-40.10.2-linux-x64/better_sqlite3.node');
    expect(unpackedPath('C:\\Ops\\resources\\app.asar\\build\\x.node')).toBe('C:\\Ops\\resources\\app.asar.unpacked\\build\\x.node');
    expect(unpackedPath('/src/ops-console/build/x.node')).toBe('/src/ops-console/build/x.node');
  });

  it('has no Electron build to pick without an app root', () => {
    expect(pickNativeBinding({ electron: '40.10.2' }, { ...place, appRoot: null })).toBeUndefined();
  });

  it('names folders as the build script does', async () => {
    const script = await loadScript();
    expect(script.electronNativeKey('40.10.2', 'win32', 'x64')).toBe(electronNativeKey('40.10.2', 'win32', 'x64'));
  });
});

describe('the Electron build beside the Node one', () => {
  it('never touches the Node build: it still loads after an Electron build (or a failed attempt)', async () => {
    const nodeBuild = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    const digest = () => crypto.createHash('sha256').update(fs.readFileSync(nodeBuild)).digest('hex');
    const before = digest();
    const script = await loadScript();
    // Needs Electron's headers (a download): where they are reachable this really builds.
    const result = await script.ensureElectronNative({ log: () => undefined });
    if (result.ok) expect(result.file).toContain(path.join('build', 'electron-native', 'electron-'));
    else expect(result.reason).toMatch(/\S/);
    expect(digest()).toBe(before);
    expect(nativeBinding()).toBeUndefined();
    const db = new Database(':memory:', { nativeBinding: nativeBinding() });
    expect(db.prepare('SELECT 1 + 1 AS two').get()).toEqual({ two: 2 });
    db.close();
  }, 600_000);
});
