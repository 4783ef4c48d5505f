// `npm start`: build, make sure the demo sandbox is up, then open the desktop app — or,
// when the Electron binary cannot be had (its download host unreachable, or
// ELECTRON_SKIP_BINARY_DOWNLOAD set), say so in one line and open browser mode.
// `npm ci` does not download the binary (package.json "allowScripts"): the first
// `npm start` does, through electron's own installer.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureElectron, root } from './electron-binary.mjs';
import { ensureElectronNative } from './electron-native.mjs';

const cli = path.join(root, 'bin', 'ops-console.cjs');
const passThrough = process.argv.slice(2);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);

// The demo sandbox is the default target; failing to start it is not fatal (no server
// binaries on this machine, say): the first-run screen then offers a profile instead.
const sandbox = spawnSync(process.execPath, [cli, ...passThrough, 'sandbox', 'start'], { cwd: root, stdio: 'inherit' });
if (sandbox.status !== 0) console.error('warning: the demo sandbox did not start; continuing without it');

// The desktop app needs the binary and better-sqlite3 built for Electron's ABI (its own
// folder, build/electron-native; the Node build in node_modules stays for the CLI and tests).
async function desktopOrReason() {
  const electron = ensureElectron();
  if (!electron.bin) return { reason: `Electron binary unavailable (${electron.reason})` };
  const native = await ensureElectronNative();
  if (!native.ok) return { reason: `better-sqlite3 could not be built for Electron (${native.reason})` };
  return { bin: electron.bin };
}

const desktop = await desktopOrReason();
const child = desktop.bin
  ? spawn(desktop.bin, [root], { cwd: root, stdio: 'inherit' })
  : (console.log(`${desktop.reason}: starting browser mode instead.`),
    spawn(process.execPath, [cli, ...passThrough, 'serve'], { cwd: root, stdio: 'inherit' }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
