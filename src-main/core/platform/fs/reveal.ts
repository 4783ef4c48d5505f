// "Show in folder" for backups. The desktop shell passes Electron's shell.showItemInFolder;
// browser mode and the CLI run on the user's own machine (loopback only), so they can ask
// the platform's opener instead — when there is one: a headless box has none, and then the
// caller gets `false` and shows the path.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** True when a file manager was asked to show `target`. */
export type RevealPath = (target: string) => Promise<boolean>;

/** The program on PATH with this name, or null. */
function onPath(program: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** What to run for `target` on this platform: macOS and Windows select the file; elsewhere the folder opens. */
export function openerCommand(target: string, platform: NodeJS.Platform = process.platform): { program: string; args: string[] } {
  if (platform === 'darwin') return { program: 'open', args: ['-R', target] };
  if (platform === 'win32') return { program: 'explorer.exe', args: [`/select,${target}`] };
  return { program: 'xdg-open', args: [path.dirname(target)] };
}

export const revealWithPlatformOpener: RevealPath = async function revealWithPlatformOpener(target) {
  const { program, args } = openerCommand(target);
  const resolved = process.platform === 'win32' ? program : onPath(program);
  if (!resolved) return false;
  return new Promise<boolean>((resolve) => {
    const child = spawn(resolved, args, { detached: true, stdio: 'ignore', shell: false, windowsHide: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
};
