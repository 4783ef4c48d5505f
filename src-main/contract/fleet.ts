// The fleet commands' types (issue #22): health and a checklist run across many profiles,
// selected by tag or by names, a bounded number at once with a timeout per target. Each
// target's result is the single-profile result (an Overview, a ChecklistRunResult) or why it
// could not be had; the run's status is the worst over the targets, a failed target UNKNOWN.
import { z } from 'zod';
import { FLEET_DEFAULT_CONCURRENCY, FLEET_MAX_CONCURRENCY } from './fleet-screen';
import type { Overview } from './monitoring';
import type { CheckStatus, ChecklistRunResult } from './runbook';

/** Per target: connecting and the overview's statements (5 s each) fit well inside. */
export const FLEET_RUN_DEFAULT_TIMEOUT_MS = 30_000;

const selection = {
  /** Profiles carrying any of these tags. */
  tags: z.array(z.string().trim().toLowerCase().min(1).max(32)).max(16).optional(),
  /** Profiles by name (each must exist). */
  profiles: z.array(z.string().trim().min(1).max(64)).max(1000).optional(),
  concurrency: z
    .number()
    .int()
    .min(1, `concurrency is between 1 and ${FLEET_MAX_CONCURRENCY}`)
    .max(FLEET_MAX_CONCURRENCY, `concurrency is between 1 and ${FLEET_MAX_CONCURRENCY}`)
    .default(FLEET_DEFAULT_CONCURRENCY),
  timeoutMs: z.number().int().min(100).max(600_000).default(FLEET_RUN_DEFAULT_TIMEOUT_MS),
};

export const fleetHealthInput = z.object(selection).strict();
export const fleetChecklistRunInput = z
  .object({ ...selection, /** A checklist's run name ("morning") or a procedure id. */ checklistId: z.string().min(1).max(200) })
  .strict();

/** One target: its status, and the single-profile result or why there is none. */
export interface FleetTarget<T> {
  profile: string;
  profileId: string;
  status: CheckStatus;
  durationMs: number;
  /** Present when the target answered. */
  result?: T;
  /** Present when it did not: CONNECTION_FAILED, AUTH_FAILED, PASSWORD_REQUIRED, TIMEOUT, … */
  error?: { code: string; message: string };
}

export interface FleetRun<T> {
  /** The worst over the targets; a target that did not answer is unknown. */
  status: CheckStatus;
  results: Array<FleetTarget<T>>;
  counts: Record<CheckStatus, number>;
  concurrency: number;
  timeoutMs: number;
  durationMs: number;
}

export type FleetHealthResult = FleetRun<Overview>;
export type FleetChecklistResult = FleetRun<ChecklistRunResult> & { checklist: string; title: string };
