// Restores and drills in flight, the plans and inspections asked for on the way.
// Inspect: read a source once per source (it touches no server). Plans: planRestore is
// audited, so each distinct set of options is asked once and remembered. Jobs: followed by
// the shared job hook, through `restore.progress` (drills send it too) and getRestore/getDrill.
import { useCallback } from 'react';
import type { AppEvent } from '@contract/operations';
import type { BackupContents, DrillRecord, RestoreOptionsInput, RestorePlan, RestoreProgressEvent, RestoreRecord } from '@contract/restore';
import { api } from '../../shared/api/client';
import { useAskOnce, type DetailedError } from '../../shared/components/jobs/useAskOnce';
import { useTrackedJob, type JobOps, type TrackedJob } from '../../shared/components/jobs/useTrackedJob';
import { planKey } from './restore-model';

export type InspectAnswer = { contents: BackupContents; error: null } | { contents: null; error: DetailedError };

function sourceKey(source: string): string {
  return source;
}

async function askInspect(source: string): Promise<InspectAnswer> {
  return { contents: await api.inspectBackup({ source }), error: null };
}

function inspectFailed(error: DetailedError): InspectAnswer {
  return { contents: null, error };
}

export function useInspect(source: string | null) {
  const { request: inspect, answerFor, isPending } = useAskOnce(sourceKey, askInspect, inspectFailed);
  const answer = source ? answerFor(source) : null;
  const inspecting = isPending(source);
  const state: 'pending' | 'ok' | 'error' | null = !source ? null : inspecting ? 'pending' : answer ? (answer.contents ? 'ok' : 'error') : null;
  return { inspect, answer, inspecting, state };
}

export type PlanAnswer = { plan: RestorePlan; error: null } | { plan: null; error: DetailedError };

async function askPlan(options: RestoreOptionsInput): Promise<PlanAnswer> {
  return { plan: await api.planRestore(options), error: null };
}

function planFailed(error: DetailedError): PlanAnswer {
  return { plan: null, error };
}

export function useRestorePlans() {
  const { request, answerFor, isPending, forget, answers } = useAskOnce(planKey, askPlan, planFailed);
  /** Any plan already answered reports conflicts for this source and target (the clean option shows then). */
  const conflictsKnown = useCallback(
    (options: RestoreOptionsInput | null) => {
      if (!options) return false;
      return Object.values(answers).some((a) => a.plan !== null && a.plan.conflicts.length > 0 && samePlace(a.plan, options));
    },
    [answers],
  );
  return { request, answerFor, isPending, conflictsKnown, forget };
}

function samePlace(plan: RestorePlan, options: RestoreOptionsInput): boolean {
  return plan.target.kind === options.target.kind && (plan.contents.backupId === options.source || plan.contents.path === options.source);
}

function restoreProgress(event: AppEvent, jobId: string) {
  return event.type === 'restore.progress' && event.jobId === jobId ? { id: event.restoreId, progress: event } : null;
}

const RESTORE_OPS: JobOps<RestoreRecord, RestoreProgressEvent> = {
  prefix: 'restore',
  progressOf: restoreProgress,
  fetch: (id) => api.getRestore({ id }),
  cancel: (id) => api.cancelRestore({ id }),
};

const DRILL_OPS: JobOps<DrillRecord, RestoreProgressEvent> = {
  prefix: 'drill',
  progressOf: restoreProgress,
  fetch: (id) => api.getDrill({ id }),
  cancel: (id) => api.cancelDrill({ id }),
};

/** A restore: `id` is the restoreId, `started` the plan startRestore answered. */
export type RestoreJob = TrackedJob<RestoreRecord, RestorePlan, RestoreProgressEvent>;

export function useRestoreJob(onFinished: (record: RestoreRecord) => void) {
  return useTrackedJob<RestoreRecord, RestorePlan, RestoreProgressEvent>(RESTORE_OPS, onFinished);
}

/** A drill: `id` is the drillId; start answers nothing more. */
export function useDrillJob(onFinished: (record: DrillRecord) => void) {
  return useTrackedJob<DrillRecord, null, RestoreProgressEvent>(DRILL_OPS, onFinished);
}
