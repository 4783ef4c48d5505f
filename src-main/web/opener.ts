// Hands a launch file (launch.ts) to the desktop's opener. Only the file's path is in the
// opener's argv, never a URL with a credential: any local user can read argv.
import { spawn } from 'node:child_process';

/**
 * OPS_CONSOLE_OPENER names another program to run with the file as its only argument (a
 * particular browser, or a test's recorder); otherwise the platform's opener.
 */
export function openerCommand(file: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): [string, string[]] {
  const custom = env.OPS_CONSOLE_OPENER;
  if (custom) return [custom, [file]];
  if (platform === 'darwin') return ['open', [file]];
  if (platform === 'win32') return ['explorer.exe', [file]];
  return ['xdg-open', [file]];
}

/** Best effort: a missing opener is not an error, the URL is printed anyway. */
export function openInBrowser(file: string, env: NodeJS.ProcessEnv = process.env): void {
  const [cmd, args] = openerCommand(file, env);
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true, env });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener on this machine.
  }
}
