// `npm run dist [-- electron-builder flags]`: the installers for this platform (Linux:
// AppImage and .deb; macOS: dmg; Windows: NSIS), or with `-- --dir` an unpacked app in
// dist/. Needs the Electron binary (fetched on first use, as `npm start` does) and
// better-sqlite3 built for it (build/electron-native); when either cannot be had it
// stops with one line saying why. Configuration: electron-builder.json.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { electronVersion, ensureElectron, root } from './electron-binary.mjs';
import { ensureElectronNative } from './electron-native.mjs';

function fail(message) {
  console.error(`npm run dist: ${message}`);
  process.exit(1);
}

const electron = ensureElectron();
if (!electron.bin) fail(`cannot package without the Electron binary (${electron.reason}).`);
const native = await ensureElectronNative();
if (!native.ok) fail(`cannot package without better-sqlite3 built for Electron (${native.reason}).`);

const node = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
const build = node([path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);
if (build.status !== 0) fail('the build failed (see above).');

// The binary just fetched is the one packaged: electron-builder need not download it again.
const electronDist = path.dirname(electron.bin.replace(/\/Electron\.app\/Contents\/MacOS\/Electron$/, '/Electron.app'));
const builder = node([
  path.join(root, 'node_modules', 'electron-builder', 'cli.js'),
  '--config',
  'electron-builder.json',
  `-c.electronVersion=${electronVersion()}`,
  `-c.electronDist=${electronDist}`,
  ...process.argv.slice(2),
]);
if (builder.status !== 0) fail('electron-builder failed (see above).');
console.log(`Packaged into ${path.join(root, 'dist')}`);
