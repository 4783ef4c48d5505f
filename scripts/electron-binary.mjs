// The Electron binary, fetched on first use. `npm ci` never runs electron's install script
// (package.json "allowScripts": electron is false), so an install cannot fail on a network
// that does not reach Electron's download host; `npm start` and `npm run dist` call this
// instead, which runs electron's own installer (node_modules/electron/install.js) once.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');

/** The installed binary's path, as electron's index.js computes it, or null. */
export function installedElectron() {
  try {
    const rel = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8');
    const bin = process.env.ELECTRON_OVERRIDE_DIST_PATH ? path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel) : path.join(electronDir, 'dist', rel);
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

export function electronVersion() {
  return JSON.parse(fs.readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;
}

/** The most telling line of the installer's output (the network error, usually). */
export function installFailureReason(output) {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const telling =
    lines.find((l) => /\b(ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|CERT_|HTTPError|status code)\b/.test(l)) ??
    lines.find((l) => /error/i.test(l) && !/^at /.test(l)) ??
    lines[0];
  return (telling ?? 'no output').replace(/^(Error|RequestError|HTTPError):\s*/, '').slice(0, 160);
}

/**
 * The binary, downloading it first when missing. Returns { bin } or { reason } (one line,
 * no stack) when it cannot be had.
 */
export function ensureElectron() {
  const existing = installedElectron();
  if (existing) return { bin: existing };
  if (!fs.existsSync(path.join(electronDir, 'install.js'))) return { reason: 'the electron package is not installed (run npm ci)' };
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { reason: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set' };
  const r = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { cwd: electronDir, encoding: 'utf8', timeout: 10 * 60_000 });
  const bin = installedElectron();
  if (bin) return { bin };
  const output = `${r.stderr ?? ''}\n${r.stdout ?? ''}\n${r.error?.message ?? ''}`;
  return { reason: `download failed: ${installFailureReason(output)}` };
}
