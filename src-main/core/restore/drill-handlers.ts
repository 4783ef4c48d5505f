// Contract handlers for restore drills: start (everything checked before it answers),
// cancel, the records and their reports. The drill itself runs in drills.ts.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../platform/kernel/deps';
import { BackupCatalog } from '../backup';
import type { BackupDomain } from '../backup';
import type { Handlers } from '../platform/kernel/dispatch';
import { log } from '../platform/kernel/log';
import { drillHtml, drillReportFilename } from './drill-report';
import { DrillStore, publicDrill, type StoredDrill } from './drill-store';
import { prepareDrill } from './drill-prepare';
import { DrillJobs } from './drills';
import { sweepScratchClusters } from './scratch';

export type DrillOps = 'startDrill' | 'cancelDrill' | 'getDrill' | 'listDrills' | 'exportDrillReport';

export interface DrillDomain {
  handlers: Pick<Handlers, DrillOps>;
  /** The running drills (tests wait on one through it). */
  jobs: DrillJobs;
  /** Running drills are cancelled and their scratch clusters stopped and removed. */
  dispose(): Promise<void>;
}

function requireDrill(store: DrillStore, id: string): StoredDrill {
  const drill = store.get(id);
  if (!drill) throw new OpsError('NOT_FOUND', `No restore drill with id ${id}.`, { id });
  return drill;
}

export function drillHandlers(deps: CoreDeps, _backup: BackupDomain): DrillDomain {
  const store = new DrillStore(deps.store.db);
  const catalog = new BackupCatalog(deps.store.db);
  const interrupted = store.markInterrupted();
  if (interrupted > 0) log.warn(`${interrupted} restore drill(s) were left running by a process that stopped; marked failed`);
  // Scratch clusters of a drill that died with its process would run on forever.
  const swept = sweepScratchClusters(deps).catch((err: unknown) => {
    log.warn('could not remove leftover scratch clusters', err);
    return [];
  });
  const jobs = new DrillJobs(deps, store);

  const handlers: Pick<Handlers, DrillOps> = {
    startDrill: async (input, ctx) => {
      const { jobId, ...request } = input;
      const prepared = await prepareDrill(deps, catalog, request);
      ctx.audit.profile = prepared.profileName;
      const started = jobs.start(prepared, { actor: ctx.actor, via: ctx.via, ...(jobId ? { jobId } : {}) });
      ctx.audit.summary = `restore drill ${started.drillId} started: ${prepared.backupPath} (${prepared.contents.format}) into a local scratch PostgreSQL with ${prepared.tool.name} ${prepared.tool.major}`;
      return { drillId: started.drillId, jobId: started.jobId };
    },
    cancelDrill: (input, ctx) => {
      if (jobs.cancel(input.id, `cancelled by ${ctx.actor}`)) {
        ctx.audit.summary = `restore drill ${input.id} cancelled`;
        return { cancelled: true };
      }
      const drill = requireDrill(store, input.id);
      ctx.audit.summary = `restore drill ${drill.id} was not running (${drill.status})`;
      return { cancelled: false };
    },
    getDrill: (input) => publicDrill(requireDrill(store, input.id)),
    listDrills: (input) => {
      if (input.profileId === undefined) return { drills: store.list({ limit: input.limit }).map(publicDrill) };
      // By id or name; a removed profile's drills stay listable by its old id.
      const profile = deps.profiles.get(input.profileId) ?? deps.profiles.getByName(input.profileId);
      return { drills: store.list({ limit: input.limit, profileId: profile?.id ?? input.profileId }).map(publicDrill) };
    },
    exportDrillReport: (input, ctx) => {
      const drill = requireDrill(store, input.id);
      ctx.audit.profile = drill.profileName;
      const filename = drillReportFilename(drill, input.format);
      ctx.audit.summary = `drill report exported as ${filename}`;
      return { content: input.format === 'markdown' ? drill.report : drillHtml(drill), filename, format: input.format };
    },
  };

  return {
    handlers,
    jobs,
    dispose: async () => {
      await swept;
      await jobs.disposeAll();
    },
  };
}
