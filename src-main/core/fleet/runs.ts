// Fleet health and fleet checklist runs (issue #22): the very code the single-profile `health`
// (monitoring's runOverview, which also keeps the Fleet screen's last outcome) and `checklist
// run` (runbook's runChecklist) use, on every selected profile through the bounded runner.
//
// Audit: the dispatcher writes the run's own entry (fleet.health / fleet.checklist); each
// target gets one more, begun (committed) when the target starts and completed with its
// profile, status and summary when the runner has its result — so a timeout is recorded as
// the timeout, not as whatever the aborted connection said after it.
import type { CheckStatus } from '../../contract/runbook';
import type { FleetRun, FleetTarget } from '../../contract/fleet';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { AuditNote, CallContext } from '../platform/kernel/dispatch';
import { plural } from '../platform/text/plural';
import { worstStatus } from '../runbook';
import { runFleet, type FleetResult } from './runner';
import { selectProfiles, type FleetSelection } from './select';

export interface FleetRunInput extends FleetSelection {
  concurrency: number;
  timeoutMs: number;
}

/** What one kind of fleet run does per target, and how its result is judged and summarised. */
export interface FleetWorkKind<T> {
  /** The per-target audit action ("health.check", "checklist.run"). */
  action: string;
  /** "health", "checklist morning": for summaries. */
  label: string;
  run(profile: Profile, note: AuditNote, signal: AbortSignal): Promise<T>;
  statusOf(result: T): CheckStatus;
  /** The per-target audit summary when the target answered (the note is what `run` filled). */
  summaryOf(profile: Profile, result: T, note: AuditNote): string;
}

const STATUSES: readonly CheckStatus[] = ['ok', 'warning', 'critical', 'unknown'];

function describeSelection(input: FleetSelection, count: number): string {
  const how = input.tags?.length ? `tagged ${input.tags.join(' or ')}` : `named (${(input.profiles ?? []).join(', ')})`;
  return `${plural(count, 'profile')} ${how}`;
}

export async function runFleetKind<T>(deps: CoreDeps, input: FleetRunInput, ctx: CallContext, kind: FleetWorkKind<T>): Promise<FleetRun<T>> {
  const started = Date.now();
  const targets = selectProfiles(deps.profiles, { tags: input.tags ?? [], profiles: input.profiles ?? [] });
  const scope = describeSelection(input, targets.length);
  ctx.audit.summary = `fleet ${kind.label} on ${scope}, ${input.concurrency} at once, ${input.timeoutMs / 1000} s each`;
  const link = ctx.auditId !== undefined ? `part of fleet run #${ctx.auditId}` : null;

  // profileId → its audit entry and the note its work filled.
  const open = new Map<string, { entryId: number; note: AuditNote }>();
  const completeTarget = (result: FleetResult<T>) => {
    const target = open.get(result.profileId);
    const note = target?.note ?? {};
    const base = { durationMs: result.durationMs, profile: result.profile, detail: link };
    if (result.ok) {
      const status = kind.statusOf(result.value);
      const completion = {
        ...base,
        outcome: 'ok' as const,
        summary: `${status.toUpperCase()}: ${kind.summaryOf(
          targets.find((p) => p.id === result.profileId)!,
          result.value,
          note,
        )}`,
      };
      if (target) deps.audit.complete(target.entryId, completion);
      else deps.audit.record({ actor: ctx.actor, action: kind.action, ...completion });
    } else {
      const completion = {
        ...base,
        outcome: 'error' as const,
        summary: `UNKNOWN: ${kind.label} on ${result.profile} did not answer (${result.error.code})`,
        error: `${result.error.code}: ${result.error.message}`,
      };
      // A target cancelled before it started still gets its entry: one per target, always.
      if (target) deps.audit.complete(target.entryId, completion);
      else deps.audit.record({ actor: ctx.actor, action: kind.action, ...completion });
    }
    open.delete(result.profileId);
  };

  const results = await runFleet(targets, { concurrency: input.concurrency, timeoutMs: input.timeoutMs, onResult: completeTarget }, (profile, signal) => {
    const note: AuditNote = {};
    const entryId = deps.audit.begin({
      actor: ctx.actor,
      action: kind.action,
      profile: profile.name,
      summary: `${kind.label} on ${profile.name} (fleet, via ${ctx.via})`,
      detail: link,
    });
    open.set(profile.id, { entryId, note });
    return kind.run(profile, note, signal);
  });

  const shaped: Array<FleetTarget<T>> = results.map((r) =>
    r.ok
      ? { profile: r.profile, profileId: r.profileId, status: kind.statusOf(r.value), durationMs: r.durationMs, result: r.value }
      : { profile: r.profile, profileId: r.profileId, status: 'unknown', durationMs: r.durationMs, error: r.error },
  );
  const counts = Object.fromEntries(STATUSES.map((s) => [s, shaped.filter((t) => t.status === s).length])) as Record<CheckStatus, number>;
  const status = worstStatus(shaped.map((t) => t.status));
  ctx.audit.summary += `: ${status.toUpperCase()} (${STATUSES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ')})`;
  return { status, results: shaped, counts, concurrency: input.concurrency, timeoutMs: input.timeoutMs, durationMs: Date.now() - started };
}
