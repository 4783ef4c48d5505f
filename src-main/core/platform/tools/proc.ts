// What we can learn about another process without trusting its pid alone: whether it is
// alive (a zombie is not), when it started (a reused pid starts later), its command line
// and environment, and the members of a process group. Linux reads /proc; other POSIX
// systems ask `ps`; Windows answers "unknown", and then nothing is ever killed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const HAS_PROC = process.platform === 'linux' && fs.existsSync('/proc/self/stat');

interface ProcStat {
  state: string;
  pgrp: number;
  /** Start time in clock ticks since boot: with the pid, it names one process for good. */
  startTicks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', pgrp: Number(fields[2]), startTicks: Number(fields[19]) };
  } catch {
    return null;
  }
}

/** Alive and not a zombie. EPERM (another user's process) counts as alive. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!HAS_PROC) return true;
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/** The process's start time (Linux), to tell it from a later process given the same pid. */
export function processStartTicks(pid: number): number | null {
  if (!HAS_PROC) return null;
  const ticks = readStat(pid)?.startTicks;
  return ticks !== undefined && Number.isFinite(ticks) ? ticks : null;
}

/** argv joined by NUL (Linux) or the command line as ps prints it; null when unreadable. */
export function processCommandLine(pid: number): string | null {
  if (HAS_PROC) {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return null;
    }
  }
  if (process.platform === 'win32') return null;
  try {
    return execFileSync('ps', ['-ww', '-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

/** The environment as NAME=value strings (Linux only: readable for our own user, or as root). */
export function processEnvironment(pid: number): string[] | null {
  if (!HAS_PROC) return null;
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return null;
  }
}

/** Live members of a process group (Linux); elsewhere the leader alone when alive. */
export function groupMembers(pgid: number): number[] {
  if (!HAS_PROC) return processAlive(pgid) ? [pgid] : [];
  return allPids().filter((pid) => {
    const stat = readStat(pid);
    return stat !== null && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X';
  });
}

/** Every pid visible in /proc (Linux), else none. */
export function allPids(): number[] {
  if (!HAS_PROC) return [];
  try {
    return fs
      .readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

export function processGroupOf(pid: number): number | null {
  return HAS_PROC ? (readStat(pid)?.pgrp ?? null) : null;
}

/** Blocks this thread for `ms` (startup only: the sweep runs before anything else). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
