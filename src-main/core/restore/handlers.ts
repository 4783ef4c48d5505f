// STUB (issue #7, being written): contract handlers for restores and restore drills.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { BackupDomain } from '../backup/handlers';
import type { Handlers } from '../dispatch';

export type RestoreOps =
  | 'inspectBackup'
  | 'planRestore'
  | 'startRestore'
  | 'cancelRestore'
  | 'getRestore'
  | 'listRestores'
  | 'startDrill'
  | 'cancelDrill'
  | 'getDrill'
  | 'listDrills'
  | 'exportDrillReport';

export interface RestoreDomain {
  handlers: Pick<Handlers, RestoreOps>;
  /** Running restores and drills are cancelled; scratch clusters stopped and removed. */
  dispose(): Promise<void>;
}

export function restoreHandlers(_deps: CoreDeps, _backup: BackupDomain): RestoreDomain {
  const todo = (): never => {
    throw new OpsError('NOT_IMPLEMENTED', 'not yet');
  };
  return {
    handlers: {
      inspectBackup: todo,
      planRestore: todo,
      startRestore: todo,
      cancelRestore: todo,
      getRestore: todo,
      listRestores: todo,
      startDrill: todo,
      cancelDrill: todo,
      getDrill: todo,
      listDrills: todo,
      exportDrillReport: todo,
    },
    dispose: async () => undefined,
  };
}
