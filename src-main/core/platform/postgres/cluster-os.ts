// Operating-system plumbing for local clusters: running server programs as the right
// user, and deciding whether that user can reach a folder. initdb, pg_ctl and postgres
// refuse to run as root, so when we are root they run as the `postgres` system user.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../../contract/errors';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** True when server programs must run as another user (we are root on a Unix). */
export function mustSwitchUser(): boolean {
  return process.platform !== 'win32' && typeof process.getuid === 'function' && process.getuid() === 0;
}

let cachedUser: SystemUser | null | undefined;

/** The `postgres` system user from /etc/passwd, or null when there is none. */
export function postgresSystemUser(): SystemUser | null {
  if (cachedUser !== undefined) return cachedUser;
  cachedUser = null;
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid, gid] = line.split(':');
      if (name === 'postgres' && uid !== undefined && gid !== undefined) {
        cachedUser = { name, uid: Number(uid), gid: Number(gid) };
        break;
      }
    }
  } catch {
    // No /etc/passwd: leave null; the caller explains.
  }
  return cachedUser;
}

/** The user server programs run as when we are root; throws a clear error if missing. */
export function requirePostgresUser(): SystemUser {
  const user = postgresSystemUser();
  if (!user) {
    throw new OpsError(
      'SANDBOX_FAILED',
      'Running as root, and PostgreSQL refuses to run as root, but there is no `postgres` system user to run it as. Install the PostgreSQL server package (it creates that user) or run Ops Console as a normal user.',
    );
  }
  return user;
}

function firstExisting(files: string[]): string | null {
  for (const file of files) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // try the next one
    }
  }
  return null;
}

/** Program and argument prefix that run a command as `user` without a shell. */
function switchUserPrefix(user: SystemUser): string[] {
  const runuser = firstExisting(['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser']);
  if (runuser) return [runuser, '-u', user.name, '--'];
  const setpriv = firstExisting(['/usr/bin/setpriv', '/bin/setpriv']);
  if (setpriv) return [setpriv, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--'];
  throw new OpsError('SANDBOX_FAILED', 'Running as root, and neither runuser nor setpriv is available to run PostgreSQL as the `postgres` user.');
}

/** Environment for server programs: English messages, no inherited PG* settings. */
export function toolEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // PGDATA, PGPORT, PGOPTIONS… from the user's shell must not steer our cluster.
    if (!key.startsWith('PG')) env[key] = value;
  }
  env.LC_MESSAGES = 'C';
  return env;
}

/**
 * Runs a server program (argument array, no shell), as `postgres` when we are root.
 * Resolves with the exit code instead of throwing so callers can word the error.
 */
export function runServerTool(file: string, args: string[], options: { cwd: string; timeoutMs?: number }): Promise<ToolResult> {
  const command = mustSwitchUser() ? [...switchUserPrefix(requirePostgresUser()), file, ...args] : [file, ...args];
  const [program, ...rest] = command as [string, ...string[]];
  return new Promise((resolve, reject) => {
    execFile(
      program,
      rest,
      { cwd: options.cwd, env: toolEnv(), timeout: options.timeoutMs ?? 120_000, windowsHide: true, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          if (error.code === 'ENOENT') {
            reject(new OpsError('BINARIES_NOT_FOUND', `PostgreSQL program not found: ${program}. Is the server package still installed?`));
            return;
          }
          if (error.killed) {
            resolve({ code: -1, stdout, stderr: `${stderr}\n(timed out after ${options.timeoutMs ?? 120_000} ms)` });
            return;
          }
          reject(error);
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** Can `user` pass through every folder from / down to `dir` (execute bit)? */
export function canTraverse(dir: string, user: SystemUser): boolean {
  let current = path.resolve(dir);
  for (;;) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(current);
    } catch {
      return false;
    }
    const mode = stat.mode;
    const ok = stat.uid === user.uid ? (mode & 0o100) !== 0 : stat.gid === user.gid ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
    if (!ok) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** Give a folder tree to `user` (we are root here). */
export function chownTree(target: string, user: SystemUser): void {
  fs.chownSync(target, user.uid, user.gid);
  const stat = fs.lstatSync(target);
  if (!stat.isDirectory()) return;
  for (const name of fs.readdirSync(target)) chownTree(path.join(target, name), user);
}

/** Last lines of a text, for error messages that show what the server said. */
export function tail(text: string, lines = 12): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
