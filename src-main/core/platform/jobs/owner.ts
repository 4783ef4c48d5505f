// Which process owns a job's `running` row. Several processes share one store (the desktop
// app, the CLI, the web host), so at start a store fails only the rows whose owner is gone:
// a row of the desktop app must survive the CLI starting beside it. The backup catalog and
// the restore store keep the owner as the text "running-owner <host> <pid>" in the row's
// error column (existing stores hold it: the format never changes); the drill store keeps
// { host, pid } in its record.
import os from 'node:os';
import { processAlive } from '../tools/proc';

const OWNER_PREFIX = 'running-owner ';

export interface JobOwner {
  host: string;
  pid: number;
}

/**
 * - `this-process`: this very process (another core in it, or an earlier process given the same pid)
 * - `alive`: another live process on this machine
 * - `gone`: dead, unreadable, or on another machine (whose processes cannot be seen)
 */
export type OwnerState = 'this-process' | 'alive' | 'gone';

export function currentOwner(): JobOwner {
  return { host: os.hostname(), pid: process.pid };
}

/** "running-owner <host> <pid>", byte for byte what the stores have always written. */
export function ownerTag(owner: JobOwner = currentOwner()): string {
  return `${OWNER_PREFIX}${owner.host} ${owner.pid}`;
}

/** The owner a tag names, or null when the text is no owner tag. */
export function parseOwnerTag(text: string | null): JobOwner | null {
  if (text === null || !text.startsWith(OWNER_PREFIX)) return null;
  const [host = '', pidText] = text.slice(OWNER_PREFIX.length).split(' ');
  return { host, pid: Number(pidText) };
}

export function ownerState(owner: JobOwner | null | undefined): OwnerState {
  if (!owner || owner.host !== os.hostname() || !Number.isInteger(owner.pid) || owner.pid <= 0) return 'gone';
  if (owner.pid === process.pid) return 'this-process';
  return processAlive(owner.pid) ? 'alive' : 'gone';
}
