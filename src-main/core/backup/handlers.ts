// STUB (issue #6, being written): contract handlers for client tools, backups and the catalog.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';

export type BackupOps = 'listClientTools' | 'setClientToolPaths' | 'planBackup' | 'startBackup' | 'cancelBackup' | 'listBackups' | 'getBackup' | 'verifyBackup' | 'deleteBackup';

export function backupHandlers(_deps: CoreDeps): { handlers: Pick<Handlers, BackupOps>; dispose(): Promise<void> } {
  const todo = (): never => {
    throw new OpsError('NOT_IMPLEMENTED', 'not yet');
  };
  return {
    handlers: {
      listClientTools: todo,
      setClientToolPaths: todo,
      planBackup: todo,
      startBackup: todo,
      cancelBackup: todo,
      listBackups: todo,
      getBackup: todo,
      verifyBackup: todo,
      deleteBackup: todo,
    },
    // Running backups are cancelled (process tree killed, partial deleted) when the core closes.
    dispose: async () => undefined,
  };
}
