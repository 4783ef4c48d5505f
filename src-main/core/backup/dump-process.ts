// The backup's own piece of running pg_dump: its environment and who makes the file durable
// (the shared machinery is in platform/tools/tool-process.ts).
import fs from 'node:fs';
import type { BackupFormat, ClientTool } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import { clientToolEnv } from '../platform/tools/tool-process';
import type { PreparedBackup } from './plan';

export function toolEnv(prepared: PreparedBackup, backupId: string, passFile: string): NodeJS.ProcessEnv {
  return clientToolEnv(`ops-console backup ${backupId.slice(0, 8)}`, prepared.env, passFile);
}

/**
 * True when the runner, not pg_dump, fsyncs the dump: a single file (custom or plain) from a
 * pg_dump that knows --no-sync (10+). pg_dump's own fsync runs after its last write and before
 * it exits, with the CPU idle; ours runs beside the verification's reads of the same file
 * (sha256, pg_restore --list), and the backup is published only once both succeeded. A folder
 * (directory format, possibly written by parallel workers) keeps pg_dump's own recursive sync.
 */
export function syncsItself(tool: Pick<ClientTool, 'name' | 'major'>, format: BackupFormat): boolean {
  return tool.name === 'pg_dump' && tool.major >= 10 && format !== 'directory';
}

/** fsync of the finished dump file (opened for writing: Windows flushes only a writable handle). */
export async function syncDump(file: string): Promise<void> {
  try {
    const handle = await fs.promises.open(file, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new OpsError('BACKUP_FAILED', `The dump ${file} could not be flushed to disk: ${(err as Error).message}`);
  }
}
