// `npm start`: build, make sure the demo sandbox is up, then open the desktop app — or,
// when the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD), browser mode.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cli = path.join(root, 'bin', 'ops-console.cjs');
const passThrough = process.argv.slice(2);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function electronBinary() {
  try {
    const bin = require('electron');
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

run(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);

// The demo sandbox is the default target; failing to start it is not fatal (no server
// binaries on this machine, say): the first-run screen then offers a profile instead.
const sandbox = spawnSync(process.execPath, [cli, ...passThrough, 'sandbox', 'start'], { cwd: root, stdio: 'inherit' });
if (sandbox.status !== 0) console.error('warning: the demo sandbox did not start; continuing without it');

const electron = electronBinary();
const child = electron
  ? spawn(electron, [root], { cwd: root, stdio: 'inherit' })
  : (console.log('Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?): starting browser mode instead.'),
    spawn(process.execPath, [cli, ...passThrough, 'serve'], { cwd: root, stdio: 'inherit' }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
