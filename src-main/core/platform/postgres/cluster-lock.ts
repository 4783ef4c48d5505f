// A lock file next to a cluster, so two processes sharing an app home (the desktop app and
// the CLI) never run initdb or pg_ctl on the same data dir at once. The file holds the
// owner's pid; a lock whose owner died is taken over.
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../../contract/errors';
import { processAlive } from '../tools/proc';

const POLL_MS = 100;

function ownerAlive(file: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return false;
  }
  return processAlive(pid);
}

function tryAcquire(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    fs.writeSync(fd, `${process.pid}\n`);
    fs.closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (!ownerAlive(file)) {
      // Stale: its owner is gone. Remove and let the next attempt race fairly for it.
      fs.rmSync(file, { force: true });
    }
    return false;
  }
}

/** Runs `fn` holding `<dir>/lock`. Waits up to `timeoutMs` for another process to finish. */
export async function withClusterLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'lock');
  const deadline = Date.now() + timeoutMs;
  while (!tryAcquire(file)) {
    if (Date.now() > deadline) {
      throw new OpsError(
        'SANDBOX_FAILED',
        `Another Ops Console process has been busy with ${dir} for over ${Math.round(timeoutMs / 1000)} s (lock file ${file}). If no other Ops Console is running, delete that file.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
