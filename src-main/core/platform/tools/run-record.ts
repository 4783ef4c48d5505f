// A run of pg_dump / pg_restore / psql leaves a record a later start can act on if this
// process dies (kill -9, power loss) while the tool still runs: a private folder under
// `<home>/tmp` (0700) named after the owner pid, holding `run.json` (owner, the tool's pid
// and process group, the partial output) and the run's pgpass file (0600). Nothing goes
// to the shared system temp folder. sweep.ts reads these records at the next start.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePrivateDirAsync, PRIVATE_FILE, TMP_DIR_NAME } from '../fs/private-fs';
import { processStartTicks } from './proc';

export const RUN_FILE = 'run.json';
export const PASS_FILE = 'pgpass';

export type RunKind = 'backup' | 'restore' | 'pgpass';

export interface RunOwner {
  host: string;
  pid: number;
  /** Linux start time of the owner, so a reused pid is not taken for it. */
  startTicks: number | null;
}

export interface RunRecordData {
  version: 1;
  kind: RunKind;
  /** The catalog row (backup id, restore id) this run belongs to. */
  id: string;
  owner: RunOwner;
  /** The output being written (deleted when the owner died). */
  partialPath: string | null;
  /** The tool, once spawned: its pid, process group and program. */
  child: { pid: number; pgid: number; tool: string } | null;
}

export function currentOwner(): RunOwner {
  return { host: os.hostname(), pid: process.pid, startTicks: processStartTicks(process.pid) };
}

export function runsDir(home: string): string {
  return path.join(home, TMP_DIR_NAME);
}

/** `<home>/tmp/<kind>-<pid>-<random>`, 0700; the pid in the name lets a sweep find the owner even without run.json. */
export async function privateTempDir(home: string, kind: RunKind): Promise<string> {
  const root = runsDir(home);
  await ensurePrivateDirAsync(root);
  const dir = await fs.promises.mkdtemp(path.join(root, `${kind}-${process.pid}-`));
  await fs.promises.chmod(dir, 0o700);
  return dir;
}

/** One line of a pgpass file: `:` and `\` are escaped with a backslash. */
function pgpassLine(password: string): string {
  return `*:*:*:*:${password.replace(/\\/g, '\\\\').replace(/:/g, '\\:')}\n`;
}

/**
 * Writes the run's pgpass file. Without a password of ours the file is empty: libpq must
 * then fail rather than read ~/.pgpass entries we skipped (an empty file, unlike
 * /dev/null, draws no warning).
 */
export async function writePgpass(dir: string, password: string | null): Promise<string> {
  const file = path.join(dir, PASS_FILE);
  await fs.promises.writeFile(file, password === null ? '' : pgpassLine(password), { mode: PRIVATE_FILE, flag: 'wx' });
  return file;
}

export class ToolRun {
  private data: RunRecordData;

  private constructor(
    readonly dir: string,
    data: RunRecordData,
  ) {
    this.data = data;
  }

  static async create(home: string, kind: RunKind, id: string, partialPath: string | null): Promise<ToolRun> {
    const dir = await privateTempDir(home, kind);
    const run = new ToolRun(dir, { version: 1, kind, id, owner: currentOwner(), partialPath, child: null });
    run.save();
    return run;
  }

  get passFilePath(): string {
    return path.join(this.dir, PASS_FILE);
  }

  writePassFile(password: string | null): Promise<string> {
    return writePgpass(this.dir, password);
  }

  /** Called right after spawn (synchronously, so a crash has the smallest window to miss it). */
  recordChild(pid: number, tool: string): void {
    // Spawned detached: the tool leads its own process group, whose id is its pid.
    this.data = { ...this.data, child: { pid, pgid: pid, tool } };
    this.save();
  }

  /** Written to a temp name and renamed: a reader never sees half a record. */
  private save(): void {
    const file = path.join(this.dir, RUN_FILE);
    const tmp = `${file}.${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, `${JSON.stringify(this.data)}\n`, { mode: PRIVATE_FILE, flag: 'wx' });
    fs.renameSync(tmp, file);
  }

  /** The run ended normally: its folder (pgpass included) goes. */
  async remove(): Promise<void> {
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}
