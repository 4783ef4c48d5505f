// The backup's own piece of running pg_dump: its environment (the shared machinery is in
// platform/tools/tool-process.ts).
import { clientToolEnv } from '../platform/tools/tool-process';
import type { PreparedBackup } from './plan';

export function toolEnv(prepared: PreparedBackup, backupId: string, passFile: string): NodeJS.ProcessEnv {
  return clientToolEnv(`ops-console backup ${backupId.slice(0, 8)}`, prepared.env, passFile);
}
