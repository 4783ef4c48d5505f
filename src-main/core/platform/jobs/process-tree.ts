// Stopping a job's child process with everything it started: pg_dump's parallel workers,
// pg_restore's, psql. Each tool is spawned as the leader of its own process group
// (detached), so one signal to the group reaches them all.
import type { ChildProcess } from 'node:child_process';

/** SIGTERM first (the tool closes its connections), SIGKILL if it is still there after this. */
export const KILL_GRACE_MS = 3_000;

/** Signals the child's whole process group (the child alone on Windows); a child already gone is left alone. */
export function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the tree now, SIGKILL after the grace if it has not ended by then. */
export function stopTree(child: ChildProcess, graceMs = KILL_GRACE_MS): void {
  killTree(child, 'SIGTERM');
  setTimeout(() => killTree(child, 'SIGKILL'), graceMs).unref();
}

/** Stops the tree when `signal` aborts; the returned function detaches (call it once the child ended). */
export function stopTreeOnAbort(child: ChildProcess, signal: AbortSignal): () => void {
  const stop = (): void => stopTree(child);
  signal.addEventListener('abort', stop, { once: true });
  return () => signal.removeEventListener('abort', stop);
}
