// At every start of the core: what a dead process left behind under `<home>/tmp`. Its
// pg_dump/pg_restore/psql may still run as an orphan (it has its own process group, so it
// outlives a kill -9 of the app), writing a growing `.partial` with a plaintext pgpass file
// beside it. Such a tool is stopped, its partial output and the run folder deleted, and
// the catalog told why (see backup/catalog.ts markInterrupted).
//
// Killing is guarded twice: nothing is touched while the owner process lives (same host,
// pid alive, same start time), and a process is only killed when it is provably the tool
// we started: its environment names this run's pgpass file, or (where the environment
// cannot be read) its command line names this run's partial output.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { log } from '../kernel/log';
import { allPids, groupMembers, processAlive, processCommandLine, processEnvironment, processGroupOf, processStartTicks, sleepSync } from './proc';
import { PASS_FILE, RUN_FILE, runsDir, type RunKind, type RunOwner, type RunRecordData } from './run-record';

export interface SweptRun {
  kind: RunKind;
  /** The catalog row of the run, when its record was readable. */
  id: string | null;
  /** What was found and done, for the catalog row's error ('' when there was nothing to do). */
  note: string;
}

const DIR_NAME = /^(backup|restore|pgpass)-(\d+)-/;
const KILL_WAIT_MS = 3_000;

function readRecord(dir: string): RunRecordData | null {
  try {
    const data = JSON.parse(fs.readFileSync(path.join(dir, RUN_FILE), 'utf8')) as RunRecordData;
    return data.version === 1 ? data : null;
  } catch {
    return null;
  }
}

/** True while the owner may still be running: then its run is left strictly alone. */
export function ownerAlive(owner: RunOwner): boolean {
  // Another machine sharing the home: we can neither see nor stop its processes.
  if (owner.host !== os.hostname()) return true;
  if (!processAlive(owner.pid)) return false;
  const now = processStartTicks(owner.pid);
  // The same pid, started at another time: a new process, the owner is gone.
  return owner.startTicks === null || now === null || now === owner.startTicks;
}

/** Whether `pid` is the tool this run started (see the top of the file). */
function isOurTool(pid: number, passFile: string, partialPath: string | null): boolean {
  if (pid === process.pid) return false;
  const env = processEnvironment(pid);
  if (env !== null) return env.includes(`PGPASSFILE=${passFile}`);
  const cmdline = processCommandLine(pid);
  return partialPath !== null && cmdline !== null && cmdline.includes(partialPath);
}

/** Pids that may be this run's tool: its recorded group, and (Linux) any process pointing at its pgpass file. */
function candidates(record: RunRecordData | null, passFile: string): Set<number> {
  const pids = new Set<number>();
  if (record?.child) for (const pid of [record.child.pid, ...groupMembers(record.child.pgid)]) pids.add(pid);
  // The pid is recorded right after spawn; a crash in between leaves only the environment.
  for (const pid of allPids()) {
    if (pids.has(pid) || pid === process.pid) continue;
    const env = processEnvironment(pid);
    if (env?.includes(`PGPASSFILE=${passFile}`)) pids.add(pid);
  }
  return pids;
}

function kill(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // Gone meanwhile.
  }
}

/** Stops the orphaned tool of a dead run; returns what was stopped, or null. */
function stopOrphan(dir: string, record: RunRecordData | null): string | null {
  const passFile = path.join(dir, PASS_FILE);
  const partialPath = record?.partialPath ?? null;
  const ours = [...candidates(record, passFile)].filter((pid) => processAlive(pid) && isOurTool(pid, passFile, partialPath));
  if (ours.length === 0) return null;
  const ownGroup = processGroupOf(process.pid);
  for (const pid of ours) {
    // The whole group (pg_dump -j workers, psql's children), unless it is somehow ours.
    const pgid = processGroupOf(pid) ?? (pid === record?.child?.pid ? record.child.pgid : null);
    if (pgid !== null && pgid > 1 && pgid !== ownGroup && process.platform !== 'win32') kill(-pgid);
    kill(pid);
  }
  const deadline = Date.now() + KILL_WAIT_MS;
  while (ours.some(processAlive) && Date.now() < deadline) sleepSync(50);
  const tool = record?.child?.tool ?? 'the tool';
  return `${path.basename(tool)} (pid ${ours.join(', ')}) was still running and was stopped`;
}

/** Sweeps every dead run under `<home>/tmp`; returns what it found. Never throws. */
export function sweepToolRuns(home: string): SweptRun[] {
  const root = runsDir(home);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const swept: SweptRun[] = [];
  for (const name of names) {
    const match = DIR_NAME.exec(name);
    if (!match) continue;
    const dir = path.join(root, name);
    try {
      const record = readRecord(dir);
      const owner = record?.owner ?? { host: os.hostname(), pid: Number(match[2]), startTicks: null };
      if (ownerAlive(owner)) continue;
      const notes: string[] = [];
      const stopped = stopOrphan(dir, record);
      if (stopped) notes.push(stopped);
      if (record?.partialPath && fs.existsSync(record.partialPath)) {
        fs.rmSync(record.partialPath, { recursive: true, force: true });
        notes.push('its partial output was deleted');
      }
      fs.rmSync(dir, { recursive: true, force: true });
      swept.push({ kind: record?.kind ?? (match[1] as RunKind), id: record?.id ?? null, note: notes.join('; ') });
    } catch (err) {
      log.warn(`could not clean up ${dir} left by a stopped process`, err instanceof Error ? err.message : String(err));
    }
  }
  if (swept.length > 0)
    log.warn(
      `cleaned up ${swept.length} run(s) left by a process that stopped: ${swept.map((s) => `${s.kind} ${s.id ?? '?'}${s.note ? ` (${s.note})` : ''}`).join('; ')}`,
    );
  return swept;
}
