// better-sqlite3 for Electron, beside (never instead of) the Node build. `npm ci` compiles
// node_modules/better-sqlite3 for Node — the CLI, browser mode and the tests load that one.
// The desktop app needs the same module for Electron's ABI: this builds it with
// @electron/rebuild in a scratch copy of the package and keeps only the .node file, in
// build/electron-native/electron-<version>-<platform>-<arch>/better_sqlite3.node, the
// folder src-main/core/platform/store/native-binding.ts looks in when it runs under Electron.
// Needs Electron's headers (a download) and a C++ toolchain, once per Electron version.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { electronVersion, root } from './electron-binary.mjs';

export const NATIVE_ROOT = path.join(root, 'build', 'electron-native');

/** The folder name for one Electron runtime; the same rule as native-binding.ts. */
export function electronNativeKey(version, platform = process.platform, arch = process.arch) {
  return `electron-${version}-${platform}-${arch}`;
}

export function electronNativeFile(version = electronVersion(), platform = process.platform, arch = process.arch) {
  return path.join(NATIVE_ROOT, electronNativeKey(version, platform, arch), 'better_sqlite3.node');
}

/** Electron's NODE_MODULE_VERSION, as the electron package records it. */
function electronAbi() {
  return fs.readFileSync(path.join(root, 'node_modules', 'electron', 'abi_version'), 'utf8').trim();
}

/** A module built for ABI n exports node_register_module_v<n>: a Node-ABI build must never pass for Electron's. */
export function builtForAbi(file, abi) {
  return fs.readFileSync(file).includes(Buffer.from(`node_register_module_v${abi}\0`));
}

/**
 * npm passes its config to scripts as npm_config_* (Debian's npm sets nodedir=/usr, the
 * Node headers): node-gyp would quietly build for Node with them. The rebuild runs in a
 * child process without any of them.
 */
function rebuildEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_(config|package|lifecycle)_/i.test(k)) env[k] = v;
  return env;
}

function runRebuild(options) {
  const code = `import('@electron/rebuild').then(({ rebuild }) => rebuild(${JSON.stringify(options)})).then(() => process.exit(0), (err) => { console.error(String(err && err.message || err)); process.exit(1); });`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', code], { cwd: root, env: rebuildEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => resolve({ ok: false, reason: err.message }));
    child.on('exit', (status) => {
      const lines = stderr
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const network =
        stderr.match(/getaddrinfo \S+ \S+|\b(ECONNREFUSED|ETIMEDOUT|ECONNRESET)\b/)?.[0] ?? (/network connectivity/.test(stderr) ? 'network' : null);
      const reason = network
        ? `Electron's headers could not be downloaded: ${network}`
        : (lines.find((l) => /gyp ERR! (stack )?Error/.test(l)) ?? lines.at(-1) ?? `exit ${status}`);
      resolve(status === 0 ? { ok: true } : { ok: false, reason: reason.slice(0, 200) });
    });
  });
}

function copyPackage(from, to) {
  fs.cpSync(from, to, {
    recursive: true,
    // The Node build (and its intermediate files) stays where it is, untouched.
    filter: (src) => path.relative(from, src).split(path.sep)[0] !== 'build',
  });
}

/** Builds it when missing. Returns { ok: true, file } or { ok: false, reason } (one line). */
export async function ensureElectronNative({ version = electronVersion(), arch = process.arch, log = console.log } = {}) {
  const file = electronNativeFile(version, process.platform, arch);
  if (fs.existsSync(file)) return { ok: true, file };
  const work = path.join(NATIVE_ROOT, `.work-${process.pid}`);
  const pkgDir = path.join(work, 'node_modules', 'better-sqlite3');
  try {
    fs.rmSync(work, { recursive: true, force: true });
    copyPackage(path.join(root, 'node_modules', 'better-sqlite3'), pkgDir);
    const sqliteVersion = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
    fs.writeFileSync(
      path.join(work, 'package.json'),
      JSON.stringify({ name: 'electron-native', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }),
    );
    log(`Building better-sqlite3 for Electron ${version} (once; into ${path.relative(root, path.dirname(file))})…`);
    const rebuilt = await runRebuild({ buildPath: work, electronVersion: version, arch, force: true, onlyModules: ['better-sqlite3'], mode: 'sequential' });
    if (!rebuilt.ok) return rebuilt;
    const built = path.join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
    if (!fs.existsSync(built)) return { ok: false, reason: 'the rebuild produced no better_sqlite3.node' };
    if (version === electronVersion() && !builtForAbi(built, electronAbi())) {
      return { ok: false, reason: `the rebuild did not produce a module for Electron's ABI ${electronAbi()}` };
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(built, `${file}.tmp`);
    fs.renameSync(`${file}.tmp`, file);
    return { ok: true, file };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: message.split('\n').find((l) => l.trim()) ?? 'unknown error' };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
