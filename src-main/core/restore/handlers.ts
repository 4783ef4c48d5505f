// Contract handlers for restores (drills are spread in from drill-handlers.ts). A restore
// is planned again at start, so the version check, the read-only refusal and the conflict
// list are always current; the typed confirmation and the conflicts are enforced here,
// before the job (runner.ts) touches anything.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../platform/kernel/deps';
import type { BackupDomain } from '../backup';
import type { Handlers } from '../platform/kernel/dispatch';
import { log } from '../platform/kernel/log';
import { drillHandlers, type DrillOps } from './drill-handlers';
import { prepareRestore } from './plan';
import { RestoreStore } from './restore-store';
import { RestoreJobs } from './runner';
import { inspectBackup } from './source';

export type RestoreOps = 'inspectBackup' | 'planRestore' | 'startRestore' | 'cancelRestore' | 'getRestore' | 'listRestores' | DrillOps;

export interface RestoreDomain {
  handlers: Pick<Handlers, RestoreOps>;
  /** The running restores (tests reach them through it). */
  jobs: RestoreJobs;
  /** Running restores and drills are cancelled; scratch clusters stopped and removed. */
  dispose(): Promise<void>;
}

export function restoreHandlers(deps: CoreDeps, backup: BackupDomain): RestoreDomain {
  const store = new RestoreStore(deps.store.db);
  const interrupted = store.markInterrupted();
  if (interrupted > 0) log.warn(`${interrupted} restore(s) were left running by a process that stopped; marked failed`);
  const jobs = new RestoreJobs(deps, backup, store);
  const drills = drillHandlers(deps, backup);

  const handlers: Pick<Handlers, RestoreOps> = {
    inspectBackup: (input) => inspectBackup(deps, input.source),
    planRestore: async (input, ctx) => {
      const { plan } = await prepareRestore(deps, input);
      ctx.audit.profile = plan.target.kind === 'scratch' ? null : plan.target.profile;
      ctx.audit.summary = `restore plan: ${plan.contents.path} → ${plan.target.profile} / ${plan.target.database}${plan.blocked ? ' (blocked)' : ''}`;
      ctx.audit.detail = plan.command;
      return plan;
    },
    startRestore: async (input, ctx) => {
      const { jobId, ...options } = input;
      const prepared = await prepareRestore(deps, options, new Date(), { confirmName: options.confirmName, note: ctx.audit });
      const { plan } = prepared;
      ctx.audit.profile = plan.target.kind === 'scratch' ? null : plan.target.profile;
      ctx.audit.detail = plan.command;
      if (plan.confirmationRequired && options.confirmName !== plan.target.profile) {
        throw new OpsError('CONFIRMATION_REQUIRED', `${plan.target.profile} is a production profile: type its name to restore into it.`, {
          expected: plan.target.profile,
        });
      }
      if (plan.blocked) throw new OpsError('CONFLICT', plan.blocked, { conflicts: plan.conflicts, database: plan.target.database });
      const started = await jobs.start(prepared, { actor: ctx.actor, via: ctx.via, ...(jobId ? { jobId } : {}) });
      const preBackup =
        plan.confirmationRequired && plan.target.kind === 'profile'
          ? plan.preRestoreBackup
            ? ', backup of the target first'
            : ', WITHOUT a backup of the target first (turned off)'
          : '';
      ctx.audit.summary = `restore ${started.restoreId} started: ${plan.contents.path} → ${plan.target.profile} / ${plan.target.database}${preBackup}`;
      return { restoreId: started.restoreId, jobId: started.jobId, plan };
    },
    cancelRestore: (input, ctx) => {
      if (jobs.cancel(input.id, `cancelled by ${ctx.actor}`)) {
        ctx.audit.summary = `restore ${input.id} cancelled`;
        return { cancelled: true };
      }
      const record = store.get(input.id);
      if (!record) throw new OpsError('NOT_FOUND', `No restore with id ${input.id}.`, { id: input.id });
      ctx.audit.summary = `restore ${record.id} was not running (${record.status})`;
      return { cancelled: false };
    },
    getRestore: (input) => {
      const record = store.get(input.id);
      if (!record) throw new OpsError('NOT_FOUND', `No restore with id ${input.id}.`, { id: input.id });
      return record;
    },
    listRestores: (input) => {
      if (input.profileId === undefined) return { restores: store.list({ limit: input.limit }) };
      const profile = deps.profiles.get(input.profileId) ?? deps.profiles.getByName(input.profileId);
      return { restores: store.list({ limit: input.limit, profileId: profile?.id ?? input.profileId }) };
    },
    ...drills.handlers,
  };

  return {
    handlers,
    jobs,
    dispose: async () => {
      await jobs.disposeAll();
      await drills.dispose();
    },
  };
}
