// The Fleet screen's types (issue #22): one row per profile, read from the local store only
// (getFleet), and the refresh that runs the overview across the fleet (refreshFleet) with
// its per-target progress events. The CLI's fleet commands have their own contract.
import { z } from 'zod';
import type { Environment } from './models';
import type { CheckStatus } from './runbook';

/** Refresh bounds: the same as the fleet health run's (issue #22: default 8 at once). */
export const FLEET_DEFAULT_CONCURRENCY = 8;
export const FLEET_MAX_CONCURRENCY = 64;
/** Per target: the overview's own statement timeout is 5 s; connecting (a tunnel) may take longer. */
export const FLEET_DEFAULT_TIMEOUT_MS = 20_000;

const tagFilter = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'tag: give a tag, or leave it out for every profile')
  .max(32, 'tag: a tag is at most 32 characters')
  .nullable()
  .optional();

export const getFleetInput = z.object({ tag: tagFilter }).strict();

export const refreshFleetInput = z
  .object({
    tag: tagFilter,
    concurrency: z.number().int().min(1).max(FLEET_MAX_CONCURRENCY).default(FLEET_DEFAULT_CONCURRENCY),
    timeoutMs: z.number().int().min(1000).max(600_000).default(FLEET_DEFAULT_TIMEOUT_MS),
    /** Names the refresh in its `fleet.refresh` events, so a screen follows its own refresh. */
    refreshId: z.string().min(1).max(100).optional(),
  })
  .strict();

export const cancelFleetRefreshInput = z.object({ refreshId: z.string().min(1).max(100) }).strict();

/** The last time the app tried to reach the profile for its overview, and how that went. */
export interface FleetConnection {
  /** never: no overview has been tried from this workstation yet. */
  state: 'never' | 'ok' | 'error';
  at: string | null;
  /** When state is error: the error code (CONNECTION_FAILED, AUTH_FAILED, PASSWORD_REQUIRED, TIMEOUT, …) and message. */
  code: string | null;
  message: string | null;
}

/** The last overview that answered (it may be older than a later failed try). */
export interface FleetOverview {
  at: string;
  status: CheckStatus;
  /** The worst check (first of the worst in the overview's order); null when every check is ok. */
  worstCheck: { name: string; label: string; status: CheckStatus; summary: string } | null;
  databaseSizeBytes: number;
  connections: number;
  maxConnections: number;
}

export interface FleetBackup {
  id: string;
  /** When it finished (the age counts from there). */
  at: string;
  ageMs: number;
  /** The runbook's RPO (data corruption: 15 min), as the drills measure it. */
  rpoMs: number;
  withinRpo: boolean;
  verifiedOk: boolean | null;
}

export interface FleetDrill {
  id: string;
  status: 'running' | 'ok' | 'failed' | 'cancelled';
  at: string;
  restoreMs: number | null;
  rtoMs: number;
  rtoMet: boolean | null;
  rpoMet: boolean | null;
  /** The validation's worst check, when the drill got that far. */
  validation: 'pass' | 'warning' | 'fail' | null;
}

/** Today's state of a daily checklist on the profile (the maintenance calendar's rules). */
export interface FleetChecklist {
  state: 'done' | 'upcoming' | 'due' | 'overdue';
  dueTime: string | null;
  lastDoneAt: string | null;
  lastStatus: CheckStatus | null;
}

export interface FleetRow {
  profileId: string;
  name: string;
  env: Environment;
  tags: string[];
  readOnly: boolean;
  /**
   * The overview's status; UNKNOWN when the last try failed to reach the server or it was
   * never checked from here (as `ops-console health` judges an unreachable target).
   */
  status: CheckStatus;
  /** What else needs the DBA, in words: no backup or one past the RPO, a failed drill, a drill past the RTO, an overdue checklist. */
  attention: string[];
  connection: FleetConnection;
  overview: FleetOverview | null;
  backup: FleetBackup | null;
  drill: FleetDrill | null;
  checklists: { morning: FleetChecklist | null; evening: FleetChecklist | null };
}

export interface FleetView {
  /** The time ages and checklist states were computed for. */
  now: string;
  tag: string | null;
  /** Every tag any profile has, sorted: the screen's filter choices. */
  tags: string[];
  /** How many profiles there are at all (a tag that matches none still knows the fleet is not empty). */
  totalProfiles: number;
  /** Worst first: status (CRITICAL, UNKNOWN — unreachable before never checked —, WARNING, OK), then more attention items, then by name. */
  rows: FleetRow[];
}

export interface FleetRefreshResult extends FleetView {
  refreshId: string;
  /** Targets refreshed, and of them the ones whose overview failed; those a cancel stopped count in neither and keep their rows. */
  refreshed: number;
  failed: number;
  cancelled: number;
  durationMs: number;
}

/** One target of a refresh finished (its row already re-read from the store), then the refresh itself. */
export type FleetRefreshEvent =
  | { type: 'fleet.refresh'; refreshId: string; phase: 'target'; done: number; total: number; row: FleetRow; at: string }
  | { type: 'fleet.refresh'; refreshId: string; phase: 'started' | 'done'; done: number; total: number; at: string };

const SEVERITY: Record<CheckStatus, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };

/**
 * The Fleet screen's order, worst first: status; an unreachable server before one never
 * checked; more attention items; then by name. Shared by the core (getFleet) and the screen
 * (rows replaced as a refresh's events arrive), so both order alike.
 */
export function compareFleetRows(a: FleetRow, b: FleetRow): number {
  return (
    SEVERITY[b.status] - SEVERITY[a.status] ||
    Number(b.connection.state === 'error') - Number(a.connection.state === 'error') ||
    b.attention.length - a.attention.length ||
    a.name.localeCompare(b.name)
  );
}
