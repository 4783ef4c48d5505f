// Opening the browser without putting a credential where other users can read it.
//
// Any local user can read every process's argv (/proc/PID/cmdline, `ps`), so `xdg-open
// http://…?token=…` published the token to all of them. Instead, `serve` writes a small
// HTML file, mode 0600 in a 0700 folder of the app home, and opens it by path: only the
// path is in argv. The file holds no token either, only a launch code that works once and
// for a short while; it sends the browser to `/launch?code=…`, which trades the code for
// the session cookie. The file is deleted as soon as its code is used, when the code
// expires unused, and when the host closes.
//
// The last hop back to `/` is a meta refresh from our own page rather than a redirect: the
// browser arrived from a file:// page, a cross-site initiator, and a SameSite=Strict cookie
// is not sent on any redirect in that chain (the first page load would be refused).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** How long an unopened launch file stays valid: a cold browser start can take a while. */
export const LAUNCH_TTL_MS = 2 * 60_000;

const LAUNCH_FILE = /^open-[0-9a-f]{16}\.html$/;

interface Pending {
  file: string;
  timer: NodeJS.Timeout;
}

function digest(code: string): string {
  return crypto.createHash('sha256').update(code).digest('hex');
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Already gone, or the home went away with a test: nothing left to protect.
  }
}

export class LaunchCodes {
  // Keyed by the code's hash: a lookup costs the same whatever prefix of a code is guessed.
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly dir: string,
    /** `http://address:port/`, the host the file sends the browser to. */
    private readonly origin: string,
    private readonly ttlMs: number = LAUNCH_TTL_MS,
  ) {
    this.sweepStale();
  }

  /** Writes a new launch file (0600, in a 0700 folder) and returns its path. */
  createFile(): string {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // mkdir keeps the mode of a folder that already exists: tighten it.
    fs.chmodSync(this.dir, 0o700);
    const code = crypto.randomBytes(32).toString('base64url');
    const file = path.join(this.dir, `open-${crypto.randomBytes(8).toString('hex')}.html`);
    const target = `${this.origin}launch?code=${code}`;
    const html = [
      '<!doctype html>',
      '<html lang="en"><head><meta charset="utf-8">',
      '<meta name="referrer" content="no-referrer">',
      `<meta http-equiv="refresh" content="0; url=${target}">`,
      '<title>Opening Ops Console…</title></head>',
      `<body><p>Opening Ops Console… If nothing happens, <a href="${target}">continue</a>.</p></body></html>`,
      '',
    ].join('\n');
    // O_EXCL: never write through a file or symlink someone else put there first.
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    try {
      fs.writeSync(fd, html);
    } finally {
      fs.closeSync(fd);
    }
    const key = digest(code);
    const timer = setTimeout(() => this.revoke(key), this.ttlMs);
    timer.unref();
    this.pending.set(key, { file, timer });
    return file;
  }

  /** True once per code, within its lifetime; its file is deleted either way. */
  consume(code: string | null): boolean {
    if (!code) return false;
    const key = digest(code);
    if (!this.pending.has(key)) return false;
    this.revoke(key);
    return true;
  }

  /** Deletes every outstanding launch file (the host is closing). */
  closeAll(): void {
    for (const key of [...this.pending.keys()]) this.revoke(key);
  }

  /**
   * A host killed outright (SIGKILL, power loss) leaves its file behind; its code died with
   * it, but the file need not stay. Files younger than the default lifetime may belong to
   * another `serve` on the same home and are left alone.
   */
  private sweepStale(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!LAUNCH_FILE.test(name)) continue;
      const file = path.join(this.dir, name);
      try {
        if (Date.now() - fs.statSync(file).mtimeMs > LAUNCH_TTL_MS) removeQuietly(file);
      } catch {
        // Removed meanwhile by its own host.
      }
    }
  }

  private revoke(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(key);
    removeQuietly(entry.file);
  }
}

/** What `/launch` answers on success: set the cookie, then continue from our own origin. */
export function launchLandingPage(): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta http-equiv="refresh" content="0; url=/">',
    '<title>Opening Ops Console…</title></head>',
    '<body><p>Opening Ops Console… If nothing happens, <a href="/">continue</a>.</p></body></html>',
    '',
  ].join('\n');
}
