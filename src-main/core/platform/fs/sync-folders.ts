// Folder entries made durable. fsync on a file saves its bytes, not its name: the name lives
// in its folder, and a rename's new name in the target's folder. A backup or snapshot is
// published by a rename, so after a crash it must be either wholly there or not at all —
// which takes an fsync of the folders involved as well as of the files.
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Makes a folder's entries durable (best effort: Windows and some network file systems cannot). */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: FileHandle | null = null;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    // The files' own data is already synced; only the entries' durability is at stake.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * `root` and the folders under it down to `depth` levels, a few at a time. Only the folders
 * above the last level are listed: a snapshot's `objects/` folder holds its files (a million
 * for a million objects), which need not be listed to sync the folder itself. Several at once:
 * on ext4 the first fsync commits the journal and the rest find little left to write.
 */
export async function syncFolders(root: string, depth: number, concurrency = 8): Promise<void> {
  const dirs = [root];
  let level = [root];
  for (let d = 0; d < depth; d++) {
    level = level.flatMap((dir) =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => path.join(dir, entry.name)),
    );
    dirs.push(...level);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < dirs.length) await syncDirectory(dirs[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, dirs.length) }, worker));
}

/**
 * `mkdir -p` whose new names are durable: every folder it creates has its parent fsynced, so
 * a snapshot published into a folder made for it does not vanish with that folder in a crash
 * (the publish syncs the snapshot's own name into `dir`, not `dir`'s name into its parent).
 * Returns the folders whose entries were synced (none when `dir` existed).
 */
export async function makeFolderDurably(dir: string, mode = 0o700, sync: (dir: string) => Promise<void> = syncDirectory): Promise<string[]> {
  const target = path.resolve(dir);
  const first = await fs.promises.mkdir(target, { recursive: true, mode });
  if (first === undefined) return [];
  // `first` is the top-most folder made: it and every level below it down to `target` are new.
  const parents: string[] = [];
  for (let d = target; ; d = path.dirname(d)) {
    parents.push(path.dirname(d));
    if (d === path.resolve(first) || path.dirname(d) === d) break;
  }
  await Promise.all(parents.map((p) => sync(p)));
  return parents;
}
