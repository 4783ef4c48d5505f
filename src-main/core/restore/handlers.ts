// STUB (issue #7, being written): contract handlers for restores and restore drills.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { BackupDomain } from '../backup/handlers';
import type { Handlers } from '../dispatch';
import { drillHandlers, type DrillOps } from './drill-handlers';

export type RestoreOps =
  | 'inspectBackup'
  | 'planRestore'
  | 'startRestore'
  | 'cancelRestore'
  | 'getRestore'
  | 'listRestores'
  | DrillOps;

export interface RestoreDomain {
  handlers: Pick<Handlers, RestoreOps>;
  /** Running restores and drills are cancelled; scratch clusters stopped and removed. */
  dispose(): Promise<void>;
}

export function restoreHandlers(deps: CoreDeps, backup: BackupDomain): RestoreDomain {
  const drills = drillHandlers(deps, backup);
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
      ...drills.handlers,
    },
    dispose: async () => {
      await drills.dispose();
    },
  };
}
