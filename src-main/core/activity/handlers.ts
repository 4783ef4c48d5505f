// Contract handlers for live activity (issue #8): the snapshot and the lock list the screen
// polls (not audited), and the actions on backends, which the dispatcher audits around the call and
// signal.ts / cleanup.ts enrich with the pid, the user and the query (a cleanup also writes
// one session.terminate entry per pid it ended).
import type { CoreDeps } from '../platform/kernel/deps';
import type { Handlers } from '../platform/kernel/dispatch';
import { previewCleanup, runCleanup } from './cleanup';
import { listLocks } from './locks';
import { signalBackend } from './signal';
import { takeSnapshot } from './snapshot';

export type ActivityOps = 'getActivity' | 'listLocks' | 'cancelBackend' | 'terminateBackend' | 'previewSessionCleanup' | 'runSessionCleanup';

export function activityHandlers(deps: CoreDeps): Pick<Handlers, ActivityOps> {
  return {
    getActivity: function getActivity(input) {
      return takeSnapshot(deps, deps.profiles.require(input.profileId), input.password);
    },
    listLocks: function listLocksHandler(input) {
      return listLocks(deps, deps.profiles.require(input.profileId), input.password);
    },
    cancelBackend: function cancelBackend(input, ctx) {
      return signalBackend(deps, deps.profiles.require(input.profileId), 'cancel', input, ctx.audit);
    },
    terminateBackend: function terminateBackend(input, ctx) {
      return signalBackend(deps, deps.profiles.require(input.profileId), 'terminate', input, ctx.audit);
    },
    previewSessionCleanup: function previewSessionCleanup(input) {
      return previewCleanup(deps, deps.profiles.require(input.profileId), input);
    },
    runSessionCleanup: function runSessionCleanup(input, ctx) {
      const profile = deps.profiles.require(input.rule.profileId);
      return runCleanup(deps, profile, input.rule, input.pids, input.confirmName, ctx);
    },
  };
}
