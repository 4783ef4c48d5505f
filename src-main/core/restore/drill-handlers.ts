// STUB (issue #7, being written): contract handlers for restore drills.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { BackupDomain } from '../backup/handlers';
import type { Handlers } from '../dispatch';

export type DrillOps = 'startDrill' | 'cancelDrill' | 'getDrill' | 'listDrills' | 'exportDrillReport';

export interface DrillDomain {
  handlers: Pick<Handlers, DrillOps>;
  /** Running drills are cancelled and their scratch clusters stopped and removed. */
  dispose(): Promise<void>;
}

export function drillHandlers(_deps: CoreDeps, _backup: BackupDomain): DrillDomain {
  const todo = (): never => {
    throw new OpsError('NOT_IMPLEMENTED', 'not yet');
  };
  return {
    handlers: { startDrill: todo, cancelDrill: todo, getDrill: todo, listDrills: todo, exportDrillReport: todo },
    dispose: async () => undefined,
  };
}
