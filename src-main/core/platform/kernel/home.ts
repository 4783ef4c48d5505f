// The app home holds the local store, backups and the sandbox cluster. The desktop app,
// the CLI and browser mode agree on one default so they share profiles and audit trail.
import os from 'node:os';
import path from 'node:path';
import { ensurePrivateDir, tightenHome } from '../fs/private-fs';

export const APP_DIR_NAME = 'ops-console';

/** The platform's app-data folder, as Electron's app.getPath('appData') would give it. */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), APP_DIR_NAME);
  }
  if (platform === 'darwin') {
    return path.join(os.homedir(), 'Library', 'Application Support', APP_DIR_NAME);
  }
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), APP_DIR_NAME);
}

/** --home wins, then OPS_CONSOLE_HOME, then the platform default. */
export function resolveHome(explicit?: string | null, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit ?? env.OPS_CONSOLE_HOME ?? defaultHome(env);
  return path.resolve(chosen);
}

/** Creates the home 0700, or makes an existing one (and the store and our folders in it) private again. */
export function ensureHome(home: string): void {
  ensurePrivateDir(home);
  tightenHome(home);
}

export function currentActor(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}
